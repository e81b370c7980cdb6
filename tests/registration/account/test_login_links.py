"""Passwordless access: the login link (single use, short-lived, GET does not log in), the
manage link, no user enumeration, and the rate limits."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine
from sqlalchemy import func, select

from conference.clock import utcnow
from conference.extensions import db, limiter
from conference.models import MailMessage
from registration.models import LoginLink
from registration.services import cancel_registration, register
from tests.factories import person
from tests.helpers import manage_path
from tests.support.apps import sqlite_app


def ask_link(client, email="persoon1@example.be", **extra):
    return client.post("/aanmelden", data={"email": email, **extra})


def link_from_mail() -> str:
    db.session.rollback()
    mail = db.session.scalars(
        select(MailMessage).filter_by(kind="login_link").order_by(MailMessage.id.desc())
    ).first()
    return re.search(r"http://127\.0\.0\.1:5000(/aanmelden/\S+)", mail.body_text).group(1)


def logged_in(client) -> bool:
    return client.get("/mijn-inschrijving").status_code == 200


def test_a_link_logs_in_once_and_only_by_post(client):
    register(person(1, mode="online"))
    response = ask_link(client)
    assert response.status_code == 200
    path = link_from_mail()

    page = client.get(path)
    assert page.status_code == 200
    assert "<form" in page.get_data(as_text=True)
    assert '<meta name="referrer" content="no-referrer">' in page.get_data(as_text=True)
    assert not logged_in(client)  # a mail scanner following the link logs nobody in
    db.session.rollback()
    assert db.session.scalar(select(LoginLink.used_at)) is None  # and does not burn it

    used = client.post(path)
    assert used.status_code == 303 and used.headers["Location"].endswith("/mijn-inschrijving")
    assert logged_in(client)

    other = client.application.test_client()
    assert other.post(path).status_code == 410  # single use
    assert other.get(path).status_code == 410
    assert not logged_in(other)


def test_a_link_expires(client):
    register(person(1, mode="online"))
    ask_link(client)
    path = link_from_mail()
    with time_machine.travel(utcnow() + timedelta(minutes=21), tick=False):
        assert client.get(path).status_code == 410
        assert client.post(path).status_code == 410
    assert not logged_in(client)


def test_a_tampered_link_does_nothing(client):
    register(person(1, mode="online"))
    ask_link(client)
    path = link_from_mail()
    assert client.post(path[:-3] + "abc").status_code == 410
    assert client.post("/aanmelden/plain-nonsense").status_code == 410
    assert not logged_in(client)


def test_the_answer_is_the_same_for_unknown_addresses(client):
    register(person(1, mode="online"))
    known = ask_link(client, "persoon1@example.be")
    unknown = ask_link(client, "niemand@example.be")
    assert known.status_code == unknown.status_code == 200

    def strip(response, email):
        return response.get_data(as_text=True).replace(email, "EMAIL")

    assert strip(known, "persoon1@example.be") == strip(unknown, "niemand@example.be")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(LoginLink)) == 1


def test_a_bad_address_gets_a_message_next_to_the_field(client):
    for query in ("", "?lang=en"):
        response = client.post("/aanmelden" + query, data={"email": "geen adres"})
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert 'id="email-error"' in html and 'value="geen adres"' in html
    assert "Dat is geen geldig e-mailadres" in client.post(
        "/aanmelden", data={"email": "x"}
    ).get_data(as_text=True)


def test_the_link_brings_you_back_where_you_were(client):
    register(person(1, mode="online"))
    client.get("/mijn-inschrijving/gegevens")  # redirected to the login page with ?next=
    ask_link(client, next="/mijn-inschrijving/gegevens")
    assert client.post(link_from_mail()).headers["Location"].endswith("/mijn-inschrijving/gegevens")


def test_a_foreign_next_is_ignored(client):
    register(person(1, mode="online"))
    ask_link(client, next="https://evil.example/")
    assert client.post(link_from_mail()).headers["Location"].endswith("/mijn-inschrijving")


def test_the_manage_link_opens_the_personal_page_by_post(client, tokens):
    result = register(person(1))
    path = manage_path(result.id)
    assert client.get(path).status_code == 200
    assert not logged_in(client)
    assert client.post(path).status_code == 303
    assert logged_in(client)

    assert (
        client.application.test_client()
        .post(f"/mijn-inschrijving/link/{tokens['organiser']}")
        .status_code
        == 410
    )
    cancel_registration(result.id)
    fresh = client.application.test_client()
    assert fresh.get(path).status_code == 410
    assert fresh.post(path).status_code == 410


def test_rate_limits_on_login_links_and_registrations(sqlite_template, tmp_path):
    app = sqlite_app(sqlite_template, tmp_path, RATELIMIT_ENABLED=True)
    try:
        with app.app_context():
            limiter.reset()
            client = app.test_client()
            codes = [ask_link(client, f"iemand{i}@example.be").status_code for i in range(6)]
            assert codes == [200] * 5 + [429]
            same = [
                client.post(
                    "/aanmelden",
                    data={"email": "een@example.be"},
                    environ_base={"REMOTE_ADDR": f"10.0.0.{i}"},
                ).status_code
                for i in range(4)
            ]
            assert same == [200, 200, 200, 429]  # one mailbox, many networks

            api = [
                client.post(
                    "/api/v1/registrations",
                    json=person(i, mode="online"),
                    environ_base={"REMOTE_ADDR": "10.1.1.1"},
                ).status_code
                for i in range(31)
            ]
            assert api[:30] == [201] * 30 and api[30] == 429
            limited = client.post(
                "/api/v1/registrations", json=person(99), environ_base={"REMOTE_ADDR": "10.1.1.1"}
            )
            assert limited.get_json()["error"] == "rate_limited"
            db.session.remove()
            db.engine.dispose()
    finally:
        limiter.reset()
        limiter.enabled = False
