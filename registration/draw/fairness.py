"""Fairness figures for the dashboard: who wants a place on site and who gets one.

"Wanting a place": an active on-site registration (applied, with a place, or waiting) or an
online one waiting for a place. Organisations count under their normalised key (with the
organisers' merges), as the draw counts them.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from conference.admin import PROFILE_LABELS
from conference.models import PROFILES, Conference
from registration.draw.inputs import merges
from registration.draw.names import organisation_key
from registration.models import NOT_ATTENDING, Registration

QUARTERS = 4


def _wanting(session: Session, conf: Conference) -> list[Any]:
    return list(
        session.execute(
            select(
                Registration.profile, Registration.organisation,
                Registration.holds_venue_place, Registration.created_at,
            )
            .where(
                Registration.conference_id == conf.id,
                Registration.status.not_in(NOT_ATTENDING),
                or_(Registration.mode == "onsite", Registration.venue_waitlisted_at.is_not(None)),
            )
            .order_by(Registration.created_at, Registration.id)
        ).all()
    )  # fmt: skip


def _by_quarter(rows: list[Any]) -> list[dict[str, Any]]:
    """Practitioners' share of the requests and of the places, per quarter of arrival."""
    quarters = []
    for q in range(QUARTERS):
        part = rows[q * len(rows) // QUARTERS : (q + 1) * len(rows) // QUARTERS]
        placed = [r for r in part if r.holds_venue_place]
        practitioners = sum(r.profile == "practitioner" for r in part)
        quarters.append({
            "quarter": q + 1,
            "requests": len(part),
            "practitioner_share": practitioners / len(part) if part else 0.0,
            "place_chance": len(placed) / len(part) if part else 0.0,
            "practitioner_places": (
                sum(r.profile == "practitioner" for r in placed) / len(placed) if placed else 0.0
            ),
        })  # fmt: skip
    return quarters


def fairness_figures(session: Session, conf: Conference) -> dict[str, Any]:
    """Requests against places per profile, the ten largest organisations, and (fcfs) time."""
    rows = _wanting(session, conf)
    named = merges(session, conf.id)
    requests, places = Counter(r.profile for r in rows), Counter()
    org_requests, org_places = Counter(), Counter()
    for r in rows:
        key = organisation_key(r.organisation, named)
        if key:
            org_requests[key] += 1
        if r.holds_venue_place:
            places[r.profile] += 1
            if key:
                org_places[key] += 1
    total_places = sum(places.values())
    return {
        "mode": conf.venue_mode,
        "profiles": [
            {"label": str(PROFILE_LABELS[p]), "requests": requests[p], "places": places[p]}
            for p in PROFILES
            if requests[p]
        ],
        "organisations": [
            {
                "name": key,
                "requests": n,
                "places": org_places[key],
                "place_share": org_places[key] / total_places if total_places else 0.0,
            }
            for key, n in org_requests.most_common(10)
        ],
        "quarters": _by_quarter(rows) if conf.venue_mode == "fcfs" and rows else [],
    }
