"""Security headers, production cookies, and no secrets or personal data in the logs."""

from __future__ import annotations

import logging

from conference.mail.delivery import deliver_due
from registration.signup import register
from tests.factories import person
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
