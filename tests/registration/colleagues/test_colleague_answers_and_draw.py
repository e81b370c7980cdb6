"""The colleague's confirmation with the organisers' questions, in draw mode, and the hold
setting, on a real SQLite file and PostgreSQL."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from conference.cli import create_staff
from conference.clock import utcnow
from conference.errors import Invalid
from conference.extensions import db
from conference.services import update_conference
from registration.colleagues.confirm import confirm_invitation
from registration.colleagues.services import invite_colleagues
from registration.draw import services as draw
from registration.questions.services import answers_by_key
from tests.factories import ANSWERS, conference, questions, register, set_venue, token_for
from tests.helpers import assert_counters_match, bearer
from tests.registration.colleagues.support import (
    answers,
    colleague,
    invitation_of,
    link_token,
    registration_of,
)

FORM = {"first_name": "Eigen", "last_name": "Naam", "profile": "practitioner", "mode": "onsite",
        "language": "nl", "consent": "y", "vraag_bron": "collega", "vraag_tolk": "no",
        "vraag_jaren": "7"}  # fmt: skip


@pytest.fixture
def app(any_db_app):
    """Every test here on SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""
    return any_db_app


def _invited(i: int = 1, **row) -> str:
    """Invite colleague `i` (by a registered coordinator); their link's token."""
    coordinator = register(900 + i, mode="online")
    invite_colleagues(coordinator.id, [colleague(i, **row)])
    return link_token(f"collega{i}@example.be")


def _errors(html: str) -> dict[str, str]:
    return dict(re.findall(r'<p class="error" id="([a-z_]+)-error">([^<]*)</p>', html))


def _draw_mode() -> None:
    update_conference(conference(), {"venue_mode": "draw", "draw_at": None})
    db.session.commit()


def test_the_confirmation_page_asks_the_questions_like_the_registration_form(app, client):
    token = _invited()  # the coordinator registered before the questions existed
    questions()
    html = client.get(f"/collega/{token}").get_data(as_text=True)
    for key in ANSWERS:
        assert f'id="vraag_{key}"' in html
    assert "Alleen voor wie ter plaatse komt." in html  # the on-site question, noted
    english = client.get(f"/collega/{token}?lang=en").get_data(as_text=True)
    assert "How did you hear of us?" in english


def test_required_answers_are_enforced_next_to_the_fields_and_nothing_is_used(app, client):
    token = _invited()  # the coordinator registered before the questions existed
    questions()
    bad = {**FORM, "vraag_bron": "", "vraag_jaren": "veel", "first_name": ""}
    response = client.post(f"/collega/{token}", data=bad)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    found = _errors(html)
    assert found["vraag_bron"] == "Beantwoord deze vraag."
    assert "geheel getal" in found["vraag_jaren"] and "first_name" in found
    summary = html[html.index('class="error-summary"') :]
    assert 'href="#vraag_bron-0"' in summary
    assert 'value="veel"' in html  # what was typed stays
    # The link still works: nothing was used, nothing stored.
    assert invitation_of("collega1@example.be").status == "invited"
    assert registration_of("collega1@example.be").status == "invited"
    assert answers_by_key(registration_of("collega1@example.be").id) == {}


def test_answers_are_kept_in_the_confirming_transaction(app, client):
    token = _invited()  # the coordinator registered before the questions existed
    questions()
    response = client.post(f"/collega/{token}", data=FORM)
    assert response.status_code == 200, _errors(response.get_data(as_text=True))
    reg = registration_of("collega1@example.be")
    assert reg.status == "registered" and reg.consent_at is not None
    assert answers_by_key(reg.id) == {"bron": "collega", "tolk": False, "jaren": 7}


def test_the_service_refuses_missing_required_answers_for_the_chosen_mode(app):
    token = _invited()
    questions("bron", "tolk")
    with pytest.raises(Invalid) as refused:
        confirm_invitation(token, answers(1, answers={"bron": "collega"}))
    assert set(refused.value.fields) == {"answers.tolk"}
    # Online, the on-site question is neither asked nor kept.
    outcome = confirm_invitation(
        token, answers(1, mode="online", answers={"bron": "collega", "tolk": True})
    )
    assert outcome == "online"
    assert answers_by_key(registration_of("collega1@example.be").id) == {"bron": "collega"}


def test_in_draw_mode_an_invited_colleague_holds_nothing_and_applies_on_confirming(app, client):
    set_venue(onsite_capacity=5)
    _draw_mode()
    token = _invited()
    assert invitation_of("collega1@example.be").hold_expires_at is None
    assert not registration_of("collega1@example.be").holds_venue_place
    assert assert_counters_match().onsite_taken == 0

    response = client.post(f"/collega/{token}", data={**FORM})
    assert response.status_code == 200
    assert "Je doet mee aan de loting" in response.get_data(as_text=True)
    reg = registration_of("collega1@example.be")
    assert (reg.status, reg.holds_venue_place, reg.venue_waitlisted_at) == ("applied", False, None)
    assert assert_counters_match().onsite_taken == 0
    # The draw counts the colleague as one more applicant, and places them.
    figures = draw.publish(conference().id, utcnow())
    assert figures["applicants"] == 1 and figures["registered"] == 1
    assert registration_of("collega1@example.be").status == "registered"


def test_after_the_draw_is_published_invitations_hold_places_again(app):
    set_venue(onsite_capacity=5)
    _draw_mode()
    draw.publish(conference().id, utcnow())
    token = _invited()
    assert invitation_of("collega1@example.be").hold_expires_at is not None
    assert registration_of("collega1@example.be").holds_venue_place
    assert confirm_invitation(token, answers(1)) == "registered"
    assert assert_counters_match().onsite_taken == 1


def test_the_hold_time_is_a_validated_setting(app, client):
    attendee = token_for(register(1, mode="online"))
    refused = client.patch(
        "/api/v1/conference", json={"colleague_hold_hours": 12}, headers=bearer(attendee)
    )
    assert refused.status_code == 403
    token = create_staff("organiser@example.org", "organiser", "Organiser", "wachtwoord-o")[1]
    for bad in (0, 337, None, "12"):
        answer = client.patch(
            "/api/v1/conference", json={"colleague_hold_hours": bad}, headers=bearer(token)
        )
        assert answer.status_code == 422 and "colleague_hold_hours" in answer.get_json()["fields"]
    assert conference().setting("colleague_hold_hours") == 48  # the default, kept
    good = client.patch(
        "/api/v1/conference", json={"colleague_hold_hours": 12}, headers=bearer(token)
    )
    assert good.status_code == 200 and good.get_json()["colleague_hold_hours"] == 12
    db.session.rollback()
    before = utcnow()
    _invited()
    held = invitation_of("collega1@example.be").hold_expires_at
    assert before + timedelta(hours=11.9) < held < before + timedelta(hours=12.1)
