"""The allocation through the database: build the problem, run, store, publish, mail.

`bench_allocation` measures the pure engine; this measures what an organiser waits for on the
review screen and when publishing, on an SQLite file with the 2022 demo programme and 2,500
on-site attendees ranking five activities per block (Zipf-skewed, seats ~0.8 per attendee per
block). Baseline: the engine's own `allocate()` time on the same problem, in the same run.

Run: `python -m bench.bench_allocation_db [--quick]`.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

SEED = 2022


def _setup(n: int, workdir: Path):
    """An app on a fresh SQLite file with the demo programme, n registrations and rankings."""
    from sqlalchemy import select

    from conference.clock import utcnow
    from conference.extensions import db
    from conference.models import Conference, User
    from registration.models import Registration
    from sessions.programme.loader import load_programme_file
    from sessions.seats.models import Preference
    from sessions.seats.preferences import choice_blocks, options_for
    from tests.support.apps import PROGRAMME, make_app

    app = make_app(f"sqlite:///{workdir / 'bench.sqlite3'}")
    ctx = app.app_context()
    ctx.push()
    db.create_all()
    load_programme_file(PROGRAMME, demo=True)
    conf = db.session.scalar(select(Conference))
    rng = np.random.default_rng(SEED)
    profiles = rng.choice(
        ["practitioner", "manager", "student", "volunteer", "experience_expert"],
        size=n,
        p=[0.6, 0.15, 0.1, 0.1, 0.05],
    )
    now = utcnow()
    regs = [
        Registration(
            conference_id=conf.id,
            user=User(email=f"b{k}@example.org", role="attendee"),
            email=f"b{k}@example.org",
            first_name=f"B{k}",
            last_name="Bench",
            profile=str(profiles[k]),
            mode="onsite",
            status="registered",
            consent_at=now,
        )
        for k in range(n)
    ]
    db.session.add_all(regs)
    db.session.commit()
    rows = []
    for block in choice_blocks(conf):
        acts = [a for a in options_for(regs[0], block) if a.kind != "online_workshop"]
        total = sum(a.capacity or 0 for a in acts)
        for a in acts:  # seats ~0.8 per attendee per block
            a.capacity = max(1, round((a.capacity or 0) * 0.8 * n / total))
        score = np.log([a.capacity for a in acts]) + rng.normal(0, 1.0, len(acts))
        weight = np.empty(len(acts))
        weight[np.argsort(-score)] = 1.0 / np.arange(1, len(acts) + 1)
        keys = np.log(weight) + rng.gumbel(size=(n, len(acts)))
        top = np.argsort(-keys, axis=1)[:, :5]
        ids = np.array([a.id for a in acts])
        for reg, choice in zip(regs, ids[top].tolist(), strict=True):
            rows += [
                {"registration_id": reg.id, "block_id": block.id, "activity_id": a, "rank": r + 1}
                for r, a in enumerate(choice)
            ]
    db.session.execute(Preference.__table__.insert(), rows)
    db.session.commit()
    return app, ctx, conf.id


def bench(n: int) -> list[dict]:
    """Time build, allocate, store and publish for n attendees."""
    from datetime import timedelta

    from conference.clock import utcnow
    from conference.extensions import db
    from conference.models import Conference
    from sessions.seats.allocation.engine import allocate
    from sessions.seats.allocation.service import (
        build_problem,
        publish_run,
        run_allocation,
        run_options,
    )

    workdir = Path(tempfile.mkdtemp(prefix="bench-alloc-db-"))
    try:
        _app, ctx, conf_id = _setup(n, workdir)
        conf = db.session.get(Conference, conf_id)
        t0 = time.perf_counter()
        built = build_problem(conf, run_options(conf))
        build_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        allocate(built.problem, SEED)
        engine_s = time.perf_counter() - t0
        db.session.rollback()
        t0 = time.perf_counter()
        run = run_allocation(conf, seed=SEED, dry_run=True)
        run_s = time.perf_counter() - t0
        conf = db.session.get(Conference, conf_id)
        conf.choice_closes_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
        t0 = time.perf_counter()
        seats = publish_run(run.id)
        publish_s = time.perf_counter() - t0
        first = run.stats["overall"]["first_choice_share"]
        fcfs_first = run.stats["baseline_fcfs"]["first_choice_share"]
        db.session.remove()
        db.engine.dispose()
        ctx.pop()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    name = f"allocation through SQLite ({n:,} attendees)"

    def row(metric, value, unit, baseline):
        ratio = round(value / baseline, 2) if baseline else None
        return {"benchmark": name, "metric": metric, "value": round(value, 3), "unit": unit,
                "baseline": round(baseline, 3), "ratio": ratio}  # fmt: skip

    print(
        f"\n## {name}\n\n| step | time |\n| --- | ---: |\n"
        f"| build the problem from the database | {build_s:.2f} s |\n"
        f"| allocate() alone (baseline) | {engine_s:.2f} s |\n"
        f"| dry run: build + allocate + FCFS comparison + store | {run_s:.2f} s |\n"
        f"| publish: {seats:,} seats + {n:,} mails queued, one transaction | {publish_s:.2f} s |\n"
        f"\nfirst choice {first:.1%} (first come, first served on the same data: {fcfs_first:.1%})"
    )
    return [
        row("build problem from database", build_s, "s", engine_s),
        row("dry run (build, allocate, compare, store)", run_s, "s", engine_s),
        row("publish (seats + one mail per person)", publish_s, "s", engine_s),
        {"benchmark": name, "metric": "first-choice share (vs FCFS)", "value": round(first, 3),
         "unit": "", "baseline": round(fcfs_first, 3),
         "ratio": round(first / fcfs_first, 2) if fcfs_first else None},
    ]  # fmt: skip


def run(quick: bool = False) -> list[dict]:
    """Rows for `python -m bench`."""
    return bench(500 if quick else 2500)


def main() -> None:
    """Parse the options and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="500 attendees instead of 2,500")
    parser.add_argument("--attendees", type=int, default=None)
    args = parser.parse_args()
    rows = bench(args.attendees or (500 if args.quick else 2500))
    print("\n| metric | value | unit | baseline | ratio |\n| --- | ---: | --- | ---: | ---: |")
    for r in rows:
        print(f"| {r['metric']} | {r['value']} | {r['unit']} | {r['baseline']} | {r['ratio']} |")


if __name__ == "__main__":
    main()
