"""Registration rush: 32 concurrent clients register through the API on gunicorn + PostgreSQL.

Run from the repository root: `python -m bench.bench_registration [--quick]`. The venue cap is
smaller than the demand, so most of the rush ends on the waiting list, as in 2018. The run
checks that nothing was oversold (places held never exceed the cap, and the counter equals the
rows). The baseline, measured in the same run with the same driver and gunicorn settings, is a
bare Flask endpoint that does one INSERT into the same database.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import time
from collections import Counter

import sqlalchemy as sa

from bench.common import (
    ROOT,
    LoadResult,
    ServerSettings,
    app_env,
    create_baseline_table,
    drive,
    fresh_database,
    gunicorn,
    live_env,
    merge,
    print_rows,
    reference_rows,
    sqlite_database,
)

CLIENTS = 32
ROUNDS = 4  # the baseline and the app take turns, a quarter of the requests each time
PROFILES = ("practitioner", "manager", "student", "volunteer", "experience_expert", "policy")
SETTINGS = ServerSettings(workers=4, worker_class="sync")


def prepare(database_url: str, capacity: int) -> None:
    """Schema, the demo programme (registration open now) and the venue cap."""
    os.environ.setdefault("APP_ENV", "development")
    from conference import create_app
    from conference.extensions import db
    from conference.models import Conference
    from sessions.programme.loader import load_programme_file

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": False})
    with app.app_context():
        db.create_all()
        load_programme_file(
            ROOT / "sessions" / "data" / "sociaalwerkconferentie-2022.yaml", demo=True
        )
        conf = db.session.scalar(sa.select(Conference))
        conf.onsite_capacity = capacity
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    create_baseline_table(database_url)


def body(i: int, prefix: str, mode: str | None = None) -> dict:
    """A registration: mostly on site, one in ten online, profiles mixed."""
    return {
        "email": f"{prefix}{i}@example.be",
        "first_name": "Bench",
        "last_name": f"Deelnemer {i}",
        "organisation": "CAW Antwerpen",
        "profile": PROFILES[i % len(PROFILES)],
        "sector": "Algemeen welzijnswerk",
        "mode": mode or ("online" if i % 10 == 9 else "onsite"),
        "consent": True,
        "language": "nl" if i % 4 else "en",
    }


def check(database_url: str) -> dict:
    """What the database holds after the rush."""
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        cap, taken = conn.execute(
            sa.text("SELECT onsite_capacity, onsite_taken FROM conferences")
        ).one()
        held = conn.scalar(sa.text("SELECT count(*) FROM registrations WHERE holds_venue_place"))
        by_state = Counter(
            dict(
                conn.execute(
                    sa.text(
                        "SELECT status || '/' || mode, count(*) FROM registrations "
                        "GROUP BY status, mode"
                    )
                ).all()
            )
        )
        mails = conn.scalar(sa.text("SELECT count(*) FROM mail_outbox"))
        regs = conn.scalar(sa.text("SELECT count(*) FROM registrations"))
        tickets = conn.scalar(sa.text("SELECT count(*) FROM tickets WHERE status = 'active'"))
    engine.dispose()
    return {
        "capacity": cap,
        "taken": taken,
        "held": held,
        "by_state": by_state,
        "mails": mails,
        "registrations": regs,
        "tickets": tickets,
    }


def bench(
    total: int,
    capacity: int,
    settings: ServerSettings = SETTINGS,
    round_limit: float = 8.0,
    database: str = "postgresql",
) -> list[dict]:
    """One rush of `total` registrations against a cap of `capacity`, and the baseline.

    Each of the rounds stops after `round_limit` seconds, so a slow machine ends in time (the
    rates stay right; fewer requests are sent).
    """
    label = "PostgreSQL" if database == "postgresql" else "SQLite (embedded)"
    name = (
        f"registration rush ({total:,} registrations, cap {capacity:,}, {CLIENTS} clients, "
        f"gunicorn {settings.describe()} + {label})"
    )
    print(f"# {name}", flush=True)
    warmup = 8 * settings.workers
    chunk = -(-total // ROUNDS)
    database_of = fresh_database if database == "postgresql" else sqlite_database
    with database_of("registration") as url:
        prepare(url, capacity)
        env = app_env(url, **live_env("registration"))
        base_parts: list[LoadResult] = []
        phys_parts: list[LoadResult] = []
        rush_parts: list[LoadResult] = []
        physical = database == "postgresql"  # the reference speaks psycopg, not sqlite3
        with (
            gunicorn("bench.common:baseline_app()", env, settings) as baseline_url,
            gunicorn("bench.common:physical_app()", env, settings)
            if physical
            else contextlib.nullcontext() as physical_url,
            gunicorn("conference:create_app()", env, settings) as app_url,
        ):
            # Warm every worker up; the app's warm-up registrations are online (no place).
            for url_ in (baseline_url, physical_url):
                if url_:
                    drive(url_, lambda i: ("POST", "/insert", body(i, "warm")), warmup, CLIENTS)
            drive(
                app_url,
                lambda i: ("POST", "/api/v1/registrations", body(i, "warm", "online")),
                warmup,
                CLIENTS,
            )
            # Alternate the two in rounds, so a machine that gets busier or quieter during the
            # run weighs on both alike.
            for r in range(ROUNDS):
                n = min(chunk, total - r * chunk)
                if n <= 0:
                    break
                offset = r * chunk
                base_parts.append(
                    drive(
                        baseline_url,
                        lambda i, o=offset: ("POST", "/insert", body(o + i, "base")),
                        n,
                        CLIENTS,
                        time_limit=round_limit,
                    )
                )
                if physical_url:
                    phys_parts.append(
                        drive(
                            physical_url,
                            lambda i, o=offset: ("POST", "/insert", body(o + i, "phys")),
                            n,
                            CLIENTS,
                            time_limit=round_limit,
                        )
                    )
                rush_parts.append(
                    drive(
                        app_url,
                        lambda i, o=offset: ("POST", "/api/v1/registrations", body(o + i, "rush")),
                        n,
                        CLIENTS,
                        ok=(201,),
                        keep_bodies=True,
                        time_limit=round_limit,
                    )
                )
        baseline, rush = merge(base_parts), merge(rush_parts)
        reference = merge(phys_parts) if phys_parts else None
        print(
            f"baseline: {baseline.rate:,.0f} req/s, p50 {baseline.p50:.1f} ms, "
            f"p99 {baseline.p99:.1f} ms, errors {baseline.errors}",
            flush=True,
        )
        answers = Counter(
            json.loads(b).get("status", "error") if b.startswith(b"{") else "error"
            for b in rush.bodies
        )
        after = check(url)

    oversold = max(0, after["held"] - after["capacity"], after["taken"] - after["capacity"])
    drift = abs(after["taken"] - after["held"])
    print(
        f"rush: {rush.rate:,.0f} registrations/s, p50 {rush.p50:.1f} ms, p99 {rush.p99:.1f} ms, "
        f"errors {rush.errors}, statuses {dict(rush.statuses)}, answers {dict(answers)}",
        flush=True,
    )
    print(
        f"database: places held {after['held']} of {after['capacity']} (counter "
        f"{after['taken']}), oversold {oversold}, counter drift {drift}, "
        f"{dict(after['by_state'])}, {after['tickets']} active tickets, {after['mails']} mails "
        f"queued for {after['registrations']} registrations",
        flush=True,
    )
    return [
        {"benchmark": name, "metric": "registrations per second", "value": round(rush.rate, 1),
         "unit": "req/s", "baseline": round(baseline.rate, 1),
         "ratio": round(rush.rate / baseline.rate, 3) if baseline.rate else None},
        {"benchmark": name, "metric": "latency p50", "value": round(rush.p50, 1), "unit": "ms",
         "baseline": round(baseline.p50, 1), "ratio": round(rush.p50 / baseline.p50, 2)},
        {"benchmark": name, "metric": "latency p99", "value": round(rush.p99, 1), "unit": "ms",
         "baseline": round(baseline.p99, 1), "ratio": round(rush.p99 / baseline.p99, 2)},
        {"benchmark": name, "metric": "errors", "value": rush.errors, "unit": "requests",
         "baseline": baseline.errors, "ratio": None},
        {"benchmark": name, "metric": "oversold places (must be 0)", "value": oversold,
         "unit": "places", "baseline": None, "ratio": None},
        {"benchmark": name, "metric": "counter drift from rows (must be 0)", "value": drift,
         "unit": "places", "baseline": None, "ratio": None},
        {"benchmark": name, "metric": "registered on site / waitlisted",
         "value": f"{after['by_state']['registered/onsite']}"
                  f" / {after['by_state']['waitlisted/onsite']}",
         "unit": "", "baseline": None, "ratio": None},
        *reference_rows(name, rush, reference, "registrations per second"),
    ]  # fmt: skip


def run(quick: bool = False) -> list[dict]:
    """Rows for `python -m bench`: 2,000 for 600 places on PostgreSQL, 1,000 for 300 on SQLite."""
    if quick:
        return bench(400, 120, round_limit=4.0) + bench(200, 60, round_limit=4.0, database="sqlite")
    # The embedded case (`make run`'s SQLite file) with fewer people: one writer at a time.
    return bench(2000, 600) + bench(1000, 300, database="sqlite")


def main() -> None:
    """Parse the options and run the benchmark (under a minute; --quick for a smoke run)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="400 registrations for 120 places")
    parser.add_argument("--requests", type=int, default=None)
    parser.add_argument("--capacity", type=int, default=None)
    parser.add_argument("--workers", type=int, default=SETTINGS.workers)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--worker-class", default=SETTINGS.worker_class, choices=["sync", "gthread"]
    )
    parser.add_argument("--database", default="postgresql", choices=["postgresql", "sqlite"])
    args = parser.parse_args()
    total = args.requests or (400 if args.quick else 2000)
    capacity = args.capacity or max(1, total * 3 // 10)
    settings = ServerSettings(args.workers, args.threads, args.worker_class)
    started = time.perf_counter()
    rows = bench(total, capacity, settings, database=args.database)
    print()
    print_rows(rows)
    print(f"\n({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
