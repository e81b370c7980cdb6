"""Organisers preview every mail template with sample data in Dutch and English; none is sent."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from conference.backoffice import mail_samples
from conference.extensions import db
from conference.models import MailMessage
from tests.helpers import login
from tests.support.apps import ROOT

EMAIL = ROOT / "templates" / "email"
# Words that only Dutch has: one of them in an English subject is a string left untranslated.
DUTCH_WORDS = {
    "je", "jouw", "jij", "voor", "van", "het", "een", "de", "en", "met", "op", "naar", "bij",
    "zijn", "morgen", "begint", "minuten", "uur", "plaats", "plaatsen", "inschrijving",
    "inschrijvingen", "gewijzigd", "geopend", "gesloten", "keuzeronde", "wachtlijst",
    "bevestig", "vervallen", "geannuleerd", "medewerker", "bezoeken", "verdeling", "geen",
    "sociaalwerkconferentie", "nieuwe", "zaal", "dag", "afgemeld",
}  # fmt: skip


def _previews():
    for name, variants in sorted(mail_samples.SAMPLES.items()):
        for variant in variants:
            yield name, variant


def test_every_template_in_the_folder_has_a_sample_and_all_its_parts():
    on_disk = {
        path.name.split(".", 1)[0]
        for path in EMAIL.iterdir()
        if path.name not in mail_samples.FRAME_FILES
    }
    missing = sorted(on_disk - set(mail_samples.SAMPLES))
    assert not missing, f"mail templates without sample data in mail_samples.SAMPLES: {missing}"
    assert not set(mail_samples.SAMPLES) - on_disk, "samples for templates that do not exist"
    for name in on_disk:
        for part in ("subject.txt", "txt", "html"):
            assert (EMAIL / f"{name}.{part}").is_file(), f"{name}.{part} is missing"


def test_the_listing_follows_the_folder(app):
    assert mail_samples.template_names() == sorted(
        {p.name.split(".", 1)[0] for p in EMAIL.iterdir()} - {"base"}
    )


@pytest.mark.parametrize(("name", "variant"), list(_previews()))
def test_every_preview_renders_in_both_languages(app, name, variant):
    dutch = mail_samples.render_sample(name, variant, "nl")
    english = mail_samples.render_sample(name, variant, "en")
    for subject, text, html in (dutch, english):
        assert subject and "\n" not in subject and len(subject) <= 300
        assert text.strip()
        assert html.lstrip().lower().startswith("<!doctype html>")
        assert "{{" not in text + html and "%(" not in subject + text + html
    assert 'lang="nl"' in dutch[2] and 'lang="en"' in english[2]
    assert english[0] != dutch[0], f"{name}/{variant}: the English subject is the Dutch one"
    words = set(re.findall(r"[a-zà-ÿ]+", english[0].lower()))
    assert not words & DUTCH_WORDS, f"{name}/{variant}: Dutch in {english[0]!r}"
    news = mail_samples.mail_class(name) == "news" or variant == "news"
    for part in (dutch[1], dutch[2], english[1], english[2]):
        assert ("/afmelden/" in part) == news, f"{name}/{variant}: unsubscribe link only in news"


def test_the_preview_pages_show_everything_and_send_nothing(app, client, tokens):
    login(client)
    listing = client.get("/beheer/e-mails")
    assert listing.status_code == 200
    html = listing.get_data(as_text=True)
    for name in mail_samples.template_names():
        assert f"/beheer/e-mails/{name}/nl" in html and f"/beheer/e-mails/{name}/en" in html
    for name, variant in _previews():
        for language in ("nl", "en"):
            page = client.get(f"/beheer/e-mails/{name}/{language}?variant={variant}")
            assert page.status_code == 200, (name, variant, language)
            subject = mail_samples.render_sample(name, variant, language)[0]
            body = page.get_data(as_text=True)
            assert "<iframe sandbox" in body
            assert f'src="/beheer/e-mails/{name}/{language}/html?variant={variant}"' in body
            csp = page.headers["Content-Security-Policy"]
            assert "frame-src 'self'" in csp and "script-src 'self'" in csp
            frame = client.get(f"/beheer/e-mails/{name}/{language}/html?variant={variant}")
            assert frame.status_code == 200 and frame.mimetype == "text/html"
            assert str(escape(subject)) in body
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(MailMessage)) == 0


def test_the_mail_html_is_served_under_its_own_strict_policy(app, client, tokens):
    login(client)
    frame = client.get("/beheer/e-mails/registration_confirmation/nl/html?variant=onsite")
    csp = frame.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "style-src 'unsafe-inline'" in csp
    assert "img-src data: cid:" in csp and "sandbox" in csp and "script-src" not in csp
    assert "frame-ancestors 'self'" in csp and frame.headers["X-Frame-Options"] == "SAMEORIGIN"
    html = frame.get_data(as_text=True)
    assert "cid:ticket-qr" not in html and "data:image/png;base64," in html  # the QR shows
    assert "<script" not in html


def test_only_organisers_see_the_previews(app, client, tokens):
    assert client.get("/beheer/e-mails").status_code in (302, 401)
    login(client, "checkin")
    assert client.get("/beheer/e-mails").status_code == 403
    assert client.get("/beheer/e-mails/ticket/nl/html").status_code == 403


def test_unknown_templates_languages_and_variants_are_404(app, client, tokens):
    login(client)
    assert client.get("/beheer/e-mails/bestaat-niet/nl").status_code == 404
    assert client.get("/beheer/e-mails/ticket/fr").status_code == 404
    assert client.get("/beheer/e-mails/ticket/nl?variant=raar").status_code == 404
    assert client.get("/beheer/e-mails/base/nl/html").status_code == 404
