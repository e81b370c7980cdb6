"""Streaming benchmark: what 1,000+ online viewers cost the server, on gunicorn + PostgreSQL.

Run from the repository root: `python -m bench.bench_streaming [--quick]`. Every watch page
sends a heartbeat a minute and polls the stream status every ~10 s and the Q&A every 5 s
(stretching to 12 s while it is unchanged). So this measures, against a bare-Flask endpoint
doing one INSERT per request (served the same way in the same run), the rate and p50/p99 latency of:

- `POST /api/v1/streams/<id>/heartbeat` (bearer tokens, two conditional UPDATEs per beat);
- `GET /api/v1/activities/<id>/questions` with `If-None-Match` (the steady state: 304);
- `GET /api/v1/activities/<id>/questions` without it (a full list of 30 questions);
- `GET /api/v1/streams/<id>/status` (public, cacheable).

It also checks the heartbeats were all counted (beats in the database = requests answered 204).
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import sqlalchemy as sa

from bench.common import (
    ServerSettings,
    app_env,
    create_baseline_table,
    fresh_database,
    gunicorn,
    percentile,
)

SERVER = ServerSettings(workers=4)
CLIENTS = 32
ROOT = Path(__file__).resolve().parents[1]


def prepare(url: str, viewers: int) -> dict:
    """Schema, the demo programme, `viewers` online attendees with tokens, 30 questions."""
    from conference import create_app
    from conference.clock import utcnow
    from conference.extensions import db
    from conference.models import ApiToken, Conference, User, hash_token
    from registration.models import Registration
    from sessions.programme.loader import load_programme_file
    from sessions.programme.models import Activity
    from streaming.models import Question, StreamSettings

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "RATELIMIT_ENABLED": False})
    with app.app_context():
        db.create_all()
        load_programme_file(ROOT / "sessions/data/sociaalwerkconferentie-2022.yaml", demo=True)
        conf = db.session.scalar(sa.select(Conference))
        stream = db.session.scalar(
            sa.select(Activity).filter_by(kind="plenary").order_by(Activity.starts_at)
        )
        now = utcnow()
        users = [
            {
                "email": f"kijker{i}@example.org",
                "name": f"Kijker {i}",
                "role": "attendee",
                "active": True,
                "session_version": 1,
                "language": "nl",
                "created_at": now,
            }
            for i in range(viewers)
        ]
        db.session.execute(sa.insert(User), users)
        ids = dict(db.session.execute(sa.select(User.email, User.id)).all())
        db.session.execute(
            sa.insert(Registration),
            [
                {
                    "conference_id": conf.id,
                    "user_id": ids[u["email"]],
                    "email": u["email"],
                    "first_name": "Kijker",
                    "last_name": str(i),
                    "profile": "practitioner",
                    "mode": "online",
                    "status": "registered",
                    "language": "nl",
                    "consent_at": now,
                    "waitlist_ok": True,
                    "holds_venue_place": False,
                    "created_at": now,
                    "updated_at": now,
                }
                for i, u in enumerate(users)
            ],
        )
        tokens = [f"bench-token-{i}-{'x' * 20}" for i in range(viewers)]
        db.session.execute(
            sa.insert(ApiToken),
            [
                {
                    "user_id": ids[u["email"]],
                    "token_hash": hash_token(t),
                    "kind": "attendee",
                    "created_at": now,
                }
                for u, t in zip(users, tokens, strict=True)
            ],
        )
        # Live now, so every heartbeat goes through the crediting UPDATE.
        db.session.add(
            StreamSettings(activity_id=stream.id, status_override="live", override_at=now)
        )
        first = ids[users[0]["email"]]
        db.session.execute(
            sa.insert(Question),
            [
                {
                    "activity_id": stream.id,
                    "user_id": first,
                    "text": f"Vraag {n} over de stream?",
                    "status": "approved",
                    "pinned": False,
                    "votes": n % 7,
                    "created_at": now,
                    "updated_at": now,
                }
                for n in range(30)
            ],
        )
        db.session.commit()
        result = {"stream_id": stream.id, "tokens": tokens}
        db.session.remove()
        db.engine.dispose()
    return result


def load(base: str, requests: list[tuple[str, str, dict]], clients: int = CLIENTS):
    """Send (method, path, headers) requests from `clients` threads on kept-alive connections."""
    parts = urlsplit(base)
    latencies: list[float] = []
    statuses: Counter = Counter()
    lock = threading.Lock()
    numbers = itertools.count()
    gate = threading.Barrier(clients + 1)

    def client() -> None:
        conn = None
        mine, codes = [], Counter()
        gate.wait()
        while True:
            with lock:
                i = next(numbers)
            if i >= len(requests):
                break
            method, path, headers = requests[i]
            began = time.perf_counter()
            for attempt in range(2):
                try:
                    if conn is None:
                        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
                    body = b"{}" if method == "POST" else None
                    conn.request(
                        method,
                        path,
                        body=body,
                        headers={"Content-Type": "application/json", **headers},
                    )
                    response = conn.getresponse()
                    response.read()
                    codes[response.status] += 1
                    if response.will_close:
                        conn.close()
                        conn = None
                    break
                except (http.client.HTTPException, OSError):
                    if conn is not None:
                        conn.close()
                    conn = None
                    if attempt:
                        codes[0] += 1
            mine.append((time.perf_counter() - began) * 1000)
        if conn is not None:
            conn.close()
        with lock:
            latencies.extend(mine)
            statuses.update(codes)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for t in threads:
        t.start()
    gate.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    return time.perf_counter() - started, latencies, statuses


def _row(metric: str, value: float, unit: str, baseline: float | None) -> dict:
    ratio = None
    if baseline:
        ratio = round(value / baseline, 3)
    return {
        "benchmark": "streaming",
        "metric": metric,
        "value": round(value, 2),
        "unit": unit,
        "baseline": None if baseline is None else round(baseline, 2),
        "ratio": ratio,
    }


def run(quick: bool = False) -> list[dict]:
    """Run the workloads and the baseline; rows with ratios to the baseline."""
    viewers = 200 if quick else 1000
    per_kind = 1000 if quick else 4000
    rows: list[dict] = []
    with fresh_database("streaming") as url:
        setup = prepare(url, viewers)
        create_baseline_table(url)
        stream, tokens = setup["stream_id"], setup["tokens"]
        auth = [{"Authorization": f"Bearer {t}"} for t in tokens]
        with gunicorn("conference:create_app()", app_env(url), SERVER) as base:
            load(base, [("GET", f"/api/v1/streams/{stream}/status", {})] * 200)  # warm-up
            questions = f"/api/v1/activities/{stream}/questions"
            # The ETag of each viewer's list (it includes the person, so one per token).
            etags = {}
            conn = http.client.HTTPConnection("127.0.0.1", urlsplit(base).port, timeout=30)
            for i, headers in enumerate(auth[:50]):
                conn.request("GET", questions, headers=headers)
                response = conn.getresponse()
                response.read()
                etags[i] = response.getheader("ETag")
            conn.close()
            workloads = {
                "heartbeat": [
                    ("POST", f"/api/v1/streams/{stream}/heartbeat", auth[i % viewers])
                    for i in range(per_kind)
                ],
                "Q&A poll, unchanged (304)": [
                    ("GET", questions, {**auth[i % 50], "If-None-Match": etags[i % 50]})
                    for i in range(per_kind)
                ],
                "Q&A poll, full list": [
                    ("GET", questions, auth[i % viewers]) for i in range(per_kind)
                ],
                "status poll": [("GET", f"/api/v1/streams/{stream}/status", {})] * per_kind,
            }
            measured = {name: load(base, reqs) for name, reqs in workloads.items()}
        with gunicorn("bench.common:baseline_app()", app_env(url), SERVER) as base:
            baseline = _baseline(base, per_kind)
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            beats = conn.execute(
                sa.text("SELECT coalesce(sum(beats), 0) FROM stream_presence")
            ).scalar()
            people = conn.execute(sa.text("SELECT count(*) FROM stream_presence")).scalar()
        engine.dispose()
    base_seconds, base_lat, base_codes = baseline
    base_rate = per_kind / base_seconds
    for name, (seconds, latencies, codes) in measured.items():
        ok = sum(n for code, n in codes.items() if code in (200, 204, 304))
        rate = len(latencies) / seconds
        rows.append(_row(f"{name}: requests per second", rate, "req/s", base_rate))
        rows.append(_row(f"{name}: p50", percentile(latencies, 50), "ms", percentile(base_lat, 50)))
        rows.append(_row(f"{name}: p99", percentile(latencies, 99), "ms", percentile(base_lat, 99)))
        if ok != len(latencies):
            rows.append(_row(f"{name}: answers not OK", len(latencies) - ok, "requests", None))
    answered = measured["heartbeat"][2].get(204, 0)
    rows.append(
        _row("heartbeats in the database / answered 204", beats / max(answered, 1), "", None)
    )
    rows.append(_row("viewers with a presence row", people, "people", None))
    rows.append(
        _row(
            "304 share of unchanged Q&A polls",
            measured["Q&A poll, unchanged (304)"][2].get(304, 0) / per_kind,
            "",
            None,
        )
    )
    if sum(base_codes.values()) != base_codes.get(201, 0):
        rows.append(
            _row(
                "baseline answers not 201",
                sum(base_codes.values()) - base_codes.get(201, 0),
                "",
                None,
            )
        )
    return rows


def _baseline(base: str, total: int):
    """The bare-Flask INSERT endpoint, with a JSON body like a heartbeat's."""
    parts = urlsplit(base)
    latencies: list[float] = []
    codes: Counter = Counter()
    lock = threading.Lock()
    numbers = itertools.count()
    gate = threading.Barrier(CLIENTS + 1)

    def client() -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        mine, mine_codes = [], Counter()
        gate.wait()
        while True:
            with lock:
                i = next(numbers)
            if i >= total:
                break
            began = time.perf_counter()
            body = f'{{"email": "baseline{i}@example.org"}}'.encode()
            conn.request("POST", "/insert", body=body, headers={"Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
            mine_codes[response.status] += 1
            mine.append((time.perf_counter() - began) * 1000)
        conn.close()
        with lock:
            latencies.extend(mine)
            codes.update(mine_codes)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    gate.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    return time.perf_counter() - started, latencies, codes


def main() -> None:
    """Print the table."""
    from bench.common import print_rows

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer viewers and requests")
    args = parser.parse_args()
    started = time.perf_counter()
    rows = run(quick=args.quick)
    print_rows(rows)
    took = time.perf_counter() - started
    print(f"\n({SERVER.describe()}, {CLIENTS} concurrent clients, {took:.0f} s)")


if __name__ == "__main__":
    main()
