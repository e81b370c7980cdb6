"""Public pages in Dutch and English, staff login, and no stack trace for a user."""

from __future__ import annotations

import pytest

from conference.extensions import db
from sessions.programme import services as programme_services
from sessions.programme.models import Activity

PAGES = ["/", "/programma", "/programma?per=thema", "/programma/plenaire-opening",
         "/programma/bezoek-stadswandeling", "/thema/diversiteit", "/praktisch",
         "/beheer/login"]  # fmt: skip


@pytest.mark.parametrize("path", PAGES)
def test_every_public_page_renders_in_dutch_and_english(client, path):
    nl = client.get(path)
    assert nl.status_code == 200
    assert b'<html lang="nl">' in nl.data
    assert b"Demo:" in nl.data  # every page says it is a demo
    # Issue 19: Dutch first; a browser set to English still gets Dutch until the person picks
    # English (the link, its cookie, or the language of their registration).
    browser_en = client.get(path, headers={"Accept-Language": "en"})
    assert b'<html lang="nl">' in browser_en.data
    en = client.get(path + ("&" if "?" in path else "?") + "lang=en")
    assert en.status_code == 200
    assert b'<html lang="en">' in en.data
    assert b"Programme" in en.data and b"Programma</a>" not in en.data


def test_dutch_is_the_default_and_the_switch_sticks(client):
    assert b"Programma" in client.get("/").data
    response = client.get("/taal/en?next=/programma")
    assert response.status_code == 302 and response.headers["Location"].endswith("/programma")
    assert b'<html lang="en">' in client.get("/programma").data
    # an outside address in next= is not followed
    assert client.get("/taal/nl?next=https://evil.example/").headers["Location"] == "/"


def test_programme_shows_live_seat_counts(client, app):
    from sqlalchemy import select

    act = db.session.scalar(select(Activity).filter_by(slug="ws-diversiteit-1"))
    act.taken = act.capacity
    db.session.commit()
    page = client.get("/programma").data.decode()
    assert "Volzet" in page
    assert "Nog 250 plaatsen van 250" in page
    english = client.get("/programma?lang=en").data.decode()
    assert "Full" in english and "250 places left of 250" in english


def test_english_titles_come_from_the_data_file(client):
    assert "Living together in diversity" in client.get("/thema/diversiteit?lang=en").data.decode()
    assert "Samenleven in diversiteit" in client.get("/thema/diversiteit").data.decode()


def test_unknown_pages_are_a_friendly_404(client):
    response = client.get("/programma/bestaat-niet")
    assert response.status_code == 404
    assert "bestaat niet" in response.data.decode()
    assert client.get("/api/v1/bestaat-niet").get_json()["error"] == "not_found"


def test_staff_login_page_and_a_wrong_password(client, tokens):
    response = client.post(
        "/beheer/login", data={"email": "organiser@example.org", "password": "fout"}
    )
    assert response.status_code == 401
    assert "horen niet bij een medewerker" in response.data.decode()
    response = client.post(
        "/beheer/login", data={"email": "nobody@example.org", "password": "fout"}
    )
    assert response.status_code == 401  # same answer: no enumeration of staff accounts
    response = client.post(
        "/beheer/login", data={"email": "organiser@example.org", "password": "wachtwoord-organiser"}
    )
    assert response.status_code == 302
    assert client.get("/beheer").status_code == 200


def test_staff_pages_redirect_anonymous_people_to_the_login(client):
    response = client.get("/beheer")
    assert response.status_code == 302 and "/beheer/login" in response.headers["Location"]


def test_a_crash_shows_a_plain_page_not_a_stack_trace(app, client, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(programme_services, "programme_by_block", boom)
    response = client.get("/programma")
    assert response.status_code == 500
    assert b"secret internals" not in response.data and b"Traceback" not in response.data
    assert "Er ging iets mis" in response.data.decode()
