"""Shared steps of the networking tests: the default slots, visible people, their tokens.

The demo conference lies in the future, so every networking moment is open.
"""

from __future__ import annotations

from conference.extensions import db
from registration.models import Registration
from streaming.networking import profiles, slots
from streaming.networking.models import NetworkSlot
from tests.factories import attendee, conference, fresh, token_for
from tests.helpers import bearer


def default_slots() -> list[NetworkSlot]:
    """Lunch and the reception as slots (the 2022 defaults), in time order."""
    conf = conference()
    slots.add_default_slots(conf)
    fresh()
    return slots.slots(conf)


def person(visible: bool = True, mode: str = "onsite", **fields) -> Registration:
    """An attendee with an organisation, visible in the directory or not."""
    reg = attendee(mode, **fields)
    reg.organisation = f"Organisatie {reg.id}"
    db.session.commit()
    if visible:
        profiles.save_profile(reg, {"visible": True, "sector": "jeugdhulp", "region": "Gent"})
    fresh()
    return db.session.get(Registration, reg.id)


def auth(reg: Registration) -> dict[str, str]:
    """The bearer header of the person's own account."""
    return bearer(token_for(reg))
