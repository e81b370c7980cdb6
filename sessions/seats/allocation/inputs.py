"""The allocation's input: a run's options, and the database turned into a `Problem`.

Seats people already hold stay: their blocks are left out of that person's rankings, and each
activity offers only its free seats. The input hash tells a publication whether anything the
run depended on changed since.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from conference.errors import Invalid
from conference.extensions import db
from conference.models import Conference
from conference.services import profile_quota_error
from registration.models import Registration
from sessions.programme.models import Activity
from sessions.seats.allocation.engine import Applicant, Option, Problem
from sessions.seats.models import Preference, SeatBlock
from sessions.seats.preferences import choice_blocks

ALLOCATED_KINDS = ("workshop", "online_workshop", "visit")


@dataclass
class Built:
    """A problem built from the database, with what the review screen needs to explain it."""

    problem: Problem
    activities: dict[int, Activity]
    registrations: dict[int, Registration]
    input_hash: str


def run_options(conf: Conference, data: dict[str, Any] | None = None) -> dict[str, Any]:
    """The run's options: fill_unranked (default on) and profile quotas (share per activity)."""
    data = data or {}
    settings = conf.settings or {}
    fill = data.get("fill_unranked", settings.get("allocation_fill_unranked", True))
    quotas = data.get("profile_quotas", settings.get("seat_profile_quotas", {}))
    errors: dict[str, Any] = {}
    if not isinstance(fill, bool):
        errors["fill_unranked"] = _l("geef true of false")
    if (error := profile_quota_error(quotas)) is not None:
        errors["profile_quotas"] = error
    if errors:
        raise Invalid(fields=errors)
    return {"fill_unranked": fill, "profile_quotas": {k: float(v) for k, v in quotas.items() if v}}


def build_problem(
    conf: Conference, options: dict[str, Any], session: Session | None = None
) -> Built:
    """Turn registrations, rankings and free seats into an allocation `Problem`.

    Applicants are in registration order; the engine shuffles them with the seed, so that
    order gives no advantage.
    """
    session = session or db.session
    blocks = [b.id for b in choice_blocks(conf)]
    acts = _activities(session, conf, blocks)
    opts = [_option(a, blocks, options.get("profile_quotas") or {}) for a in acts.values()]
    regs = {
        r.id: r
        for r in session.scalars(
            select(Registration)
            .where(Registration.conference_id == conf.id, Registration.status == "registered")
            .order_by(Registration.id)
        )
    }
    rankings = _rankings(session, conf, acts, regs, blocks)
    applicants = [
        Applicant(reg_id, regs[reg_id].profile, {b: list(ids) for b, ids in ranking.items()})
        for reg_id, ranking in sorted(rankings.items())
    ]
    problem = Problem(
        options=opts,
        applicants=applicants,
        blocks=blocks,
        fill_unranked=bool(options.get("fill_unranked")),
    )
    return Built(problem, acts, regs, _input_hash(problem))


def _activities(session: Session, conf: Conference, blocks: list[int]) -> dict[int, Activity]:
    """The published workshops and visits held in a choice block, by id."""
    return {
        a.id: a
        for a in session.scalars(
            select(Activity)
            .where(
                Activity.conference_id == conf.id,
                Activity.published.is_(True),
                Activity.kind.in_(ALLOCATED_KINDS),
            )
            .options(selectinload(Activity.blocks))
            .order_by(Activity.id)
        )
        if any(b.id in blocks for b in a.blocks)
    }


def _option(act: Activity, blocks: list[int], quotas: dict[str, float]) -> Option:
    """The activity's free seats in the choice blocks, a share of them reserved per profile."""
    free = None if act.capacity is None else max(act.capacity - act.taken, 0)
    reserved = {p: int(share * free) for p, share in quotas.items()} if free else {}
    return Option(
        activity_id=act.id,
        block_ids=tuple(b.id for b in act.blocks if b.id in blocks),
        capacity=free,
        theme_id=act.theme_id,
        quotas={p: n for p, n in reserved.items() if n > 0},
    )


def _rankings(
    session: Session,
    conf: Conference,
    acts: dict[int, Activity],
    regs: dict[int, Registration],
    blocks: list[int],
) -> dict[int, dict[int, list[int]]]:
    """registration -> block -> ranked activity ids, without what the person cannot take."""
    busy: dict[int, set[int]] = defaultdict(set)  # registration -> blocks already seated
    for reg_id, block_id in session.execute(
        select(SeatBlock.registration_id, SeatBlock.block_id)
        .join(Registration, Registration.id == SeatBlock.registration_id)
        .where(Registration.conference_id == conf.id)
    ):
        busy[reg_id].add(block_id)
    rankings: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    act_blocks = {a.id: {b.id for b in a.blocks} for a in acts.values()}
    onsite_only = {a.id for a in acts.values() if a.mode == "onsite"}
    in_blocks = set(blocks)
    # Plain rows, not ORM objects: tens of thousands of rankings at a real conference.
    for reg_id, block_id, act_id in session.execute(
        select(Preference.registration_id, Preference.block_id, Preference.activity_id)
        .join(Registration, Registration.id == Preference.registration_id)
        .where(Registration.conference_id == conf.id, Registration.status == "registered")
        .order_by(Preference.registration_id, Preference.block_id, Preference.rank)
    ):
        if (
            act_id not in act_blocks
            or block_id not in in_blocks
            or (act_id in onsite_only and regs[reg_id].mode != "onsite")
            or (reg_id in busy and (block_id in busy[reg_id] or busy[reg_id] & act_blocks[act_id]))
        ):
            continue
        rankings[reg_id][block_id].append(act_id)
    return rankings


def _input_hash(problem: Problem) -> str:
    """A digest of everything the run depends on: blocks, free seats, rankings, options."""
    data = {
        "blocks": problem.blocks,
        "options": [
            (o.activity_id, o.block_ids, o.capacity, o.theme_id, o.quotas) for o in problem.options
        ],
        "applicants": [
            (a.person_id, a.profile, sorted(a.ranking.items())) for a in problem.applicants
        ],
        "fill": problem.fill_unranked,
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=list).encode()).hexdigest()
