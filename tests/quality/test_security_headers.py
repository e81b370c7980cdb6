"""Security headers, production cookies, and no secrets or personal data in the logs."""

from __future__ import annotations

import logging

import time_machine
from sqlalchemy import select

from conference.extensions import db
from conference.mail.delivery import deliver_due
from conference.models import User
from registration.signup import register
from tests.factories import activity_of_kind, attendee, person, token_for
from tests.helpers import bearer
from tests.streaming.test_certificates import _after_the_day, _watch
from tests.support.apps import make_app


def _csp(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] for part in policy.split("; ")}


def test_every_page_gets_a_strict_policy(client):
    response = client.get("/programma")
    csp = _csp(response)
    assert csp["script-src"] == "'self'"  # no inline scripts, no eval
    assert csp["frame-src"] == "'none'" and csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_only_the_scanner_may_use_the_camera(client, tokens):
    client.post(
        "/beheer/login", data={"email": "checkin@example.org", "password": "wachtwoord-checkin"}
    )
    scanner = client.get("/scanner/entrance")
    assert scanner.status_code == 200
    assert "camera=(self)" in scanner.headers["Permissions-Policy"]
    assert "camera=()" in client.get("/beheer").headers["Permissions-Policy"]


def test_the_api_is_covered_too(client):
    response = client.get("/api/v1/programme")
    assert _csp(response)["default-src"] == "'self'"


def test_production_cookies_are_secure_httponly_and_samesite(sqlite_template, tmp_path):
    import shutil

    path = tmp_path / "prod.sqlite3"
    shutil.copyfile(sqlite_template, path)
    app = make_app(
        f"sqlite:///{path}", TESTING=False, SESSION_COOKIE_SECURE=True, WTF_CSRF_ENABLED=True
    )
    client = app.test_client()
    response = client.get("/beheer/login", base_url="https://conferentie.example.org")
    cookie = response.headers.get("Set-Cookie", "")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=315")  # a year


def test_no_secret_or_personal_data_in_the_logs(app, client, caplog):
    caplog.set_level(logging.DEBUG)
    done = register(
        person(7, first_name="Zoë", last_name="Vanderstraeten", email="zoe.geheim@example.be")
    )
    client.post("/api/v1/registrations", json=person(8, email="tweede.geheim@example.be"))
    client.post("/inloggen", data={"email": "zoe.geheim@example.be"})

    deliver_due()  # without SMTP_URL the mail goes to the log: say that it went, not what it says
    text = caplog.text
    for secret in (
        done.token,
        "zoe.geheim@example.be",
        "Vanderstraeten",
        "tweede.geheim@example.be",
    ):
        assert secret not in text, f"{secret!r} leaked into the log"


def _production_app(sqlite_template, tmp_path, **overrides):
    import shutil

    path = tmp_path / "prod.sqlite3"
    shutil.copyfile(sqlite_template, path)
    config = {"TESTING": False, "SESSION_COOKIE_SECURE": True, "WTF_CSRF_ENABLED": True}
    return make_app(f"sqlite:///{path}", **(config | overrides))


def test_the_language_cookie_is_secure_in_production(sqlite_template, tmp_path):
    app = _production_app(sqlite_template, tmp_path)
    response = app.test_client().get("/taal/en", base_url="https://conferentie.example.org")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("lang="))
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_only_a_valid_bearer_token_spares_a_cookie_caller_the_csrf_token(app, tokens):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    organiser = db.session.scalar(select(User).filter_by(email="organiser@example.org"))
    with client.session_transaction() as session:
        session["_user_id"] = organiser.get_id()
        session["_fresh"] = True
    body = {"onsite_capacity": 321}
    # A cookie session with some other Authorization header is still a cookie caller.
    for header in ("Basic b3JnYW5pc2VyOng=", "Token abc", "Bearer", "Bearer not-a-token"):
        response = client.patch("/api/v1/conference", json=body, headers={"Authorization": header})
        assert response.status_code in (400, 401), header
        assert response.get_json()["error"] in ("csrf", "unauthenticated"), header
    assert client.patch("/api/v1/conference", json=body).get_json()["error"] == "csrf"
    ok = client.patch("/api/v1/conference", json=body, headers=bearer(tokens["organiser"]))
    assert ok.status_code == 200 and ok.get_json()["onsite_capacity"] == 321


def test_links_in_the_api_come_from_base_url_not_from_the_host_header(app, client):
    reg = attendee("online")
    _watch(reg, activity_of_kind("plenary"), 45)
    headers = {"Host": "evil.example.org", "Authorization": f"Bearer {token_for(reg.user)}"}
    streams = client.get("/api/v1/streams", headers=headers)
    assert streams.status_code == 200
    urls = [item["watch_url"] for item in streams.get_json()]
    assert urls and all(url.startswith("http://127.0.0.1:5000/") for url in urls), urls
    with time_machine.travel(_after_the_day(), tick=False):
        answer = client.get("/api/v1/me/certificate", headers=headers).get_json()
        page = client.get("/online/attest", headers=headers).get_data(as_text=True)
    assert answer["pdf_url"].startswith("http://127.0.0.1:5000/"), answer
    assert answer["verify_url"].startswith("http://127.0.0.1:5000/"), answer
    assert "evil.example.org" not in page
