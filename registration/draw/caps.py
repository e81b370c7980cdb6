"""The organisation cap beyond the draw: how many places each organisation holds.

Organisation names are compared by their key (`names.organisation_key`: normalised, then the
organisers' merges). The waiting list's offers use this after the draw: a person whose
organisation already holds `organisation_cap` places is passed over and keeps their turn.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from conference.models import Conference
from registration.draw.models import OrganisationMerge
from registration.draw.names import organisation_key
from registration.models import Registration


def merges(session: Session, conference_id: int) -> dict[str, str]:
    """The organisers' merges: alias key -> canonical key."""
    return dict(
        session.execute(
            select(OrganisationMerge.alias, OrganisationMerge.canonical).where(
                OrganisationMerge.conference_id == conference_id
            )
        ).all()
    )


class OrganisationPlaces:
    """Places held per organisation key, against the cap; `add` as offers are made."""

    def __init__(self, cap: int, named: dict[str, str], held: Counter) -> None:
        self.cap, self.named, self.held = cap, named, held

    def full(self, organisation: str | None) -> bool:
        """Whether a person of `organisation` would take it above the cap."""
        key = organisation_key(organisation, self.named)
        return key is not None and self.held[key] >= self.cap

    def add(self, organisation: str | None) -> None:
        """Count one more place for `organisation`."""
        if (key := organisation_key(organisation, self.named)) is not None:
            self.held[key] += 1


def organisation_places(session: Session, conf: Conference) -> OrganisationPlaces | None:
    """The places per organisation when a cap holds (draw mode with a cap), else None.

    The caller holds the conference's row lock: every place is taken or given back under it,
    so the count stays exact until its COMMIT.
    """
    if conf.venue_mode != "draw" or not conf.organisation_cap:
        return None
    named = merges(session, conf.id)
    organisations = session.scalars(
        select(Registration.organisation).where(
            Registration.conference_id == conf.id, Registration.holds_venue_place.is_(True)
        )
    )
    held = Counter(
        key for name in organisations if (key := organisation_key(name, named)) is not None
    )
    return OrganisationPlaces(conf.organisation_cap, named, held)
