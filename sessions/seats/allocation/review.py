"""The organisers' review of an allocation run: who got nothing in a block they ranked."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from conference.extensions import db
from registration.models import Registration
from sessions.programme.models import Block
from sessions.seats.models import AllocationRun, Preference, SeatBlock


@dataclass
class LeftOut:
    """A person who ranked activities in some blocks and has no seat there after the run."""

    registration: Registration
    blocks: list[Block] = field(default_factory=list)


def left_out(run: AllocationRun) -> list[LeftOut]:
    """People who ranked in a block and have no seat in it: by this run or one they held.

    For a published run the seats are written, so a seat of the run counts as held; for a dry
    run the run's own assignment counts. Sorted by name, as the organisers look people up.
    """
    ranked: dict[int, set[int]] = defaultdict(set)
    for reg_id, block_id in db.session.execute(
        select(Preference.registration_id, Preference.block_id)
        .join(Registration, Registration.id == Preference.registration_id)
        .where(Registration.conference_id == run.conference_id, Registration.status == "registered")
        .distinct()
    ):
        ranked[reg_id].add(block_id)
    if not ranked:
        return []
    held: dict[int, set[int]] = defaultdict(set)
    for reg_id, block_id in db.session.execute(
        select(SeatBlock.registration_id, SeatBlock.block_id).where(
            SeatBlock.registration_id.in_(list(ranked))
        )
    ):
        held[reg_id].add(block_id)
    for reg_id, mine in (run.assignment or {}).items():
        held[int(reg_id)].update(int(b) for b in mine)
    missing = {r: blocks - held[r] for r, blocks in ranked.items() if blocks - held[r]}
    if not missing:
        return []
    blocks = {b.id: b for b in db.session.scalars(select(Block))}
    people = db.session.scalars(
        select(Registration)
        .where(Registration.id.in_(list(missing)))
        .order_by(Registration.last_name, Registration.first_name, Registration.id)
    )
    return [
        LeftOut(reg, sorted((blocks[b] for b in missing[reg.id]), key=lambda b: b.starts_at))
        for reg in people
    ]
