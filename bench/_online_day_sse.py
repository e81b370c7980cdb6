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
import random
import re
import resource
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bench.common import ServerSettings, gunicorn, percentile
from conference.live_events import newer

# As live.js: how long a page waits for a version's content before it fetches the list.
CONTENT_WAIT_S = 1.5
# A pushed list line can be long (every question of a busy Q&A on a connect).
LINE_LIMIT = 1 << 22
# Votes a second in the live poll: 3,000 viewers of whom half vote within two minutes.
POLL_VOTES_PER_S = 12.5
COUNT = re.compile(r"(\d+) (?:persoon stemde|personen stemden)")
# Processes holding the pages: one Python loop cannot parse thousands of events a second.
DRIVER_PROCESSES = 2

# While its live stream is open a page asks the status only at the stream's start and end and
# every 5 minutes as a net (watch.js); the heartbeat stays once a minute.
HEARTBEAT_S, STATUS_S = 60.0, 300.0
# Fetches in flight at once per driver process: a browser population does not queue, but more
# than this only fills gunicorn's accept queue (backlog 256) and the driver's own core.
FETCHES_IN_FLIGHT = 64
LIVE_SETTINGS = ServerSettings(workers=1, worker_class="gevent",
                               extra=("--worker-connections", "10000"))  # fmt: skip


@dataclass
class Seen:
    """What the pages of one driver process observed (the parent works out the delays)."""

    statuses: Counter = field(default_factory=Counter)
    questions: list[tuple[int, float]] = field(default_factory=list)  # (id, first shown at)
    counts: list[tuple[int, int, float]] = field(default_factory=list)  # (poll, count, at)
    pushed: Counter = field(default_factory=Counter)
    streams_open: int = 0


@dataclass
class Staff:
    """What the staff did: when each question was approved, when each poll total was answered."""

    statuses: Counter = field(default_factory=Counter)
    approved: dict[int, float] = field(default_factory=dict)
    totals: dict[int, float] = field(default_factory=dict)
    poll_id: int = 0
    answers: list[float] = field(default_factory=list)  # seconds each approval took


async def _http(base: str, method: str, path: str, headers: dict, body=None):
    """One request on a new connection (sync workers close it anyway): status, headers, body."""
    parts = urlsplit(base)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    try:
        data = b"" if body is None else json.dumps(body).encode()
        lines = [f"{method} {path} HTTP/1.1", f"Host: {parts.netloc}", "Connection: close",
                 f"Content-Length: {len(data)}", "Content-Type: application/json"]  # fmt: skip
        lines += [f"{k}: {v}" for k, v in headers.items()]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + data)
        raw = await reader.read()
    finally:
        writer.close()
    head, _, payload = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    answer = dict(line.split(": ", 1) for line in header_lines if ": " in line)
    if answer.get("Transfer-Encoding") == "chunked":
        payload = _unchunk(payload)
    return int(status_line.split()[1]), answer, payload


def _unchunk(payload: bytes) -> bytes:
    out, rest = b"", payload
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line, 16)
        if not size:
            break
        out, rest = out + rest[:size], rest[size + 2 :]
    return out


class Viewer:
    """One open watch page: its event stream, what it shows, its periodic requests."""

    def __init__(self, seen: Seen, app: str, live: str, token: str, stream_id: int,
                 gate: asyncio.Semaphore) -> None:  # fmt: skip
        self.seen, self.app, self.live, self.gate = seen, app, live, gate
        self.headers = {"Authorization": f"Bearer {token}"}
        self.stream_id = stream_id
        self.etags: dict[str, str] = {}
        self.shown: dict[str, str] = {}  # the version the page shows, per topic
        self.questions: set[int] = set()
        self.totals: dict[int, int] = {}  # the count the page shows, per poll

    def show(self, ids) -> None:
        """The page now shows these questions."""
        now = time.monotonic()
        for qid in ids:
            if qid not in self.questions:
                self.questions.add(qid)
                self.seen.questions.append((qid, now))

    def count(self, poll_id: int, total: int) -> None:
        """The page now shows this count of a poll."""
        if total > self.totals.get(poll_id, 0):
            self.totals[poll_id] = total
            self.seen.counts.append((poll_id, total, time.monotonic()))

    async def fetch(self, kind: str) -> None:
        """A list (Q&A, polls) as the page fetches it, the status or a heartbeat, counted."""
        sid = self.stream_id
        if kind in ("qa", "polls"):
            last = "questions" if kind == "qa" else "polls"
            path, method = f"/api/v1/activities/{sid}/{last}", "GET"
            etag = self.etags.get(kind)
            headers = {**self.headers, **({"If-None-Match": etag} if etag else {})}
        elif kind == "status":
            path, method, headers = f"/api/v1/streams/{sid}/status", "GET", {}
        else:
            path, method, headers = f"/api/v1/streams/{sid}/heartbeat", "POST", self.headers
        async with self.gate:
            try:
                status, answer, payload = await _http(self.app, method, path, headers,
                                                      {} if method == "POST" else None)  # fmt: skip
            except OSError:
                status, answer, payload = 0, {}, b""
        self.seen.statuses[(kind, status)] += 1
        if kind in ("qa", "polls") and status == 200:
            self.etags[kind] = answer.get("ETag", "")
            topic = f"{kind}:{sid}"
            self.shown[topic] = answer.get("X-Live-Version") or self.shown.get(topic, "")
            body = json.loads(payload)
            if kind == "qa":
                self.show(q["id"] for q in body["questions"])
            else:
                for poll in body["polls"]:
                    self.count(poll["id"], poll["votes"])

    async def every(self, kind: str, period: float, stop_at: float) -> None:
        """A periodic request from a random first moment (pages open at different times)."""
        await asyncio.sleep(random.random() * period)
        while time.monotonic() < stop_at:
            await self.fetch(kind)
            await asyncio.sleep(min(period, max(0.0, stop_at - time.monotonic())))

    async def listen(self, path: str, stop_at: float) -> None:
        """Hold the event stream and act on its events as the page's scripts do."""
        parts = urlsplit(self.live)
        try:
            reader, writer = await asyncio.open_connection(
                parts.hostname, parts.port, limit=LINE_LIMIT
            )
        except OSError:
            self.seen.statuses[("stream", 0)] += 1
            return
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
                     "Accept: text/event-stream\r\n\r\n".encode())  # fmt: skip
        try:
            status_line = (await reader.readline()).split()
            status = int(status_line[1]) if len(status_line) > 1 else 0
            self.seen.statuses[("stream", status)] += 1
            if status != 200:
                return
            self.seen.streams_open += 1
            kind = b""
            while time.monotonic() < stop_at:
                line = await asyncio.wait_for(reader.readline(), stop_at - time.monotonic())
                if not line:
                    self.seen.statuses[("stream closed", 0)] += 1
                    return
                if line.startswith(b"event: "):
                    kind = line[7:].strip()
                elif line.startswith(b"data: {"):
                    data = json.loads(line[6:])
                    if kind == b"content":
                        self.on_content(data)
                    elif data["topic"].startswith(("qa:", "polls:")):
                        self.on_version(data["topic"], data["version"])
        except TimeoutError:
            pass
        except OSError:
            self.seen.statuses[("stream broke", 0)] += 1
        finally:
            writer.close()

    def on_version(self, topic: str, version: str) -> None:
        """A version event: the first is the page's own; a newer one waits for its content."""
        shown = self.shown.get(topic)
        if shown is None:
            self.shown[topic] = version
        elif newer(version, shown):
            asyncio.get_running_loop().create_task(self.fall_back(topic, version))

    async def fall_back(self, topic: str, version: str) -> None:
        """Fetch the list when the version's content did not come in time (as live.js)."""
        await asyncio.sleep(CONTENT_WAIT_S)
        if newer(version, self.shown.get(topic)):
            await self.fetch(topic.partition(":")[0])

    def on_content(self, data: dict) -> None:
        """Pushed content: apply it on the version shown, else fetch the list."""
        topic = data["topic"]
        shown = self.shown.get(topic)
        if shown is not None and not newer(data["version"], shown):
            return
        kind = topic.partition(":")[0]
        if not (data["full"] or data["base"] == shown):
            asyncio.get_running_loop().create_task(self.fetch(kind))
            return
        self.shown[topic] = data["version"]
        self.seen.pushed[kind] += 1
        if kind == "qa":
            self.show(data["order"])
            return
        for poll_id, item in data["items"].items():
            found = COUNT.search(item)
            self.count(int(poll_id), int(found.group(1)) if found else 0)


async def _pages(seen: Seen, apps: list[str], lives: list[str], tokens: list[tuple[int, str]],
                 sid: int, path: str, stop_at: float) -> None:  # fmt: skip
    """This process's pages: each holds its stream and sends its heartbeats and status polls."""
    gate = asyncio.Semaphore(FETCHES_IN_FLIGHT)
    tasks = []
    for i, token in tokens:
        page = Viewer(seen, apps[i % len(apps)], lives[i % len(lives)], token, sid, gate)
        tasks += [page.listen(path, stop_at), page.every("beat", HEARTBEAT_S, stop_at),
                  page.every("status", STATUS_S, stop_at)]  # fmt: skip
    await asyncio.gather(*tasks)


def _page_process(args: tuple) -> Seen:
    """A driver process (the target of the pool): run its pages until the phase ends."""
    apps, lives, tokens, sid, path, stop_at = args
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4 * len(tokens) + 1024)), hard))
    seen = Seen()
    asyncio.run(_pages(seen, apps, lives, tokens, sid, path, stop_at))
    return seen


async def _moderator(staff: Staff, base: str, stream_id: int, asker: str, moderator: str,
                     every: float, stop_at: float) -> None:  # fmt: skip
    """Open a poll, then ask and approve a question every `every` seconds."""
    path = f"/api/v1/activities/{stream_id}/questions"
    auth = {"Authorization": f"Bearer {moderator}"}
    poll = {"question": "Herken je dit?", "kind": "single", "options": ["ja", "nee", "soms"]}
    status, _, raw = await _http(base, "POST", f"/api/v1/activities/{stream_id}/polls", auth, poll)
    staff.statuses[("poll made", status)] += 1
    if status == 201:
        poll_id = json.loads(raw)["id"]
        status, _, _ = await _http(base, "POST", f"/api/v1/polls/{poll_id}/open", auth)
        staff.statuses[("poll opened", status)] += 1
        staff.poll_id = poll_id if status == 200 else 0  # the voters start now
    n = 0
    # The last approval leaves the pages a few seconds to show it before the phase ends.
    while time.monotonic() + every + 4.0 < stop_at:
        await asyncio.sleep(every)
        n += 1
        status, _, raw = await _http(base, "POST", path, {"Authorization": f"Bearer {asker}"},
                                     {"text": f"Vraag {n} uit de zaal?"})  # fmt: skip
        if status != 201:
            staff.statuses[("ask", status)] += 1
            continue
        qid = json.loads(raw)["id"]
        sent = time.monotonic()
        status, _, _ = await _http(base, "PATCH", f"/api/v1/questions/{qid}", auth,
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
        status, _, raw = await _http(apps[i % len(apps)], "POST", path,
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
    began, driver_cpu = time.monotonic(), _cpu_of_driver()
    stop_at = began + seconds
    pages = list(enumerate(setup["tokens"][:viewers]))
    staff = Staff()
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(DRIVER_PROCESSES, mp_context=context) as pool:
        parts = [pool.submit(_page_process, (apps, lives, pages[k::DRIVER_PROCESSES],
                                             setup["stream_id"], path, stop_at))
                 for k in range(DRIVER_PROCESSES)]  # fmt: skip
        asyncio.run(_staff(staff, apps, setup, viewers, every, stop_at))
        seen = [part.result() for part in parts]
    took, driver_cpu = time.monotonic() - began, _cpu_of_driver() - driver_cpu
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
        "driver CPU (% of a core)": 100 * driver_cpu / took,
        "errors": sum(n for (_, status), n in statuses.items() if status not in ok),
    }


def _cpu_of_driver() -> float:
    """CPU seconds of this process and its ended children (the pages' processes)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


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
