"""Unsubscribing from news mails: the signed link, the one-click POST of RFC 8058, the personal
page, and the rule that essential mails always go (conference/mail_policy.py)."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from conference import scheduler
from conference.backoffice import broadcasts
from conference.cli import create_staff
from conference.clock import utcnow
from conference.extensions import db, limiter
from conference.jobs import window_notices
from conference.mail.delivery import deliver_due
from conference.mail.outbox import queue_mail
from conference.mail.policy import news_token, one_click_url, read_news_token, unsubscribe_url
from conference.models import Conference, MailMessage, User
from registration import services as registration_services
from registration.account.login_links import request_login_link
from registration.models import Registration
from streaming.jobs import followed_stream_notices
from tests.factories import activity_of_kind, follow, person, register
from tests.helpers import mails, manage_path
from tests.support.apps import sqlite_app

BODY = {"List-Unsubscribe": "One-Click"}


def _starting_soon(stream) -> dict:
    return followed_stream_notices(stream.starts_at - timedelta(minutes=10))


def _opted_out(reg_id: int) -> bool:
    db.session.rollback()
    return db.session.get(Registration, reg_id).news_opt_out_at is not None


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_news_carries_the_link_and_the_rfc8058_headers_essential_mail_does_not(app, smtp):
    stream = activity_of_kind("stream")
    nl, en = register(1), register(2, mode="online", language="en")
    follow(nl, stream)
    follow(en, stream)
    assert _starting_soon(stream)["starting_mails"] == 2
    counts = deliver_due()
    assert counts["sent"] == 4 and counts["suppressed"] == 0  # two confirmations, two notices

    by_subject = {str(m["To"]) + "|" + ("news" if m["List-Unsubscribe"] else "essential"): m
                  for m in smtp.messages}  # fmt: skip
    for reg in (nl, en):
        essential = by_subject[f"{reg.email}|essential"]
        assert essential["List-Unsubscribe-Post"] is None  # a confirmation cannot be turned off
        assert "afmelden" not in essential.get_body(("plain",)).get_content()
        news = by_subject[f"{reg.email}|news"]
        token = news_token("r", reg.id)
        assert news["List-Unsubscribe"] == f"<{one_click_url(token)}>"
        assert news["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        link = unsubscribe_url(token, reg.language)
        assert link in news.get_body(("plain",)).get_content()
        assert link.replace("&", "&amp;") in news.get_body(("html",)).get_content()
    dutch = by_subject[f"{nl.email}|news"].get_body(("plain",)).get_content()
    english = by_subject[f"{en.email}|news"].get_body(("plain",)).get_content()
    assert "Meld je af:" in dutch and "Unsubscribe:" in english and "lang=en" in english


def test_the_one_click_post_works_without_a_csrf_token(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    reg = register(1)
    token = news_token("r", reg.id)
    # The page's own form still needs its CSRF token…
    assert client.post(f"/afmelden/{token}", data={"action": "unsubscribe"}).status_code == 400
    assert not _opted_out(reg.id)
    # …but a mail client's one-click POST has none, and the signed token authorises it.
    response = client.post(_path(one_click_url(token)), data=BODY)
    assert response.status_code == 200 and response.mimetype == "text/plain"
    assert _opted_out(reg.id)
    assert client.post(_path(one_click_url(token)), data=BODY).status_code == 200  # idempotent
    # Not the RFC 8058 body: refused, and a GET changes nothing (link checkers).
    other = register(2)
    other_token = news_token("r", other.id)
    assert client.post(_path(one_click_url(other_token)), data={"x": "y"}).status_code == 400
    assert client.get(_path(one_click_url(other_token))).status_code == 303
    assert not _opted_out(other.id)


def test_the_link_shows_a_confirm_page_and_can_be_undone(app, client):
    reg = register(1)
    path = _path(unsubscribe_url(news_token("r", reg.id)))
    page = client.get(path)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "private, no-store"
    html = page.get_data(as_text=True)
    assert "Afmelden voor nieuwsberichten" in html and "p***@example.be" in html
    assert reg.email not in html  # whoever holds the link does not learn the whole address
    assert not _opted_out(reg.id)  # opening the link (or a mail scanner) changes nothing

    done = client.post(path, data={"action": "unsubscribe"})
    assert done.status_code == 303 and _opted_out(reg.id)
    html = client.get(path).get_data(as_text=True)
    assert "Je bent afgemeld" in html and "Toch weer nieuwsberichten ontvangen" in html
    client.post(path, data={"action": "resubscribe"})
    assert not _opted_out(reg.id)

    english = register(2, language="en")
    english_path = _path(unsubscribe_url(news_token("r", english.id), "en"))
    assert "lang=en" in english_path
    assert "Unsubscribe from news mails" in client.get(english_path).get_data(as_text=True)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # signature changed
        lambda t: "WyJyIiwgOTk5XQ." + t.split(".", 1)[1],  # another person's id, same signature
        lambda t: t.split(".", 1)[0],  # cut off
        lambda t: "niet-een-token",
    ],
)
def test_a_tampered_link_gets_a_clear_dutch_400_and_changes_nothing(app, client, tamper):
    reg = register(1)
    bad = tamper(news_token("r", reg.id))
    assert read_news_token(bad) is None
    page = client.get(f"/afmelden/{bad}")
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert "Deze link werkt niet" in html and "Er is niets veranderd." in html
    assert client.post(f"/afmelden/{bad}", data={"action": "unsubscribe"}).status_code == 400
    assert client.post(f"/afmelden/{bad}/een-klik", data=BODY).status_code == 400
    db.session.rollback()
    assert (
        db.session.scalar(select(Registration.id).where(Registration.news_opt_out_at.isnot(None)))
        is None
    )


def test_an_opted_out_person_still_gets_essential_mail(app, smtp):
    reg = register(1)
    client = app.test_client()
    client.post(_path(one_click_url(news_token("r", reg.id))), data=BODY)
    assert _opted_out(reg.id)

    assert request_login_link(reg.email)  # essential: they asked for it
    conf = db.session.scalar(select(Conference))

    reminders = scheduler.job_by_name("send_reminders").run
    assert reminders(conf.starts_at - timedelta(hours=20))["queued"] == 1  # essential
    news = broadcasts.save_draft(
        conf, {"audience": "everyone", "subject": "Nieuws", "body": "Iets leuks."}, actor=None
    )
    assert broadcasts.send(conf, news.id, actor=None) == 0  # news: left out when queued
    essential = broadcasts.save_draft(
        conf,
        {"audience": "everyone", "subject": "Nieuwe zaal", "body": "Zaal 2.", "essential": True},
        actor=None,
    )
    assert broadcasts.send(conf, essential.id, actor=None) == 1
    deliver_due()

    kinds = sorted(m.kind for m in mails("login_link") + mails("reminder") + mails("broadcast"))
    assert kinds == ["broadcast", "login_link", "reminder"]
    db.session.rollback()
    sent = {m.kind: m for m in db.session.scalars(select(MailMessage))}
    assert all(m.status == "sent" for m in sent.values())
    subjects = sorted(str(m["Subject"]) for m in smtp.messages)
    assert "Nieuwe zaal" in subjects and "Nieuws" not in subjects
    assert all(m["List-Unsubscribe"] is None for m in smtp.messages)


def test_news_queued_before_the_opt_out_is_suppressed_not_sent(app, smtp):
    stream = activity_of_kind("stream")
    reg = register(1)
    follow(reg, stream)
    deliver_due()  # the confirmation
    smtp.messages.clear()
    assert _starting_soon(stream)["starting_mails"] == 1
    app.test_client().post(_path(one_click_url(news_token("r", reg.id))), data=BODY)

    counts = deliver_due()
    assert counts["suppressed"] == 1 and counts["sent"] == 0
    assert smtp.messages == []
    [row] = mails("stream_starting")
    assert row.status == "suppressed" and row.sent_at is None  # kept, with a clear status
    assert deliver_due()["suppressed"] == 0  # decided once


def test_jobs_and_broadcasts_leave_opted_out_people_out_when_they_queue(app):
    stream = activity_of_kind("stream")
    stays, leaves = register(1), register(2)
    for reg in (stays, leaves):
        follow(reg, stream)
    app.test_client().post(_path(one_click_url(news_token("r", leaves.id))), data=BODY)
    assert _starting_soon(stream)["starting_mails"] == 1
    assert [m.to_address for m in mails("stream_starting")] == [stays.email]

    conf = db.session.scalar(select(Conference))
    draft = broadcasts.save_draft(
        conf, {"audience": "everyone", "subject": "Nieuws", "body": "Iets."}, actor=None
    )
    assert broadcasts.send(conf, draft.id, actor=None) == 1
    [mail] = mails("broadcast")
    assert mail.to_address == stays.email and mail.unsubscribe_token == news_token("r", stays.id)


def test_organisers_can_turn_the_window_notices_off(app, client):
    create_staff("org1@example.org", "organiser", "Org Een", None)
    create_staff("org2@example.org", "organiser", "Org Twee", None)
    quiet = db.session.scalar(select(User).filter_by(email="org2@example.org"))
    path = _path(unsubscribe_url(news_token("u", quiet.id)))
    assert "o***@example.org" in client.get(path).get_data(as_text=True)
    assert client.post(path, data={"action": "unsubscribe"}).status_code == 303
    db.session.rollback()
    conf = db.session.scalar(select(Conference))
    conf.registration_opens_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    assert window_notices(utcnow()) == {"queued": 1}
    [notice] = mails("window_notice")
    assert notice.to_address == "org1@example.org"
    assert "/afmelden/" in notice.body_text and "/afmelden/" in notice.body_html


def test_the_personal_page_turns_news_off_and_on(app, client):
    result = registration_services.register(person(1))
    assert client.post(manage_path(result.id)).status_code == 303
    page = client.get("/mijn-inschrijving").get_data(as_text=True)
    assert "Nieuwsberichten uitzetten" in page
    assert client.post("/mijn-inschrijving/nieuws", data={"action": "off"}).status_code == 303
    assert _opted_out(result.id)
    page = client.get("/mijn-inschrijving").get_data(as_text=True)
    assert "Nieuwsberichten weer aanzetten" in page
    client.post("/mijn-inschrijving/nieuws", data={"action": "on"})
    assert not _opted_out(result.id)
    anonymous = app.test_client()
    assert anonymous.post("/mijn-inschrijving/nieuws", data={"action": "off"}).status_code == 302


def test_news_needs_a_token_and_essential_mail_cannot_have_one(app):
    reg = register(1)
    token = news_token("r", reg.id)
    with pytest.raises(ValueError, match="news"):
        queue_mail(to=reg.email, template="stream_starting", language="nl", context={},
                   kind="stream_starting")  # fmt: skip
    with pytest.raises(ValueError, match="essential"):
        queue_mail(to=reg.email, template="login_link", language="nl", context={},
                   kind="login_link", unsubscribe=token)  # fmt: skip
    db.session.rollback()


def test_the_public_unsubscribe_pages_are_rate_limited(sqlite_template, tmp_path):
    app = sqlite_app(sqlite_template, tmp_path, RATELIMIT_ENABLED=True)
    try:
        with app.app_context():
            limiter.reset()
            client = app.test_client()
            env = {"REMOTE_ADDR": "10.9.9.9"}
            codes = [client.get("/afmelden/x", environ_base=env).status_code for _ in range(31)]
            assert codes[:30] == [400] * 30 and codes[30] == 429
            db.session.remove()
            db.engine.dispose()
    finally:
        limiter.reset()


def test_the_token_is_signed_and_names_its_person(app):
    token = news_token("r", 42)
    assert read_news_token(token) == ("r", 42)
    assert re.fullmatch(r"[A-Za-z0-9_\-.]+", token)  # URL-safe
    with pytest.raises(ValueError):
        news_token("x", 1)
