"""Reactions to registration and programme events (connected at app start)."""

from __future__ import annotations

from typing import Any

from registration.models import Registration
from registration.signals import registration_canceled, registration_mode_changed
from sessions.programme.models import Activity
from sessions.programme.signals import activity_capacity_raised
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


def connect() -> None:
    """Subscribe to the signals (idempotent: blinker keeps one connection per receiver)."""
    registration_canceled.connect(on_registration_canceled)
    registration_mode_changed.connect(on_registration_mode_changed)
    activity_capacity_raised.connect(on_capacity_raised)


def register_seat_summary() -> bool:
    """Let `GET /api/v1/me` list seats, when the registration package offers its registry."""
    try:
        from registration.services import seat_summary_providers
    except ImportError:
        return False
    if seat_summary not in seat_summary_providers:
        seat_summary_providers.append(seat_summary)
    try:
        from registration.services import personal_data_providers
    except ImportError:
        return True
    if personal_data not in personal_data_providers:
        personal_data_providers.append(personal_data)
    return True


def personal_data(registration: Registration) -> dict[str, Any]:
    """Seats, waiting-list places and ranked choices, for the person's data export."""
    return {
        "seats": seat_summary(registration),
        "preferences": {str(b): ids for b, ids in preferences_of(registration.id).items()},
    }
