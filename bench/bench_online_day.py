"""Online-day benchmark: thousands of viewers with the Q&A open, on one server, then on two.

Run from the repository root:
`python -m bench.bench_online_day [--viewers 3000] [--seconds 30] [--mode poll|sse|both]`.
Every simulated viewer does what the watch page does: a heartbeat every 60 s, the stream status
every ~10 s, and the Q&A every 5 s while it changes, slowing to every 12 s while it does not
(with `If-None-Match`, so an unchanged list is a 304 from the live stamp). Meanwhile a moderator
asks and approves a question every few seconds through the first server. Measured per phase:
updates delivered per second (a new question seen by a viewer), the delay from the approval to
each viewer seeing it (which includes the poll interval), the servers' CPU per viewer, and
errors. Phase 1: one gunicorn (4 sync workers); phase 2: two gunicorn servers (2 workers each),
the viewers split across them, sharing the stamps through Redis. `--mode sse` runs the same day
with Server-Sent Events instead of Q&A polls (`bench/_online_day_sse.py`).
"""

from __future__ import annotations

import argparse
import heapq
import http.client
import json
import os
import random
import threading
import time
import uuid
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bench.bench_streaming import prepare
from bench.common import ServerSettings, app_env, fresh_database, gunicorn, percentile, request

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
HEARTBEAT_S, STATUS_S, QA_FAST_S, QA_SLOW_S = 60.0, 10.0, 5.0, 12.0
DRIVER_THREADS = 24


@dataclass
class Viewer:
    """One open watch page."""

    headers: dict
    base: str
    etag: str | None = None
    qa_delay: float = QA_FAST_S
    seen: int = 0  # the highest question id on this page


@dataclass
class Phase:
    """What one phase measured."""

    statuses: Counter = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    delays: list[float] = field(default_factory=list)
    lateness: list[float] = field(default_factory=list)
    approved: dict[int, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def server_cpu_seconds(port: int) -> float:
    """User + system CPU of the gunicorn processes serving `port` (from /proc)."""
    total, tick = 0.0, os.sysconf("SC_CLK_TCK")
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            if f"127.0.0.1:{port}".encode() not in cmdline:
                continue
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _one(conn_box: dict, base: str, method: str, path: str, headers: dict, body=None):
    parts = urlsplit(base)
    for attempt in range(2):
        conn = conn_box.get(base)
        try:
            if conn is None:
                conn = conn_box[base] = http.client.HTTPConnection(
                    parts.hostname, parts.port, timeout=30
                )
            data = None if body is None else json.dumps(body).encode()
            conn.request(
                method, path, body=data, headers={**headers, "Content-Type": "application/json"}
            )
            response = conn.getresponse()
            raw = response.read()
            if response.will_close:
                conn.close()
                conn_box.pop(base, None)
            return response.status, response.getheader("ETag"), raw
        except (http.client.HTTPException, OSError):
            conn_box.pop(base, None)
            if attempt:
                return 0, None, b""
    return 0, None, b""


def _visit(phase: Phase, conns: dict, viewer: Viewer, kind: str, stream: int) -> float:
    """One request of a page; returns the seconds until its next request of this kind."""
    if kind == "beat":
        path, method, headers = f"/api/v1/streams/{stream}/heartbeat", "POST", viewer.headers
    elif kind == "status":
        path, method, headers = f"/api/v1/streams/{stream}/status", "GET", {}
    else:
        path, method = f"/api/v1/activities/{stream}/questions", "GET"
        headers = {**viewer.headers, **({"If-None-Match": viewer.etag} if viewer.etag else {})}
    began = time.monotonic()
    status, etag, raw = _one(
        conns, viewer.base, method, path, headers, {} if method == "POST" else None
    )
    now = time.monotonic()
    delays = []
    if kind == "qa" and status == 200:
        viewer.etag = etag
        ids = [q["id"] for q in json.loads(raw)["questions"]]
        for qid in ids:
            if qid > viewer.seen and qid in phase.approved:
                delays.append(now - phase.approved[qid])
        viewer.seen = max([viewer.seen, *ids])
        viewer.qa_delay = QA_FAST_S
    elif kind == "qa":
        viewer.qa_delay = min(viewer.qa_delay * 1.5, QA_SLOW_S)
    with phase.lock:
        phase.statuses[(kind, status)] += 1
        phase.latencies.append((now - began) * 1000)
        phase.delays += delays
    interval = {"beat": HEARTBEAT_S, "status": STATUS_S}.get(kind, viewer.qa_delay)
    return interval + (random.random() * 2 if kind == "status" else 0)


def _driver(phase: Phase, viewers: list[Viewer], stream: int, stop_at: float) -> None:
    conns: dict = {}
    start = time.monotonic()
    queue = []
    for n in range(len(viewers)):
        queue.append((start + random.random() * HEARTBEAT_S, n, "beat"))
        queue.append((start + random.random() * STATUS_S, n, "status"))
        queue.append((start + random.random() * QA_FAST_S, n, "qa"))
    heapq.heapify(queue)
    while queue:
        due, n, kind = heapq.heappop(queue)
        if due > stop_at:
            break
        wait = due - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        else:
            with phase.lock:
                phase.lateness.append(-wait)
        heapq.heappush(queue, (due + _visit(phase, conns, viewers[n], kind, stream), n, kind))
    for conn in conns.values():
        conn.close()


def _moderator(phase: Phase, base: str, stream: int, asker: dict, moderator: dict,
               every: float, stop_at: float) -> None:  # fmt: skip
    conns: dict = {}
    path = f"/api/v1/activities/{stream}/questions"
    n = 0
    while time.monotonic() + every < stop_at:
        time.sleep(every)
        n += 1
        status, _, raw = _one(conns, base, "POST", path, asker, {"text": f"Vraag {n} uit de zaal?"})
        if status != 201:
            with phase.lock:
                phase.statuses[("ask", status)] += 1
            continue
        qid = json.loads(raw)["id"]
        status, _, _ = _one(conns, base, "PATCH", f"/api/v1/questions/{qid}", moderator,
                            {"status": "approved"})  # fmt: skip
        with phase.lock:
            phase.approved[qid] = time.monotonic()
            phase.statuses[("approve", status)] += 1


def run_phase(bases: list[str], ports: list[int], setup: dict, viewers: int, seconds: float,
              every: float) -> dict:  # fmt: skip
    """Drive `viewers` pages spread over `bases` for `seconds`; the phase's figures."""
    phase = Phase()
    tokens = setup["tokens"]
    pages = [
        Viewer({"Authorization": f"Bearer {tokens[i]}"}, bases[i % len(bases)])
        for i in range(viewers)
    ]
    cpu_before = sum(server_cpu_seconds(p) for p in ports)
    began = time.monotonic()
    stop_at = began + seconds
    threads = [
        threading.Thread(
            target=_driver, args=(phase, pages[t::DRIVER_THREADS], setup["stream_id"], stop_at)
        )
        for t in range(DRIVER_THREADS)
    ]
    threads.append(
        threading.Thread(
            target=_moderator,
            args=(phase, bases[0], setup["stream_id"], {"Authorization": f"Bearer {tokens[-1]}"},
                  {"Authorization": f"Bearer {setup['moderator']}"}, every, stop_at),
        )
    )  # fmt: skip
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.monotonic() - began
    cpu = sum(server_cpu_seconds(p) for p in ports) - cpu_before
    ok = {200, 201, 204, 304}
    errors = sum(n for (_, status), n in phase.statuses.items() if status not in ok)
    requests = sum(phase.statuses.values())
    return {
        "requests per second": requests / took,
        "Q&A polls answered 304": sum(
            n for (k, s), n in phase.statuses.items() if k == "qa" and s == 304
        )
        / max(1, sum(n for (k, _), n in phase.statuses.items() if k == "qa")),
        "updates delivered per second": len(phase.delays) / took,
        "delivery delay p50": percentile(phase.delays, 50),
        "delivery delay p99": percentile(phase.delays, 99),
        "response time p99 (ms)": percentile(phase.latencies, 99),
        "driver lateness p99 (s)": percentile(phase.lateness, 99) if phase.lateness else 0.0,
        "server CPU per 1,000 viewers (% of a core)": 100 * cpu / took / viewers * 1000,
        "errors": errors,
        "questions approved": len(phase.approved),
    }


def _setup(url: str, viewers: int) -> dict:
    """The streaming benchmark's data (viewers with tokens, 30 questions) and a moderator."""
    from conference import create_app
    from conference.cli import create_staff
    from conference.extensions import db

    setup = prepare(url, viewers + 1)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        _, setup["moderator"] = create_staff("mod@example.org", "moderator", "Mod", "w" * 16)
        db.session.remove()
        db.engine.dispose()
    return setup


def run(quick: bool = False, viewers: int | None = None, seconds: float | None = None,
        every: float = 5.0, mode: str = "both") -> list[dict]:  # fmt: skip
    """The phases of `mode`; rows for the summary table (each phase's baseline is the first)."""
    from bench import _online_day_sse

    viewers = viewers or (1000 if quick else 3000)
    seconds = seconds or (15 if quick else 20)
    prefix = f"bench-live-{uuid.uuid4().hex[:8]}"
    with fresh_database("online_day") as url:
        setup = _setup(url, viewers)
        env = app_env(url, REDIS_URL=REDIS_URL, LIVE_PREFIX=prefix)
        results = _poll_phases(env, setup, viewers, seconds, every) if mode != "sse" else {}
        if mode != "poll":
            results.update(_online_day_sse.run(env, setup, viewers, seconds, every))
    return _rows(results)


def _poll_phases(env: dict, setup: dict, viewers: int, seconds: float, every: float) -> dict:
    """Phase 1: one gunicorn with 4 sync workers; phase 2: two with 2 each, Redis."""
    results = {}
    with gunicorn("conference:create_app()", env, ServerSettings(workers=4)) as base:
        request(base, "GET", f"/api/v1/streams/{setup['stream_id']}/status")
        results["one server, 4 workers"] = run_phase(
            [base], [urlsplit(base).port], setup, viewers, seconds, every
        )
    with ExitStack() as stack:
        bases = [
            stack.enter_context(gunicorn("conference:create_app()", env, ServerSettings(workers=2)))
            for _ in range(2)
        ]
        results["two servers x 2 workers, Redis"] = run_phase(
            bases, [urlsplit(b).port for b in bases], setup, viewers, seconds, every
        )
    return results


def _rows(results: dict) -> list[dict]:
    rows: list[dict] = []
    first_name = next(iter(results))
    first = results[first_name]
    for name, figures in results.items():
        for metric, value in figures.items():
            base = first.get(metric) if name != first_name else None
            rows.append(
                {
                    "benchmark": "online day",
                    "metric": f"{name}: {metric}",
                    "value": round(float(value), 3),
                    "unit": "",
                    "baseline": None if base is None else round(float(base), 3),
                    "ratio": round(value / base, 3) if base else None,
                }
            )
    return rows


def main() -> None:
    """Print the table."""
    from bench.common import print_rows

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 viewers, 20 s per phase")
    parser.add_argument("--viewers", type=int, default=None, help="default 3000")
    parser.add_argument("--seconds", type=float, default=None, help="per phase; default 20")
    parser.add_argument("--every", type=float, default=5.0, help="seconds between approvals")
    parser.add_argument("--mode", choices=("poll", "sse", "both"), default="both")
    args = parser.parse_args()
    started = time.perf_counter()
    print_rows(run(args.quick, args.viewers, args.seconds, args.every, args.mode))
    print(f"\n({viewers_note(args)}, {time.perf_counter() - started:.0f} s)")


def viewers_note(args: argparse.Namespace) -> str:
    """The run's size, for the report."""
    return (
        f"{args.viewers or (1000 if args.quick else 3000)} viewers, {DRIVER_THREADS} driver threads"
    )


if __name__ == "__main__":
    main()
