"""The registration pages without JavaScript: the form, the second step, the window, the
personal page and its actions."""

from __future__ import annotations

import json
import re
import shutil
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from conference.clock import utcnow
from conference.extensions import db
from registration.models import Registration
from registration.services import register
from tests.factories import person, set_venue
from tests.helpers import assert_counters_match, manage_path
from tests.support.apps import make_app


def form(i=1, **overrides):
    """The registration form's fields for `person(i)`; an override None leaves a field out."""
    data = person(i, **{"language": "nl", "consent": "y", **overrides})
    return {k: v for k, v in data.items() if v is not None}


def errors(html: str) -> dict[str, str]:
    return dict(re.findall(r'<p class="error" id="([a-z_]+)-error">([^<]*)</p>', html))


def count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Registration))


def test_the_form_is_short_and_labelled(client):
    html = client.get("/inschrijven").get_data(as_text=True)
    for name in ("email", "first_name", "last_name", "organisation", "sector", "diet"):
        assert f'for="{name}"' in html and f'id="{name}"' in html
    for group in ("profile", "mode", "language"):
        assert f'<fieldset id="{group}"' in html
    assert html.count('type="radio" ') >= 12
    assert 'name="consent"' in html and "Privacy" in html
    assert 'lang="nl"' in html


@pytest.mark.parametrize(
    ("change", "field", "dutch"),
    [
        ({"email": None}, "email", "Vul je e-mailadres in."),
        ({"email": "jan@"}, "email", "Dat is geen geldig e-mailadres."),
        ({"first_name": ""}, "first_name", "Vul je voornaam in."),
        ({"last_name": None}, "last_name", "Vul je familienaam in."),
        ({"last_name": "x" * 101}, "last_name", "maximaal 100 tekens"),
        ({"organisation": "x" * 201}, "organisation", "maximaal 200 tekens"),
        ({"sector": "x" * 101}, "sector", "maximaal 100 tekens"),
        ({"accessibility_needs": "x" * 1001}, "accessibility_needs", "maximaal 1000 tekens"),
        ({"diet": "x" * 201}, "diet", "maximaal 200 tekens"),
        ({"profile": None}, "profile", "Kies wat het best bij je past."),
        ({"profile": "baas"}, "profile", "Kies wat het best bij je past."),
        ({"mode": None}, "mode", "Kies: ter plaatse of online."),
        ({"language": "fr"}, "language", "Kies Nederlands of Engels."),
        ({"consent": None}, "consent", "Geef je toestemming"),
    ],
)
def test_errors_stand_next_to_the_field_in_both_languages(client, change, field, dutch):
    data = form(**change)
    dutch_page = client.post("/inschrijven", data=data)
    english_page = client.post("/inschrijven?lang=en", data=data)

    for page in (dutch_page, english_page):
        assert page.status_code == 422
        html = page.get_data(as_text=True)
        assert errors(html).get(field, "").strip()
        assert 'class="error-summary"' in html
        if field not in ("profile", "mode", "language", "consent"):
            assert f'aria-describedby="{field}-error"' in html or f"{field}-error" in html
    assert dutch in errors(dutch_page.get_data(as_text=True))[field]
    assert 'lang="en"' in english_page.get_data(as_text=True)
    assert count() == 0


def test_what_was_typed_is_kept(client):
    data = form(
        email="jan@",
        first_name="Jan",
        organisation="CAW Oost",
        sector="Jeugdhulp",
        diet="halal",
        accessibility_needs="Een rustige plek",
        profile="volunteer",
        mode="online",
    )
    html = client.post("/inschrijven", data=data).get_data(as_text=True)
    for value in (
        'value="jan@"',
        'value="Jan"',
        'value="CAW Oost"',
        'value="Jeugdhulp"',
        'value="halal"',
        "Een rustige plek</textarea>",
    ):
        assert value in html
    assert re.search(r'checked[^>]*value="volunteer"|value="volunteer"[^>]*checked', html)
    assert re.search(r'checked[^>]*value="online"|value="online"[^>]*checked', html)


def test_registering_logs_in_a_new_person_and_says_what_happens(client):
    response = client.post("/inschrijven", data=form(1))
    assert response.status_code == 303 and response.headers["Location"].endswith(
        "/inschrijven/klaar"
    )
    done = client.get("/inschrijven/klaar").get_data(as_text=True)
    assert "Je bent ingeschreven" in done and "persoon1@example.be" in done
    manage = client.get("/mijn-inschrijving")
    assert manage.status_code == 200 and "Je ticket" in manage.get_data(as_text=True)
    assert_counters_match()


def test_an_existing_account_is_not_logged_in_by_the_form(client):
    first = register(person(1, mode="online"))
    client.application.test_client().delete(
        "/api/v1/me", headers={"Authorization": f"Bearer {first.token}"}
    )
    assert client.post("/inschrijven", data=form(1)).status_code == 303
    assert client.get("/mijn-inschrijving").status_code == 302  # to the login-link page


def test_already_registered_shows_next_to_the_email(client):
    register(person(1))
    page = client.post("/inschrijven", data=form(1, mode="online"))
    assert page.status_code == 409
    assert "al iemand ingeschreven" in errors(page.get_data(as_text=True))["email"]


def test_a_full_venue_asks_a_second_question_without_javascript(client):
    set_venue(onsite_capacity=0)
    page = client.post("/inschrijven", data=form(1, first_name="Zoë"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Ter plaatse is volzet" in html
    assert (
        'name="venue_choice"' in html
        and 'value="Zoë"' in html
        and 'name="step" type="hidden" value="2"' in html
    )
    assert count() == 0  # nothing stored before the choice

    hidden = dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">', html))
    missing = client.post("/inschrijven", data={**hidden, "step": "2"})
    assert missing.status_code == 422 and "venue_choice" in errors(missing.get_data(as_text=True))

    back = client.post("/inschrijven", data={**hidden, "step": "2", "back": "1"})
    assert 'value="Zoë"' in back.get_data(
        as_text=True
    ) and 'name="venue_choice"' not in back.get_data(as_text=True)

    done = client.post(
        "/inschrijven", data={**hidden, "step": "2", "venue_choice": "online_waitlist"}
    )
    assert done.status_code == 303
    db.session.rollback()
    reg = db.session.scalar(select(Registration))
    assert (reg.status, reg.mode, reg.first_name) == ("registered", "online", "Zoë")
    assert reg.venue_waitlisted_at is not None and not reg.holds_venue_place


def test_before_and_after_the_window(client):
    set_venue(registration_opens_at=utcnow() + timedelta(days=3))
    before = client.get("/inschrijven").get_data(as_text=True)
    assert "nog niet open" in before and "Je kunt je inschrijven vanaf" in before
    assert client.post("/inschrijven", data=form(1)).status_code == 200
    assert count() == 0

    set_venue(
        registration_opens_at=utcnow() - timedelta(days=3),
        registration_closes_at=utcnow() - timedelta(days=1),
    )
    after = client.get("/inschrijven?lang=en").get_data(as_text=True)
    assert 'lang="en"' in after and "<h1>" in after
    assert "gesloten" in client.get("/inschrijven").get_data(as_text=True)
    client.post("/inschrijven", data=form(1))
    assert count() == 0


def test_the_form_needs_its_csrf_token(sqlite_template, tmp_path):
    path = tmp_path / "csrf.sqlite3"
    shutil.copyfile(sqlite_template, path)
    app = make_app(f"sqlite:///{path}", WTF_CSRF_ENABLED=True)
    with app.app_context():
        client = app.test_client()
        assert client.post("/inschrijven", data=form(1)).status_code == 400
        html = client.get("/inschrijven").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
        assert client.post("/inschrijven", data={**form(1), "csrf_token": token}).status_code == 303
        db.session.remove()
        db.engine.dispose()


def login(client, i=1, **overrides) -> int:
    result = register(person(i, **overrides), venue_choice="waitlist")
    assert client.post(manage_path(result.id)).status_code == 303
    return result.id


def test_personal_pages_need_a_login(client):
    for path in (
        "/mijn-inschrijving",
        "/mijn-inschrijving/gegevens",
        "/mijn-inschrijving/annuleren",
        "/mijn-inschrijving/wissen",
        "/mijn-inschrijving/gegevens.json",
    ):
        response = client.get(path)
        assert response.status_code == 302 and "/aanmelden" in response.headers["Location"]


def test_edit_details_keeps_typed_values_on_error(client):
    reg_id = login(client, mode="online")
    page = client.get("/mijn-inschrijving/gegevens").get_data(as_text=True)
    assert 'value="Persoon"' in page

    bad = client.post(
        "/mijn-inschrijving/gegevens",
        data={"first_name": "", "last_name": "Peeters", "profile": "student", "language": "nl"},
    )
    assert bad.status_code == 422 and 'value="Peeters"' in bad.get_data(as_text=True)
    good = client.post(
        "/mijn-inschrijving/gegevens",
        data={"first_name": "Els", "last_name": "Peeters", "profile": "student", "language": "en"},
    )
    assert good.status_code == 303
    db.session.rollback()
    reg = db.session.get(Registration, reg_id)
    assert (reg.first_name, reg.profile, reg.language, reg.user.language) == (
        "Els",
        "student",
        "en",
        "en",
    )


def test_switch_modes_on_the_personal_page(client):
    set_venue(onsite_capacity=1)
    reg_id = login(client, 1)
    other = register(person(2), venue_choice="waitlist").id

    client.post("/mijn-inschrijving/deelname", data={"action": "online"})
    db.session.rollback()
    assert db.session.get(Registration, reg_id).mode == "online"
    assert db.session.get(Registration, other).holds_venue_place  # offered to the waiting list

    page = client.post(
        "/mijn-inschrijving/deelname", data={"action": "onsite"}, follow_redirects=True
    )
    assert "wachtlijst" in page.get_data(as_text=True)
    db.session.rollback()
    reg = db.session.get(Registration, reg_id)
    assert reg.mode == "online" and reg.venue_waitlisted_at is not None
    assert_counters_match()


def test_accept_an_offer_on_the_personal_page(client):
    set_venue(onsite_capacity=1)
    first = register(person(2), venue_choice="waitlist")
    reg_id = login(client, 1)
    client.application.test_client().delete(
        "/api/v1/me", headers={"Authorization": f"Bearer {first.token}"}
    )
    page = client.get("/mijn-inschrijving").get_data(as_text=True)
    assert "Er is een plaats ter plaatse vrij voor jou" in page

    done = client.post(
        "/mijn-inschrijving/plaats", data={"action": "accept"}, follow_redirects=True
    )
    assert "Je ticket" in done.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(Registration, reg_id).status == "registered"


def test_download_cancel_and_erase(client):
    reg_id = login(client, 1, organisation="CAW")
    data = client.get("/mijn-inschrijving/gegevens.json")
    assert data.headers["Content-Disposition"].startswith("attachment")
    assert json.loads(data.data)["registration"]["organisation"] == "CAW"

    assert "Weet je het zeker" in client.get("/mijn-inschrijving/annuleren").get_data(as_text=True)
    assert "geannuleerd" in client.post("/mijn-inschrijving/annuleren").get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(Registration, reg_id).status == "canceled"
    assert client.get("/mijn-inschrijving").status_code == 302  # logged out

    other = login(client, 2)
    assert "Dit kan je niet ongedaan maken" in client.get("/mijn-inschrijving/wissen").get_data(
        as_text=True
    )
    client.post("/mijn-inschrijving/wissen")
    db.session.rollback()
    erased = db.session.get(Registration, other)
    assert erased.anonymized_at is not None and "persoon2" not in erased.email
    assert_counters_match()
