"""The preference round's allocation: run it on the database, store it for review, publish.

The engine is pure; `inputs` turns the database into its `Problem`. This module stores each run
with its seed and figures, and publishes one run as seats in a single transaction
(capacity-checked, one mail per person).
"""

from __future__ import annotations

import dataclasses
import secrets
import time
from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from conference import audit, hooks
from conference.clock import utcnow
from conference.db import write_transaction
from conference.errors import Invalid, NotFound
from conference.extensions import db
from conference.models import Conference
from registration.models import Registration
from sessions.programme.models import Activity
from sessions.seats.allocation.baselines import first_come_first_served
from sessions.seats.allocation.engine import Problem, Result, allocate_best, solve_exact
from sessions.seats.allocation.inputs import Built, build_problem, run_options
from sessions.seats.errors import AlreadyPublished, ChoiceStillOpen, StaleRun
from sessions.seats.mail import queue_seat_mail
from sessions.seats.models import AllocationRun, Seat, SeatBlock
from sessions.seats.preferences import choice_blocks
from sessions.seats.rules import lock_activities

MAX_SEED = 2**31 - 1
# Seconds HiGHS gets to prove the optimum before the fast path's result is used (setting
# `allocation_proof_seconds`; 2,500 people take about one second on two cores).
PROOF_SECONDS = 5.0
MAX_PROOF_SECONDS = 600.0


def proof_seconds(conf: Conference) -> float:
    """The conference's time limit for proving the optimum (a sane number, else the default)."""
    value = (conf.settings or {}).get("allocation_proof_seconds", PROOF_SECONDS)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return PROOF_SECONDS
    return min(max(float(value), 0.0), MAX_PROOF_SECONDS)


def _figures(stats: Any) -> dict[str, Any]:
    data = dataclasses.asdict(stats)
    data.pop("per_profile", None)
    return data


def stats_json(
    built: Built, result: Result, baseline: Result | None, time_limit: float | None = None
) -> dict[str, Any]:
    """Figures for the review screen: overall, per profile, per activity, and the FCFS baseline."""
    problem = built.problem
    demand: Counter[int] = Counter()
    first: Counter[int] = Counter()
    for a in problem.applicants:
        for ids in a.ranking.values():
            demand.update(set(ids))
            if ids:
                first[ids[0]] += 1
    assigned: Counter[int] = Counter()
    for mine in result.assignment.values():
        assigned.update(set(mine.values()))
    per_activity = []
    for o in problem.options:
        act = built.activities[o.activity_id]
        per_activity.append(
            {
                "activity_id": act.id,
                "title": act.title,
                "kind": act.kind,
                "block_ids": list(o.block_ids),
                "capacity": o.capacity,
                "assigned": assigned[act.id],
                "first_choice_demand": first[act.id],
                "demand": demand[act.id],
            }
        )
    return {
        "applicants": len(problem.applicants),
        "overall": _figures(result.stats),
        "per_profile": {k: _figures(v) for k, v in result.stats.per_profile.items()},
        "per_activity": per_activity,
        "baseline_fcfs": _figures(baseline.stats) if baseline is not None else None,
        "lower_bound": result.lower_bound,
        "proven_optimal": result.proven_optimal,
        "proof_time_limit": time_limit,
    }


def summary(run: AllocationRun) -> dict[str, Any]:
    """The API's answer for a run."""
    overall = (run.stats or {}).get("overall", {})
    return {
        "run_id": run.id,
        "seed": run.seed,
        "status": run.status,
        "published": run.status == "published",
        "method": run.method,
        "objective": run.objective,
        "proven_optimal": bool((run.stats or {}).get("proven_optimal")),
        "applicants": (run.stats or {}).get("applicants", 0),
        "assigned": overall.get("assigned", 0),
        "unassigned": overall.get("unassigned", 0),
        "first_choice_share": round(overall.get("first_choice_share", 0.0), 4),
        "top3_share": round(overall.get("top3_share", 0.0), 4),
        "none_of_choices_share": round(overall.get("none_of_choices_share", 0.0), 4),
        "mean_rank": round(overall.get("mean_rank", 0.0), 4),
        "worst_rank": overall.get("worst_rank", 0),
        "per_profile": {
            k: {
                "assigned": v["assigned"],
                "unassigned": v["unassigned"],
                "first_choice_share": round(v["first_choice_share"], 4),
                "mean_rank": round(v["mean_rank"], 4),
                "worst_rank": v["worst_rank"],
            }
            for k, v in (run.stats or {}).get("per_profile", {}).items()
        },
    }


def run_allocation(
    conf: Conference,
    *,
    seed: int | None = None,
    dry_run: bool = True,
    actor_id: int | None = None,
    trigger: str = "organiser",
    options: dict[str, Any] | None = None,
    exact: bool = False,
    time_limit: float | None = 30.0,
    auto_key: str | None = None,
    now: datetime | None = None,
) -> AllocationRun:
    """Run the allocation on the current data and store it; publish it unless `dry_run`.

    The proven optimum when HiGHS proves it within the conference's `proof_seconds`, else the
    fast path's result; `exact` gives HiGHS `time_limit` instead.
    """
    if seed is None:
        seed = secrets.randbelow(MAX_SEED)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise Invalid(fields={"seed": _l("geef een geheel getal van 0 tot 2147483647")})
    if not dry_run and conf.allocation_published_at is not None:
        raise AlreadyPublished()
    opts = run_options(conf, options)
    started = time.perf_counter()
    built = build_problem(conf, opts)
    if exact:
        result = solve_exact(built.problem, seed, time_limit=time_limit)
    else:
        time_limit = proof_seconds(conf)
        result = allocate_best(built.problem, seed, time_limit)
    # Registration order (the applicants' order) is what first come, first served would use.
    baseline = first_come_first_served(
        built.problem, [a.person_id for a in built.problem.applicants]
    )
    duration = int((time.perf_counter() - started) * 1000)
    db.session.rollback()  # end the read snapshot before writing
    with write_transaction(db.session) as session:
        run = AllocationRun(
            conference_id=conf.id,
            seed=seed,
            status="dry_run",
            trigger=trigger,
            auto_key=auto_key,
            method=result.method,
            objective=int(result.objective),
            options=opts,
            stats=stats_json(built, result, baseline, time_limit),
            assignment=_stored_assignment(result),
            input_hash=built.input_hash,
            duration_ms=duration,
            created_by_id=actor_id,
            created_at=now or utcnow(),
        )
        session.add(run)
    if not dry_run:
        publish_run(run.id, actor_id=actor_id, now=now)
        db.session.refresh(run)
    return run


def _stored_assignment(result: Result) -> dict[str, dict[str, int]]:
    """The assignment as JSON keys: person -> block -> activity, people with a seat only."""
    return {
        str(pid): {str(b): act for b, act in mine.items()}
        for pid, mine in result.assignment.items()
        if mine
    }


def latest_runs(conf: Conference, limit: int = 20) -> list[AllocationRun]:
    """The most recent runs, newest first."""
    return list(
        db.session.scalars(
            select(AllocationRun)
            .filter_by(conference_id=conf.id)
            .order_by(AllocationRun.id.desc())
            .limit(limit)
        )
    )


def get_run(conf: Conference, run_id: int) -> AllocationRun:
    """One run of this conference, or 404."""
    run = db.session.get(AllocationRun, run_id)
    if run is None or run.conference_id != conf.id:
        raise NotFound()
    return run


def publish_run(run_id: int, *, actor_id: int | None = None, now: datetime | None = None) -> int:
    """Turn a reviewed run into seats and mail everyone; the number of seats written.

    Refused while the choice window is open, after an earlier publication, or when anything the
    run depended on changed since (then run it again).
    """
    now = now or utcnow()
    with write_transaction(db.session) as session:
        run = session.get(AllocationRun, run_id)
        if run is None:
            raise NotFound()
        conf = session.get(Conference, run.conference_id)
        if conf.allocation_published_at is not None or run.status == "published":
            raise AlreadyPublished()
        if conf.choice_open(now):
            raise ChoiceStillOpen()
        built = build_problem(conf, run.options or {}, session)
        if built.input_hash != run.input_hash:
            raise StaleRun()
        per_person: dict[int, set[int]] = {
            int(pid): set(mine.values()) for pid, mine in (run.assignment or {}).items()
        }
        _count_seats(session, Counter(a for acts in per_person.values() for a in acts))
        seats = _write_seats(session, built, per_person, now)
        run.status, run.published_at = "published", now
        conf.allocation_published_at = now
        session.flush()
        audit.record(
            session, actor=actor_id, action="allocation.publish", target_type="allocation_run",
            target_id=run.id, after={"seed": run.seed, "seats": len(seats)},
        )  # fmt: skip
        _mail_results(session, conf, run, built)
        return len(seats)


def _count_seats(session: Session, counts: Counter[int]) -> None:
    """Add each activity's new seats to its counter, all or none within capacity."""
    lock_activities(session, list(counts))
    for act_id, n in sorted(counts.items()):
        done = session.execute(
            update(Activity)
            .where(
                Activity.id == act_id,
                or_(Activity.capacity.is_(None), Activity.taken + n <= Activity.capacity),
            )
            .values(taken=Activity.taken + n)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not done:
            raise StaleRun()


def _write_seats(
    session: Session, built: Built, per_person: dict[int, set[int]], now: datetime
) -> list[Seat]:
    """The run's seats with their blocks; a seat someone took meanwhile makes the run stale."""
    ranks = _ranks(built.problem)
    seats = [
        Seat(
            registration_id=pid,
            activity_id=act_id,
            source="allocation",
            preference_rank=ranks.get((pid, act_id)),
            created_at=now,
        )
        for pid, acts in sorted(per_person.items())
        for act_id in sorted(acts)
    ]
    try:
        with session.begin_nested():
            session.add_all(seats)
            session.flush()
            session.add_all(
                SeatBlock(seat_id=s.id, block_id=b.id, registration_id=s.registration_id)
                for s in seats
                for b in built.activities[s.activity_id].blocks
            )
            session.flush()
    except IntegrityError:
        raise StaleRun() from None
    return seats


def _ranks(problem: Problem) -> dict[tuple[int, int], int]:
    """(person, activity) -> the best rank the person gave it."""
    ranks: dict[tuple[int, int], int] = {}
    for a in problem.applicants:
        for ids in a.ranking.values():
            for k, act in enumerate(ids):
                key = (a.person_id, act)
                ranks[key] = min(ranks.get(key, k + 1), k + 1)
    return ranks


def _mail_results(session: Session, conf: Conference, run: AllocationRun, built: Built) -> None:
    """One mail per registered person: their seats per block, or no seat and what to do."""
    blocks = choice_blocks(conf)
    acts = {
        a.id: a
        for a in session.scalars(
            select(Activity)
            .where(Activity.conference_id == conf.id)
            .options(selectinload(Activity.blocks))
        )
    }
    held: dict[int, dict[int, Activity]] = defaultdict(dict)
    for reg_id, block_id, act_id in session.execute(
        select(SeatBlock.registration_id, SeatBlock.block_id, Seat.activity_id)
        .join(Seat, Seat.id == SeatBlock.seat_id)
        .join(Registration, Registration.id == SeatBlock.registration_id)
        .where(Registration.conference_id == conf.id)
    ):
        held[reg_id][block_id] = acts[act_id]
    ranked = {a.person_id for a in built.problem.applicants}
    for reg in built.registrations.values():
        rows = [(b, held[reg.id].get(b.id)) for b in blocks]
        queue_seat_mail(
            session,
            reg,
            "allocation_result",
            rows=rows,
            ranked=reg.id in ranked,
            any_seat=any(a is not None for _, a in rows),
            dedupe_key=f"allocation-result:{run.id}:{reg.id}",
            attachments=hooks.gather(hooks.calendar_attachments, reg.id),
        )
