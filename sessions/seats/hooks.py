"""Reactions to registration and programme events, and what seats add to registration's pages.

Connected at app start by `sessions.setup` through `conference.hooks`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, select

from conference.extensions import db
from registration.models import Registration
from sessions.programme.models import Activity
from sessions.seats.models import Preference
from sessions.seats.preferences import drop_preferences, preferences_of
from sessions.seats.seating import release_for_registration
from sessions.seats.services import seat_summary
from sessions.seats.waitlist import cancel_for_registration, offer_free_seats


def on_registration_canceled(registration: Registration, *, session: Any, **_: Any) -> None:
    """Free every seat (promoting waiting lists), close waiting-list places, drop preferences."""
    release_for_registration(session, registration, reason="registration_canceled")
    cancel_for_registration(session, registration)
    drop_preferences(session, registration)


def on_registration_mode_changed(registration: Registration, *, session: Any, **_: Any) -> None:
    """Release what no longer fits the new mode (on-site activities for online people, ...)."""
    release_for_registration(session, registration, only_misfits=True, reason="mode_changed")
    cancel_for_registration(session, registration, only_misfits=True)
    drop_preferences(session, registration, only_misfits=True)


def on_capacity_raised(activity: Activity, *, session: Any, **_: Any) -> None:
    """New seats go to the people waiting first, as reserved offers."""
    offer_free_seats(session, activity)


def choice_facts(registration: Registration) -> dict[str, Any]:
    """For the person's next steps: whether they ranked any workshop in the preference round."""
    query = select(exists().where(Preference.registration_id == registration.id))
    return {"choices_made": bool(db.session.scalar(query))}


def personal_data(registration: Registration) -> dict[str, Any]:
    """Seats, waiting-list places and ranked choices, for the person's data export."""
    return {
        "seats": seat_summary(registration),
        "preferences": {str(b): ids for b, ids in preferences_of(registration.id).items()},
    }
