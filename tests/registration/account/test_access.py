"""An attendee's ways in (API token, manage links, browser sessions) and how they end.

Before (issue 20): anyone could `POST /api/v1/registrations` with someone else's address and
keep the token, which went on reading what the real owner added after logging in by e-mail
link; every mail with a manage link added a live API token (one person had three); the manage
link carried the long-lived API token itself, so it landed in proxy and access logs.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from conference.extensions import db
from conference.models import ApiToken, User, hash_token
from registration.account.personal_data import erase_registration
from registration.models import ManageLink, Registration
from registration.services import cancel_registration, reissue_ticket, resend_confirmation
from tests.conference.test_sessions import copy_of
from tests.factories import person
from tests.helpers import bearer, manage_path
from tests.registration.account.test_login_links import ask_link, link_from_mail
from tests.registration.test_registration_pages import form

SENSITIVE = "rolstoel, doof"


@pytest.fixture
def app(any_db_app):
    """Every test here on SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""
    return any_db_app


def _in(client) -> bool:
    return client.get("/mijn-inschrijving").status_code == 200


def _register_by_api(app, i: int = 1, **overrides) -> dict:
    answer = app.test_client().post("/api/v1/registrations", json=person(i, **overrides))
    assert answer.status_code == 201
    return answer.get_json()


def _device_token(email: str, label: str = "telefoon") -> str:
    db.session.rollback()
    user = db.session.scalar(select(User).filter_by(email=email))
    row, raw = ApiToken.issue(user, label=label)
    db.session.add(row)
    db.session.commit()
    return raw


@pytest.mark.parametrize("proof", ["login link", "manage link"])
def test_the_token_of_an_unproven_registration_ends_when_the_owner_proves_the_address(app, proof):
    stranger = _register_by_api(app, 1, mode="online")  # someone else's address
    api = app.test_client()
    assert api.get("/api/v1/me", headers=bearer(stranger["token"])).status_code == 200
    owner = app.test_client()
    if proof == "login link":
        ask_link(owner)
        assert owner.post(link_from_mail()).status_code == 303
    else:
        assert owner.post(manage_path(stranger["id"])).status_code == 303
    page = owner.post(
        "/mijn-inschrijving/gegevens",
        data=form(1, mode=None, consent=None, accessibility_needs=SENSITIVE),
    )
    assert page.status_code == 303
    answer = api.get("/api/v1/me", headers=bearer(stranger["token"]))
    assert answer.status_code == 401 and SENSITIVE not in answer.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(select(Registration.accessibility_needs)) == SENSITIVE


def test_a_browser_registered_without_proof_is_logged_out_once_the_address_is_proven(app):
    stranger = app.test_client()
    assert stranger.post("/inschrijven", data=form(1)).status_code == 303
    assert _in(stranger)  # the form opens the new account's page in that browser
    owner = app.test_client()
    ask_link(owner)
    assert owner.post(link_from_mail()).status_code == 303
    assert _in(owner)
    answer = stranger.get("/mijn-inschrijving")
    assert answer.status_code == 302 and "/aanmelden" in answer.headers["Location"]


def test_a_browser_that_registers_then_proves_stays_logged_in(app, client):
    assert client.post("/inschrijven", data=form(1)).status_code == 303
    reg_id = db.session.scalar(select(Registration.id))
    assert client.post(manage_path(reg_id)).status_code == 303
    assert _in(client)
    ask_link(client)
    assert app.test_client().post(link_from_mail()).status_code == 303  # a proof elsewhere
    assert _in(client)


def _live_links(user_id: int) -> int:
    db.session.rollback()
    return db.session.scalar(
        select(func.count())
        .select_from(ManageLink)
        .where(ManageLink.user_id == user_id, ManageLink.revoked_at.is_(None))
    )


def _live_tokens(user_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
    )


def test_a_resend_and_a_new_ticket_rotate_the_manage_link(app):
    done = _register_by_api(app, 1)
    reg = db.session.get(Registration, done["id"])
    first = manage_path(reg.id)
    resend_confirmation(reg.id)
    second = manage_path(reg.id)
    reissue_ticket(reg.id, actor=None)
    third = manage_path(reg.id)
    assert len({first, second, third}) == 3
    visitor = app.test_client()
    assert visitor.get(first).status_code == 410 and visitor.post(second).status_code == 410
    assert visitor.get(third).status_code == 200
    # One live link and one token (the registration's), however many mails went out.
    assert _live_links(reg.user_id) == 1 and _live_tokens(reg.user_id) == 1


def test_the_personal_page_lists_links_and_devices_and_logs_out_everywhere(app, client):
    done = _register_by_api(app, 1)
    path = manage_path(done["id"])
    assert client.post(path).status_code == 303
    device = _device_token("persoon1@example.be")
    other = copy_of(client)
    page = client.get("/mijn-inschrijving").get_data(as_text=True)
    assert "Links en toestellen" in page
    assert "Persoonlijke link uit een e-mail van" in page and "(telefoon)" in page
    assert "Sleutel van je inschrijving" not in page  # the unproven token ended at the proof
    answer = client.post("/mijn-inschrijving/overal-afmelden")
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/aanmelden")
    assert not _in(client) and not _in(other)
    assert client.get("/api/v1/me", headers=bearer(device)).status_code == 401
    assert client.get(path).status_code == 410
    user_id = db.session.get(Registration, done["id"]).user_id
    assert _live_links(user_id) == 0 and _live_tokens(user_id) == 0
    ask_link(client)  # a new login link still works
    assert client.post(link_from_mail()).status_code == 303 and _in(client)


@pytest.mark.parametrize("end", [cancel_registration, erase_registration])
def test_cancelling_and_erasing_end_every_way_in(app, client, end):
    done = _register_by_api(app, 1)
    path = manage_path(done["id"])
    assert client.post(path).status_code == 303
    device = _device_token("persoon1@example.be")
    other = copy_of(client)
    path = manage_path(done["id"])
    end(done["id"])
    assert not _in(other) and not _in(client)
    assert client.get("/api/v1/me", headers=bearer(device)).status_code == 401
    assert app.test_client().post(path).status_code == 410


def test_the_manage_link_is_no_api_token_and_an_api_token_is_no_manage_link(app, tokens):
    done = _register_by_api(app, 1)
    link_token = manage_path(done["id"]).rsplit("/", 1)[1]
    api = app.test_client()
    assert api.get("/api/v1/me", headers=bearer(link_token)).status_code == 401
    for raw in (done["token"], tokens["organiser"]):
        assert api.get(f"/mijn-inschrijving/link/{raw}").status_code == 410
        assert api.post(f"/mijn-inschrijving/link/{raw}").status_code == 410
    assert not _in(api)
    db.session.rollback()
    stored = db.session.scalars(select(ManageLink.token_hash)).all()
    assert stored == [hash_token(link_token)]  # only a hash is kept
