"""`next=` only ever leads to a path of ours: no open redirect, no split header, no 500.

Before: CR/LF in `next` answered 500 (`/taal/en?next=/x%0d%0aSet-Cookie:…`, the staff login),
and a tab slipped past the check (`/\\t/evil.example.org`), which a browser reads as
`//evil.example.org`: another site.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest

from conference.views import safe_next
from tests.factories import attendee
from tests.helpers import login

EVIL = [
    "/x\r\nSet-Cookie: a=b",
    "/x\nY",
    "/\t/evil.example.org",
    "/\n/evil.example.org",
    "/\\evil.example.org",
    "/\\/evil.example.org",
    "\t//evil.example.org",
    "//evil.example.org",
    "https://evil.example.org/",
    "/x\x00y",
    "/x\x85y",
]


@pytest.mark.parametrize("target", EVIL)
def test_safe_next_refuses_what_a_browser_reads_as_elsewhere(target):
    assert safe_next(target, "/thuis") == "/thuis"


def test_safe_next_keeps_local_paths():
    for target in ("/programma", "/programma/ws-1?per=thema#top", "/zoek?q=a b", "/café"):
        assert safe_next(target, "/thuis") == target


def _location_is_ours(response) -> None:
    assert response.status_code in (302, 303), response.status_code
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith("//"), location
    assert "evil" not in location and "\n" not in location and "\r" not in location


@pytest.mark.parametrize("target", EVIL)
def test_the_language_switch_goes_home_instead(app, client, target):
    _location_is_ours(client.get(f"/taal/en?next={quote(target)}"))


@pytest.mark.parametrize("target", EVIL[:4])
def test_the_staff_login_goes_to_the_dashboard_instead(app, client, tokens, target):
    response = client.post(
        f"/beheer/login?next={quote(target)}",
        data={"email": "organiser@example.org", "password": "wachtwoord-organiser"},
    )
    _location_is_ours(response)
    assert response.headers["Location"] == "/beheer"


@pytest.mark.parametrize("target", EVIL)
def test_following_a_stream_goes_back_to_the_activity_instead(app, client, target):
    login(client, attendee(mode="online"))
    response = client.post(
        "/programma/stream-eerste-lijn/volgen", data={"action": "follow", "next": target}
    )
    _location_is_ours(response)
    assert response.headers["Location"] == "/programma/stream-eerste-lijn"
