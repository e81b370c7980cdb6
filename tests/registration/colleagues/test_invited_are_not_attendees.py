"""Invited colleagues (no consent yet) are not attendees: exports, dashboard figures, fairness
figures and choice counts leave them out, on a real SQLite file and PostgreSQL."""

from __future__ import annotations

import pytest

from conference.backoffice.dashboard import places
from conference.extensions import db
from registration.colleagues.confirm import confirm_invitation
from registration.colleagues.services import invite_colleagues
from registration.draw.fairness import fairness_figures
from tests.factories import conference, register
from tests.helpers import bearer, login
from tests.registration.colleagues.support import answers, colleague, link_token

INVITED = "collega1@example.be"


@pytest.fixture
def app(any_db_app):
    """Every test here on SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""
    return any_db_app


@pytest.fixture
def invited(app):
    """A coordinator on site, one invited on-site colleague (holding a place), one online."""
    coordinator = register(1, organisation="CAW Antwerpen")
    invite_colleagues(
        coordinator.id,
        [colleague(1), colleague(2, mode="online")],
    )
    return coordinator


def _csv(client, token, **args) -> str:
    response = client.get(
        "/api/v1/exports/registrations.csv", query_string=args, headers=bearer(token)
    )
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_exports_leave_invited_colleagues_out_unless_asked(client, tokens, invited):
    plain = _csv(client, tokens["organiser"])
    assert "persoon1@example.be" in plain and INVITED not in plain
    asked = _csv(client, tokens["organiser"], include_invited="1")
    assert INVITED in asked and "collega2@example.be" in asked
    confirm_invitation(link_token(INVITED), answers(1))
    assert INVITED in _csv(client, tokens["organiser"])  # confirmed: an attendee now


def test_the_dashboard_shows_invited_colleagues_on_their_own_line(client, tokens, invited):
    figures = places(conference())
    assert figures["invited"] == 2
    assert (figures["onsite"], figures["online"]) == (1, 0)  # the coordinator only
    login(client)
    html = client.get("/beheer").get_data(as_text=True)
    assert "uitgenodigd, nog niet bevestigd" in html
    english = client.get("/beheer?lang=en").get_data(as_text=True)
    assert "invited, not confirmed yet" in english


def test_fairness_figures_count_only_attendees(invited):
    figures = fairness_figures(db.session, conference())
    assert sum(p["requests"] for p in figures["profiles"]) == 1
    assert [o["requests"] for o in figures["organisations"]] == [1]
