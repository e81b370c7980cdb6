"""The allocation end to end through the database: build, run, review, publish, mail."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from conference.clock import utcnow
from conference.errors import Conflict
from conference.extensions import db
from conference.models import User
from sessions.programme.models import Activity
from sessions.seats import services as seats
from sessions.seats.allocation.engine import Problem, validate
from sessions.seats.allocation.service import (
    build_problem,
    publish_run,
    run_allocation,
    run_options,
)
from sessions.seats.jobs import close_choice_window
from sessions.seats.models import AllocationRun, Preference, Seat, SeatBlock
from tests.factories import activity, attendees, conference, seated
from tests.helpers import assert_consistent, bearer, mails


def block_ids() -> tuple[int, int]:
    return seated("workshop")[0].blocks[0].id, seated("workshop", 1)[0].blocks[0].id


def in_block(block_id: int) -> list[Activity]:
    acts = db.session.scalars(
        select(Activity).where(Activity.kind.in_(("workshop", "visit"))).order_by(Activity.id)
    ).all()
    return [a for a in acts if block_id in {b.id for b in a.blocks}]


def rank(rows: list[tuple[int, int, list[int]]]) -> None:
    """Store rankings directly: (registration id, block id, activity ids best first)."""
    db.session.add_all(
        Preference(registration_id=r, block_id=b, activity_id=a, rank=k + 1)
        for r, b, ids in rows
        for k, a in enumerate(ids)
    )
    db.session.commit()


def close_window() -> None:
    db.session.rollback()  # a fresh snapshot: requests committed since this session last read
    conf = conference()
    conf.choice_closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()


def scenario(n: int = 60, seed: int = 1) -> dict:
    """n people ranking five per block; small capacities so choices compete; a popular walk."""
    b1, b2 = block_ids()
    walk = activity("bezoek-stadswandeling")
    for a in in_block(b1) + in_block(b2):
        a.capacity = 6 if a.id == walk.id else 5
    db.session.commit()
    people = attendees(n, "alloc")
    rng = random.Random(seed)
    rows = []
    for k, rid in enumerate(people):
        for b in (b1, b2):
            ids = [a.id for a in in_block(b)]
            rng.shuffle(ids)
            if k % 3 == 0:  # a third wants the long walk most
                ids = [walk.id] + [i for i in ids if i != walk.id]
            rows.append((rid, b, ids[:5]))
    rank(rows)
    return {"people": people, "walk": walk.id, "blocks": (b1, b2)}


def test_dry_run_respects_capacities_blocks_and_spanning(app):
    sc = scenario()
    conf = conference()
    run = run_allocation(conf, seed=11, dry_run=True)
    assert run.status == "dry_run"
    assert db.session.scalar(select(func.count()).select_from(Seat)) == 0  # nothing written
    caps = {a.id: a.capacity for a in db.session.scalars(select(Activity))}
    held = Counter()
    walkers = 0
    for _pid, mine in run.assignment.items():
        assert set(mine) <= {str(b) for b in sc["blocks"]}  # one seat per block
        for act in set(mine.values()):
            held[act] += 1
        if sc["walk"] in mine.values():
            walkers += 1
            assert list(mine.values()) == [sc["walk"], sc["walk"]]  # it takes both blocks
    assert walkers == caps[sc["walk"]]
    for act, n in held.items():
        assert n <= caps[act]
    built = build_problem(conf, run.options)
    assignment = {int(p): {int(b): a for b, a in m.items()} for p, m in run.assignment.items()}
    assert validate(built.problem, assignment) == []
    assert run.stats["overall"]["worst_rank"] <= 5
    assert (
        run.stats["baseline_fcfs"]["first_choice_share"]
        <= run.stats["overall"]["first_choice_share"] + 0.2
    )


def test_same_seed_same_result(app):
    scenario()
    conf = conference()
    a = run_allocation(conf, seed=5)
    b = run_allocation(conf, seed=5)
    c = run_allocation(conf, seed=6)
    assert a.assignment == b.assignment and a.objective == b.objective
    assert a.input_hash == c.input_hash
    assert {a.seed, c.seed} == {5, 6}


def test_registration_order_gives_no_advantage(app):
    """40 people all want the same 10-seat workshop first: the lottery, not speed, decides."""
    b1, _ = block_ids()
    small, big = in_block(b1)[:2]
    small.capacity, big.capacity = 10, 100
    db.session.commit()
    people = attendees(40, "order")
    rank([(rid, b1, [small.id, big.id]) for rid in people])
    conf = conference()
    early = set(people[:20])
    wins_early = wins_total = 0
    for seed in range(30):
        run = run_allocation(conf, seed=seed)
        winners = {int(p) for p, m in run.assignment.items() if small.id in m.values()}
        assert len(winners) == 10
        wins_early += len(winners & early)
        wins_total += len(winners)
    share = wins_early / wins_total
    assert 0.35 <= share <= 0.65, share
    # First come, first served would give the early half everything.
    assert run.stats["baseline_fcfs"]["first_choice_share"] == 0.25
    assert run.stats["overall"]["first_choice_share"] == 0.25


def test_profile_quotas(app):
    b1, _ = block_ids()
    small, big = in_block(b1)[:2]
    small.capacity, big.capacity = 4, 100
    db.session.commit()
    managers = attendees(10, "mgr", profile="manager")
    practitioners = attendees(2, "prac", profile="practitioner")
    rank([(rid, b1, [small.id, big.id]) for rid in managers + practitioners])
    conf = conference()
    for seed in range(5):
        run = run_allocation(conf, seed=seed, options={"profile_quotas": {"practitioner": 0.5}})
        got = {int(p) for p, m in run.assignment.items() if small.id in m.values()}
        assert set(practitioners) <= got and len(got) == 4
    assert run.options["profile_quotas"] == {"practitioner": 0.5}


def test_publish_writes_seats_and_mails_everyone(app):
    sc = scenario(40)
    conf = conference()
    run = run_allocation(conf, seed=3)
    with pytest.raises(Conflict) as exc:
        publish_run(run.id)
    assert exc.value.code == "closed"  # the window is still open: people may still change
    close_window()
    n = publish_run(run.id)
    db.session.rollback()
    seats = db.session.scalars(select(Seat)).all()
    assert n == len(seats) > 0
    assert {s.source for s in seats} == {"allocation"}
    expected = Counter(a for m in run.assignment.values() for a in set(m.values()))
    assert Counter(s.activity_id for s in seats) == expected
    for act_id in expected:
        assert_consistent(act_id)
    walk_seats = [s for s in seats if s.activity_id == sc["walk"]]
    assert walk_seats
    for s in walk_seats:
        assert (
            db.session.scalar(select(func.count()).select_from(SeatBlock).filter_by(seat_id=s.id))
            == 2
        )
    assert all(s.preference_rank in (1, 2, 3, 4, 5, None) for s in seats)
    result_mails = mails("allocation_result")
    assert len(result_mails) == 40 == len({m.to_address for m in result_mails})
    db.session.refresh(conf)
    assert conf.allocation_published_at is not None
    with pytest.raises(Conflict) as exc:
        publish_run(run.id)
    assert exc.value.code == "already_published"


def test_publish_refuses_a_stale_run(app):
    sc = scenario(20)
    conf = conference()
    run = run_allocation(conf, seed=3)
    _b1, _ = sc["blocks"]
    db.session.execute(
        Preference.__table__.delete().where(Preference.registration_id == sc["people"][0])
    )
    db.session.commit()
    close_window()
    with pytest.raises(Conflict) as exc:
        publish_run(run.id)
    assert exc.value.code == "stale"
    assert db.session.scalar(select(func.count()).select_from(Seat)) == 0


def test_fill_unranked_offers_a_seat_in_the_same_theme(app):
    b1, _ = block_ids()
    ws = [a for a in in_block(b1) if a.kind == "workshop"]
    target = ws[0]
    same_theme = [a for a in ws if a.theme_id == target.theme_id and a.id != target.id]
    assert same_theme
    for a in ws:
        a.capacity = 1 if a.id == target.id else 50
    db.session.commit()
    people = attendees(3, "fill")
    rank([(rid, b1, [target.id]) for rid in people])
    conf = conference()
    filled = run_allocation(conf, seed=1, options={"fill_unranked": True})
    assert len(filled.assignment) == 3
    themes = {
        db.session.get(Activity, a).theme_id for m in filled.assignment.values() for a in m.values()
    }
    assert themes == {target.theme_id}
    bare = run_allocation(conf, seed=1, options={"fill_unranked": False})
    assert len(bare.assignment) == 1 and bare.stats["overall"]["unassigned"] == 2


def test_api_run_and_roles(app, client, tokens):
    scenario(20)
    h = bearer(tokens["organiser"])
    r = client.post("/api/v1/allocation/run", json={"dry_run": True, "seed": 42}, headers=h)
    assert r.status_code == 200
    body = r.get_json()
    for key in ("assigned", "unassigned", "first_choice_share", "mean_rank", "worst_rank"):
        assert isinstance(body[key], int | float)
    assert body["published"] is False and body["seed"] == 42
    again = client.post("/api/v1/allocation/run", json={"dry_run": True, "seed": 42}, headers=h)
    assert again.get_json()["assigned"] == body["assigned"]
    r = client.post(
        "/api/v1/allocation/run", json={"dry_run": True}, headers=bearer(tokens["checkin"])
    )
    assert r.status_code == 403
    r = client.post("/api/v1/allocation/run", json={"dry_run": False}, headers=h)
    assert r.status_code == 409 and r.get_json()["error"] == "closed"
    r = client.post("/api/v1/allocation/run", json={"seed": -1}, headers=h)
    assert r.status_code == 422
    close_window()
    r = client.post("/api/v1/allocation/run", json={"dry_run": False, "seed": 1}, headers=h)
    assert r.status_code == 200 and r.get_json()["published"] is True
    r = client.post("/api/v1/allocation/run", json={"dry_run": False}, headers=h)
    assert r.status_code == 409 and r.get_json()["error"] == "already_published"


def test_cli_allocate(app):
    scenario(20)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["allocate", "--dry-run", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "seed 3" in result.output and "Dry run" in result.output
    result = runner.invoke(args=["allocate", "--seed", "3"])
    assert result.exit_code == 1  # the window is still open
    close_window()
    result = runner.invoke(args=["allocate", "--seed", "3"])
    assert result.exit_code == 0 and "Published" in result.output


def test_close_choice_window_job_runs_once(app):
    scenario(10)
    now = utcnow()
    assert close_choice_window(now)["ran"] is False  # still open
    close_window()
    first = close_choice_window(utcnow())
    assert first["ran"] is True and first["published"] is False
    assert close_choice_window(utcnow()) == {"ran": False, "reason": "already_ran"}
    db.session.rollback()
    runs = db.session.scalars(select(AllocationRun)).all()
    assert [r.trigger for r in runs] == ["window_closed"]


def test_review_pages(app, client, tokens):
    scenario(20)
    with client.session_transaction() as s:
        s["_user_id"] = db.session.scalar(
            select(User).filter_by(email="organiser@example.org")
        ).get_id()
        s["_fresh"] = True
    r = client.post("/beheer/verdeling", data={"seed": "9", "fill_unranked": "y"})
    assert r.status_code == 302
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Per profiel" in page and "Per activiteit" in page and "Wie eerst komt" in page
    assert "Publiceren kan pas na het einde van de keuzeronde" in page
    board = client.get("/beheer/capaciteit").get_data(as_text=True)
    assert "Plaatsen vrij" in board
    close_window()
    run_id = int(r.headers["Location"].rstrip("/").split("/")[-1])
    r = client.post(f"/beheer/verdeling/{run_id}/publiceren")
    assert r.status_code == 302
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Seat)) > 0


def test_problem_leaves_out_blocks_people_already_hold(app):
    sc = scenario(5)
    conf = conference()
    conf.allocation_mode = "fcfs"
    db.session.commit()
    _b1, b2 = sc["blocks"]
    person = sc["people"][1]
    seats.enroll(person, [a for a in in_block(b2) if len(a.blocks) == 1][-1].id)
    conf.allocation_mode = "preferences"
    db.session.commit()
    built = build_problem(conf, run_options(conf))
    me = next(a for a in built.problem.applicants if a.person_id == person)
    assert b2 not in me.ranking
    assert isinstance(built.problem, Problem)
