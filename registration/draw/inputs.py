"""What a draw is made of, read from the database, and the figures it comes to.

The draw runs on published-form data: organisation keys are replaced by short labels keyed
with the seed, so the public page can show every input without organisation names, and a
re-run from that page is the very computation that decided.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from conference.models import PROFILES, Conference
from registration.draw.caps import merges
from registration.draw.lottery import Applicant, DrawInput, DrawResult, quota_places
from registration.draw.names import organisation_key
from registration.models import Registration
from registration.venue import quotas_active


def organisation_label(seed: int, key: str) -> str:
    """A short public label for an organisation key (the same key gives the same label)."""
    return hashlib.sha256(f"{seed}:org:{key}".encode()).hexdigest()[:10]


def applications(session: Session, conference_id: int) -> list[Registration]:
    """The applications waiting for the draw, oldest first."""
    return list(
        session.scalars(
            select(Registration)
            .where(Registration.conference_id == conference_id, Registration.status == "applied")
            .order_by(Registration.id)
        )
    )


def held_places(session: Session, conf: Conference) -> list[tuple[str, str | None]]:
    """(profile, organisation) of each registration already holding a place."""
    return list(
        session.execute(
            select(Registration.profile, Registration.organisation).where(
                Registration.conference_id == conf.id, Registration.holds_venue_place
            )
        ).all()
    )


def draw_input(
    session: Session, conf: Conference, people: list[Registration], seed: int, now: datetime
) -> tuple[DrawInput, dict[str, str]]:
    """The draw's input for `people`, and each applicant's organisation key (for the figures)."""
    named = merges(session, conf.id)
    keys = {str(r.id): organisation_key(r.organisation, named) for r in people}
    held = held_places(session, conf)
    shares = conf.profile_quotas if quotas_active(conf, now) else {}
    held_per_profile = Counter(profile for profile, _ in held)
    quotas = {
        p: max(n - held_per_profile[p], 0)
        for p, n in quota_places(shares, conf.onsite_capacity).items()
    }
    taken: Counter = Counter()
    for _, organisation in held:
        if (key := organisation_key(organisation, named)) is not None:
            taken[organisation_label(seed, key)] += 1
    applicants = tuple(
        Applicant(
            r.id, r.profile, organisation_label(seed, keys[str(r.id)]) if keys[str(r.id)] else None
        )
        for r in people
    )
    inp = DrawInput(
        seed=seed,
        places=max(conf.onsite_capacity - conf.onsite_taken, 0),
        applicants=applicants,
        quotas={p: n for p, n in quotas.items() if n > 0},
        organisation_cap=conf.organisation_cap,
        taken_per_organisation=dict(taken),
    )
    return inp, keys


def figures(inp: DrawInput, result: DrawResult, keys: dict[str, str | None]) -> dict[str, Any]:
    """The draw's figures, as the API answers them (plus the largest organisations)."""
    drawn = set(result.drawn)
    per_profile = {p: {"applicants": 0, "registered": 0} for p in PROFILES}
    for person in inp.applicants:
        per_profile[person.profile]["applicants"] += 1
        per_profile[person.profile]["registered"] += person.number in drawn
    orgs = Counter(keys[str(n)] for n in result.drawn if keys.get(str(n)))
    applied_orgs = Counter(k for k in keys.values() if k)
    return {
        "applicants": len(inp.applicants),
        "registered": len(result.drawn),
        "waitlisted": len(result.waitlist),
        "per_profile": {p: v for p, v in per_profile.items() if v["applicants"]},
        "max_per_organisation": max(orgs.values(), default=0),
        "organisations": [
            {"name": key, "applicants": n, "registered": orgs.get(key, 0)}
            for key, n in applied_orgs.most_common(10)
        ],
    }


def waiting_count(session: Session, conference_id: int) -> int:
    """How many applications wait for the draw."""
    return int(
        session.scalar(
            select(func.count()).where(
                Registration.conference_id == conference_id, Registration.status == "applied"
            )
        )
        or 0
    )
