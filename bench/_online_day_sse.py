"""The online day through Server-Sent Events: thousands of open streams, the Q&A and polls pushed.

Every simulated watch page holds one event stream (`/live/events`, served by the stream-only
app under `gunicorn -k gevent`) and does what live.js, qa.js and polls.js do: it applies the
pushed content (the approved questions, the poll's counts, changed since the version it shows),
and fetches a list from the web workers (with If-None-Match) only when a change cannot be
applied or its content does not come within 1.5 s of its version event. It also sends a
heartbeat every 60 s and asks the stream status every 5 minutes (and at the stream's start and
end, which the phase does not cross), as watch.js does while its stream is open. The pages are
split over DRIVER_PROCESSES processes, one asyncio loop each, so the driver keeps up; the
parent process is the staff: it opens a poll, then asks and approves a question every few
seconds through the first web server, while viewers vote in the poll (`POLL_VOTES_PER_S`, each
person once). Measured: the delay from an approval to the question shown on a page, from a
vote's answer to its count shown, fetches, the servers' CPU per 1,000 viewers, errors. The
processes share the clock (CLOCK_MONOTONIC is system-wide).
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bench._online_day_page import Seen, page_process, send
from bench.common import ServerSettings, gunicorn, percentile

# Votes a second in the live poll: 3,000 viewers of whom half vote within two minutes.
POLL_VOTES_PER_S = 12.5
# Processes holding the pages: one Python loop cannot parse thousands of events a second.
DRIVER_PROCESSES = 2
LIVE_SETTINGS = ServerSettings(workers=1, worker_class="gevent",
                               extra=("--worker-connections", "10000"))  # fmt: skip


@dataclass
class Staff:
    """What the staff did: when each question was approved, when each poll total was answered."""

    statuses: Counter = field(default_factory=Counter)
    approved: dict[int, float] = field(default_factory=dict)
    totals: dict[int, float] = field(default_factory=dict)
    poll_id: int = 0
    answers: list[float] = field(default_factory=list)  # seconds each approval took


async def _moderator(staff: Staff, base: str, stream_id: int, asker: str, moderator: str,
                     every: float, stop_at: float) -> None:  # fmt: skip
    """Open a poll, then ask and approve a question every `every` seconds."""
    path = f"/api/v1/activities/{stream_id}/questions"
    auth = {"Authorization": f"Bearer {moderator}"}
    poll = {"question": "Herken je dit?", "kind": "single", "options": ["ja", "nee", "soms"]}
    status, _, raw = await send(base, "POST", f"/api/v1/activities/{stream_id}/polls", auth, poll)
    staff.statuses[("poll made", status)] += 1
    if status == 201:
        poll_id = json.loads(raw)["id"]
        status, _, _ = await send(base, "POST", f"/api/v1/polls/{poll_id}/open", auth)
        staff.statuses[("poll opened", status)] += 1
        staff.poll_id = poll_id if status == 200 else 0  # the voters start now
    n = 0
    # The last approval leaves the pages a few seconds to show it before the phase ends.
    while time.monotonic() + every + 4.0 < stop_at:
        await asyncio.sleep(every)
        n += 1
        status, _, raw = await send(base, "POST", path, {"Authorization": f"Bearer {asker}"},
                                     {"text": f"Vraag {n} uit de zaal?"})  # fmt: skip
        if status != 201:
            staff.statuses[("ask", status)] += 1
            continue
        qid = json.loads(raw)["id"]
        sent = time.monotonic()
        status, _, _ = await send(base, "PATCH", f"/api/v1/questions/{qid}", auth,
                                   {"status": "approved"})  # fmt: skip
        staff.statuses[("approve", status)] += 1
        # Delivery counts from the approval's answer (it is committed and published then), as
        # the counts do from a vote's; how long the answer took is reported beside it.
        staff.approved[qid] = time.monotonic()
        staff.answers.append(staff.approved[qid] - sent)


async def _voters(staff: Staff, apps: list[str], tokens: list[str], stop_at: float) -> None:
    """Viewers vote in the open poll, each once, at POLL_VOTES_PER_S; each answer's total noted."""
    while not staff.poll_id and time.monotonic() < stop_at - 2.0:
        await asyncio.sleep(0.1)  # the moderator opens the poll first

    async def one(i: int, token: str) -> None:
        path = f"/api/v1/polls/{staff.poll_id}/vote"
        status, _, raw = await send(apps[i % len(apps)], "POST", path,
                                     {"Authorization": f"Bearer {token}"},
                                     {"options": [i % 3]})  # fmt: skip
        staff.statuses[("vote", status)] += 1
        if status == 200:
            staff.totals.setdefault(json.loads(raw)["votes"], time.monotonic())

    votes = []
    for i, token in enumerate(tokens):
        if time.monotonic() >= stop_at - 2.0 or not staff.poll_id:
            break
        votes.append(asyncio.get_running_loop().create_task(one(i, token)))
        await asyncio.sleep(1 / POLL_VOTES_PER_S)
    await asyncio.gather(*votes)


async def _staff(staff: Staff, apps: list[str], setup: dict, viewers: int, every: float,
                 stop_at: float) -> None:  # fmt: skip
    await asyncio.sleep(2.0)  # the pages open their streams first
    tokens, sid = setup["tokens"], setup["stream_id"]
    await asyncio.gather(
        _moderator(staff, apps[0], sid, tokens[-1], setup["moderator"], every, stop_at),
        _voters(staff, apps, tokens[: viewers - 1], stop_at),
    )


def _delays(staff: Staff, seen: list[Seen]) -> tuple[list[float], list[float]]:
    """From approval to each page showing the question; from a vote's answer to its count."""
    questions = [at - staff.approved[q] for s in seen for q, at in s.questions
                 if q in staff.approved]  # fmt: skip
    counts = [max(0.0, at - staff.totals[n]) for s in seen for p, n, at in s.counts
              if p == staff.poll_id and n in staff.totals]  # fmt: skip
    return questions, counts


def run_phase(apps: list[str], lives: list[str], setup: dict, path: str, viewers: int,
              seconds: float, every: float) -> dict:  # fmt: skip
    """Drive `viewers` pages over the web servers `apps` and stream servers `lives`."""
    from bench.bench_online_day import server_cpu_seconds

    app_ports = [urlsplit(b).port for b in apps]
    live_ports = [urlsplit(b).port for b in lives]
    app_cpu = sum(map(server_cpu_seconds, app_ports))
    live_cpu = sum(map(server_cpu_seconds, live_ports))
    began, staff_cpu = time.monotonic(), time.process_time()
    stop_at = began + seconds
    pages = list(enumerate(setup["tokens"][:viewers]))
    staff = Staff()
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(DRIVER_PROCESSES, mp_context=context) as pool:
        parts = [pool.submit(page_process, (apps, lives, pages[k::DRIVER_PROCESSES],
                                             setup["stream_id"], path, stop_at))
                 for k in range(DRIVER_PROCESSES)]  # fmt: skip
        asyncio.run(_staff(staff, apps, setup, viewers, every, stop_at))
        seen = [part.result() for part in parts]
    took, staff_cpu = time.monotonic() - began, time.process_time() - staff_cpu
    app_cpu = sum(map(server_cpu_seconds, app_ports)) - app_cpu
    live_cpu = sum(map(server_cpu_seconds, live_ports)) - live_cpu
    statuses = sum((s.statuses for s in seen), staff.statuses.copy())
    pushed = sum((s.pushed for s in seen), Counter())
    questions, counts = _delays(staff, seen)
    ok = {200, 201, 204, 304}
    failed = {f"{kind} {status}": n for (kind, status), n in statuses.items() if status not in ok}
    print(f"  {len(apps)} web server(s): errors by request: {failed or 'none'}", flush=True)
    per_1000 = 100 / took / viewers * 1000
    return {
        "streams open": sum(s.streams_open for s in seen),
        "requests per second": sum(statuses.values()) / took,
        "pushed Q&A changes applied": pushed["qa"],
        "pushed poll counts applied": pushed["polls"],
        "Q&A list fetches": sum(n for (kind, _), n in statuses.items() if kind == "qa"),
        "poll list fetches": sum(n for (kind, _), n in statuses.items() if kind == "polls"),
        "questions approved": len(staff.approved),
        "poll votes": sum(n for (k, s), n in statuses.items() if k == "vote" and s == 200),
        "approval answered after, slowest (s)": max(staff.answers, default=float("nan")),
        "question shown, delay p50 (s)": percentile(questions, 50),
        "question shown, delay p99 (s)": percentile(questions, 99),
        "poll count shown, delay p50 (s)": percentile(counts, 50),
        "poll count shown, delay p99 (s)": percentile(counts, 99),
        "web CPU per 1,000 viewers (% of a core)": app_cpu * per_1000,
        "stream CPU per 1,000 viewers (% of a core)": live_cpu * per_1000,
        "driver CPU (% of a core)": 100 * (staff_cpu + sum(s.cpu_seconds for s in seen)) / took,
        "errors": sum(n for (_, status), n in statuses.items() if status not in ok),
    }


def grant_path(env: dict, stream_id: int) -> str:
    """The stream path a watch page of `stream_id` would carry (signed with the app's key)."""
    import html
    import re

    from conference import live_events
    from conference.live_app import create_live_app

    app = create_live_app({"SECRET_KEY": env["SECRET_KEY"], "REDIS_URL": env["REDIS_URL"],
                           "LIVE_PREFIX": env["LIVE_PREFIX"]})  # fmt: skip
    with app.test_request_context():
        attributes = str(live_events.attributes(f"qa:{stream_id}", f"polls:{stream_id}"))
    return html.unescape(re.search(r'data-live-url="([^"]+)"', attributes).group(1))


def run(env: dict, setup: dict, viewers: int, seconds: float, every: float) -> dict:
    """Phase 1: one web server (4 sync workers) + one stream process; phase 2: two of each."""
    path = grant_path(env, setup["stream_id"])
    live_spec = "conference.live_app:create_live_app()"
    results = {}
    with ExitStack() as stack:
        app = stack.enter_context(gunicorn("conference:create_app()", env, ServerSettings(4)))
        live = stack.enter_context(gunicorn(live_spec, env, LIVE_SETTINGS, ready_path="/"))
        results["SSE: one server (4 sync) + 1 gevent stream process"] = run_phase(
            [app], [live], setup, path, viewers, seconds, every
        )
    with ExitStack() as stack:
        apps = [stack.enter_context(gunicorn("conference:create_app()", env, ServerSettings(2)))
                for _ in range(2)]  # fmt: skip
        lives = [stack.enter_context(gunicorn(live_spec, env, LIVE_SETTINGS, ready_path="/"))
                 for _ in range(2)]  # fmt: skip
        results["SSE: two servers (2 sync each) + 2 stream processes, Redis"] = run_phase(
            apps, lives, setup, path, viewers, seconds, every
        )
    return results
