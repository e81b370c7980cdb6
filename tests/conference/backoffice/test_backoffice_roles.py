"""The role matrix of every back-office route: anonymous, attendee, each staff role."""

from __future__ import annotations

import pytest

from conference.backoffice import broadcasts
from conference.cli import create_staff
from conference.extensions import db
from conference.models import ApiToken
from tests.factories import activity, register, staff
from tests.helpers import bearer


@pytest.fixture
def app(any_db_app):
    """Every test here on SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""
    return any_db_app


# Pages any staff member may open (their own links); every other route is for organisers.
STAFF_PAGES = {"conference.dashboard"}
# The /beheer screens that live with their packages: the people screens (registration) and the
# move of a person to an activity on a person's page (seats).
BACK_OFFICE = ("backoffice.", "backoffice_api.", "people_admin.")
MOVED_HERE = {"seats.person_move"}
# Public by design: the one-time link of an invitation carries its own secret.
PUBLIC = {"backoffice.set_password"}


def _routes(app):
    for rule in app.url_map.iter_rules():
        mine = rule.endpoint.startswith(BACK_OFFICE) or rule.endpoint in STAFF_PAGES | MOVED_HERE
        if mine and rule.endpoint not in PUBLIC:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule, method


@pytest.fixture
def samples(app, tokens):
    """Real ids for every URL parameter, and an attendee token."""
    reg = register(1)
    row, raw = ApiToken.issue(reg.user, label="test")
    db.session.add(row)
    db.session.commit()
    # Organiser POSTs in the matrix act on a spare account, not on the callers' own.
    spare, _ = create_staff("spare@example.org", "moderator", "Spare", None)
    draft = broadcasts.save_draft(
        reg.conference, {"audience": "online", "subject": "S", "body": "B"}, actor=staff()
    )
    return {
        "values": {
            "user_id": spare.id,
            "activity_id": activity("ws-diversiteit-1").id,
            "registration_id": reg.id,
            "broadcast_id": draft.id,
            "word": "themas",
            "row_id": 1,
            "name": "ticket",  # a mail template (previews)
            "language": "nl",
        },
        "attendee": raw,
    }


def test_every_backoffice_route_has_a_role_rule(app):
    for rule, _method in _routes(app):
        view = app.view_functions[rule.endpoint]
        roles = getattr(view, "required_roles", None)
        expected = (
            ("organiser", "checkin", "moderator")
            if rule.endpoint in STAFF_PAGES
            else ("organiser",)
        )
        assert roles == expected, f"{rule.endpoint}: {roles}"


def test_role_matrix(app, tokens, samples):
    client = app.test_client()
    failures: list[str] = []
    organiser_posts = []
    count = 0
    for rule, method in _routes(app):
        url = rule.build(samples["values"], append_unknown=False)[1]
        is_api = rule.rule.startswith("/api/")
        count += 1

        def call(token=None, url=url, method=method):
            headers = bearer(token) if token else {}
            return client.open(url, method=method, headers=headers).status_code

        anonymous = call()
        if anonymous != (401 if is_api else 302):
            failures.append(f"anonymous {method} {url}: {anonymous}")
        callers = {
            "attendee": samples["attendee"],
            "checkin": tokens["checkin"],
            "moderator": tokens["moderator"],
        }
        for who, token in callers.items():
            allowed = rule.endpoint in STAFF_PAGES and who != "attendee"
            status = call(token)
            if allowed and status != 200:
                failures.append(f"{who} {method} {url}: {status}, expected 200")
            if not allowed and status != 403:
                failures.append(f"{who} {method} {url}: {status}, expected 403")
        if method == "GET":
            status = call(tokens["organiser"])
            if status != 200:
                failures.append(f"organiser GET {url}: {status}, expected 200")
        else:
            organiser_posts.append((url, method))
    # Changes last, so they cannot disturb the checks above.
    for url, method in organiser_posts:
        status = client.open(url, method=method, headers=bearer(tokens["organiser"])).status_code
        if status in (401, 403, 404, 405, 500):
            failures.append(f"organiser {method} {url}: {status}")
    assert count >= 40
    assert not failures, "\n".join(failures)


def test_anonymous_pages_go_to_the_staff_login(app):
    response = app.test_client().get("/beheer/deelnemers")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/beheer/login?next=")
