"""Hot paths in-process: statements, transactions and ms of CPU per registration, scan, poll, beat.

Run from the repository root: `python -m bench.bench_hot_paths [--quick]`. Each request goes
through the Flask test client (no network, no gunicorn) against PostgreSQL, so the figures are
the application's own work: statements counted with an SQLAlchemy event, transactions with a
commit event, CPU with `time.process_time()` over many requests. The reference, measured in the
same run the same way, is the physical reference of the HTTP benchmarks: a bare Flask endpoint
with one persistent psycopg connection and one statement per request.
"""

from __future__ import annotations

import argparse
import os
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from bench import bench_registration, bench_streaming
from bench._checkin_support import prepare_checkin_database
from bench.common import (
    create_baseline_table,
    fresh_database,
    live_env,
    physical_app,
    print_rows,
)


@dataclass
class Profile:
    """What one kind of request costs on average."""

    cpu_ms: float
    statements: float
    commits: float
    wall_ms: float


def _counting(engine: sa.Engine) -> dict[str, int]:
    """Counters of statements and commits on an engine."""
    counts = {"statements": 0, "commits": 0}

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _statement(*_args, **_kw) -> None:
        counts["statements"] += 1

    @sa.event.listens_for(engine, "commit")
    def _commit(*_args) -> None:
        counts["commits"] += 1

    return counts


def measure(send: Callable[[int], int], n: int, counts: dict[str, int] | None) -> Profile:
    """Send n requests after a short warm-up; CPU, statements and commits per request."""
    for i in range(min(20, n)):
        send(-1 - i)
    before = dict(counts) if counts else {"statements": 0, "commits": 0}
    cpu, wall = time.process_time(), time.perf_counter()
    for i in range(n):
        send(i)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    after = counts or before
    return Profile(
        cpu_ms=cpu * 1000 / n,
        statements=(after["statements"] - before["statements"]) / n,
        commits=(after["commits"] - before["commits"]) / n,
        wall_ms=wall * 1000 / n,
    )


def _app(url: str, **config):
    """The application on `url`, rate limits off, Redis for the stamps, as the HTTP benchmarks."""
    os.environ.setdefault("APP_ENV", "development")
    from conference import create_app

    settings = {"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False, **config}
    return create_app({**settings, **live_env("hot")})


def _engine_counts(app) -> dict[str, int]:
    from conference.extensions import db

    with app.app_context():
        return _counting(db.engine)


def profile_registration(n: int) -> Profile:
    """POST /api/v1/registrations, nine in ten on site, the cap above the demand."""
    with fresh_database("hot_registration") as url:
        bench_registration.prepare(url, capacity=n * 2)
        app = _app(url)
        counts = _engine_counts(app)
        client = app.test_client()

        def send(i: int) -> int:
            body = bench_registration.body(i + 100, "hot")
            status = client.post("/api/v1/registrations", json=body).status_code
            assert status == 201, status
            return status

        return measure(send, n, counts)


def profile_scan(n: int) -> Profile:
    """POST /api/v1/checkin/redeem at the entrance, each ticket once."""
    secret_key = secrets.token_hex(32)
    with fresh_database("hot_scan") as url:
        info = prepare_checkin_database(url, secret_key, n + 20)
        app = _app(url, SECRET_KEY=secret_key)
        counts = _engine_counts(app)
        client = app.test_client()
        headers = {"Authorization": f"Bearer {info['token']}"}
        tickets = info["secrets"]

        def send(i: int) -> int:
            body = {"secret": tickets[i], "checkpoint": "entrance", "nonce": uuid.uuid4().hex}
            status = client.post("/api/v1/checkin/redeem", json=body, headers=headers).status_code
            assert status == 201, status
            return status

        return measure(send, n, counts)


def profile_poll(n: int) -> tuple[Profile, Profile]:
    """GET the Q&A of a live stream: the steady state (304 by ETag) and a full list."""
    with fresh_database("hot_poll") as url:
        info = bench_streaming.prepare(url, 50)
        app = _app(url)
        counts = _engine_counts(app)
        client = app.test_client()
        path = f"/api/v1/activities/{info['stream_id']}/questions"
        auth = [{"Authorization": f"Bearer {t}"} for t in info["tokens"]]
        etags = [client.get(path, headers=h).headers.get("ETag") for h in auth]

        def cached(i: int) -> int:
            k = i % len(auth)
            status = client.get(path, headers={**auth[k], "If-None-Match": etags[k]}).status_code
            assert status in (200, 304), status
            return status

        def full(i: int) -> int:
            status = client.get(path, headers=auth[i % len(auth)]).status_code
            assert status == 200, status
            return status

        return measure(cached, n, counts), measure(full, n, counts)


def profile_online_day(n: int) -> tuple[Profile, Profile]:
    """POST a watch page's heartbeat (its rows exist) and a vote in a live poll, by token."""
    from bench.bench_online_day import _setup

    with fresh_database("hot_online_day") as url:
        info = _setup(url, n + 40)
        app = _app(url)
        counts = _engine_counts(app)
        client = app.test_client()
        sid, tokens = info["stream_id"], info["tokens"]
        staff = {"Authorization": f"Bearer {info['moderator']}"}
        poll = {"question": "Herken je dit?", "kind": "single", "options": ["ja", "nee", "soms"]}
        poll_id = client.post(f"/api/v1/activities/{sid}/polls", json=poll, headers=staff).json[
            "id"
        ]
        assert client.post(f"/api/v1/polls/{poll_id}/open", headers=staff).status_code == 200

        def beat(i: int) -> int:
            auth = {"Authorization": f"Bearer {tokens[i % 30]}"}  # thirty pages, rows made
            status = client.post(f"/api/v1/streams/{sid}/heartbeat", headers=auth).status_code
            assert status == 204, status
            return status

        def vote(i: int) -> int:
            auth = {"Authorization": f"Bearer {tokens[i + 30]}"}  # each person once
            path = f"/api/v1/polls/{poll_id}/vote"
            status = client.post(path, json={"options": [i % 3]}, headers=auth).status_code
            assert status == 200, status
            return status

        return measure(beat, n, counts), measure(vote, n, counts)


def profile_reference(n: int) -> Profile:
    """The physical reference in-process: one psycopg connection, one INSERT per request."""
    with fresh_database("hot_reference") as url:
        create_baseline_table(url)
        os.environ["DATABASE_URL"] = url
        client = physical_app().test_client()

        def send(i: int) -> int:
            status = client.post("/insert", json={"email": f"r{i}@example.org"}).status_code
            assert status == 201, status
            return status

        result = measure(send, n, None)
        return Profile(result.cpu_ms, 1.0, 1.0, result.wall_ms)


def _rows(name: str, label: str, p: Profile, ref: Profile) -> list[dict]:
    return [
        {"benchmark": name, "metric": f"{label}: CPU per request", "value": round(p.cpu_ms, 2),
         "unit": "ms", "baseline": round(ref.cpu_ms, 2), "ratio": round(p.cpu_ms / ref.cpu_ms, 1)},
        {"benchmark": name, "metric": f"{label}: SQL statements per request",
         "value": round(p.statements, 1), "unit": "", "baseline": 1.0,
         "ratio": round(p.statements, 1)},
        {"benchmark": name, "metric": f"{label}: commits per request", "value": round(p.commits, 2),
         "unit": "", "baseline": 1.0, "ratio": round(p.commits, 2)},
        {"benchmark": name, "metric": f"{label}: wall time per request (one client)",
         "value": round(p.wall_ms, 2), "unit": "ms", "baseline": round(ref.wall_ms, 2),
         "ratio": round(p.wall_ms / ref.wall_ms, 1)},
    ]  # fmt: skip


def run(quick: bool = False) -> list[dict]:
    """Rows for `python -m bench`: 500 requests of each kind (150 with --quick)."""
    n = 150 if quick else 500
    name = f"hot paths in-process ({n} requests each, PostgreSQL, test client)"
    print(f"# {name}", flush=True)
    ref = profile_reference(n)
    rows: list[dict] = []
    for label, profile in (
        ("registration", profile_registration(n)),
        ("scan", profile_scan(n)),
    ):
        rows += _rows(name, label, profile, ref)
    cached, full = profile_poll(n)
    rows += _rows(name, "Q&A poll, unchanged (304)", cached, ref)
    rows += _rows(name, "Q&A poll, full list of 30", full, ref)
    beat, vote = profile_online_day(n)
    rows += _rows(name, "heartbeat of a watch page", beat, ref)
    rows += _rows(name, "vote in a live poll (counts pushed)", vote, ref)
    return rows


def main() -> None:
    """Parse the options, run, print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="150 requests of each kind")
    args = parser.parse_args()
    started = time.perf_counter()
    print_rows(run(quick=args.quick))
    print(f"\nTotal: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
