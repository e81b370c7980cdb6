"""The online day through Server-Sent Events: thousands of open streams, the Q&A pushed.

Every simulated watch page holds one event stream (`/live/events`, served by the stream-only
app under `gunicorn -k gevent`) and does what qa.js does: it applies the Q&A's pushed content
(the approved questions that changed since the version it shows), and fetches the list from the
web workers (with If-None-Match) only when a change cannot be applied or its content does not
come within 1.5 s of the version event. It also sends a heartbeat every 60 s and asks the stream
status every 30 s. A moderator asks and approves a question every few seconds through the first
web server. One asyncio loop holds all the sockets. Measured: the delay from the approval to the
event and to the question shown on the page, fetches, updates delivered per second, the servers'
CPU per 1,000 viewers (web and stream processes), errors.
"""

from __future__ import annotations

import asyncio
import json
import random
import resource
import time
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bench.common import ServerSettings, gunicorn, percentile
from conference.live_events import newer

# As qa.js: how long a page waits for a version's content before it fetches the list.
CONTENT_WAIT_S = 1.5
# A pushed list line can be long (every question of a busy Q&A on a connect).
LINE_LIMIT = 1 << 22

HEARTBEAT_S, STATUS_S = 60.0, 30.0
# Fetches in flight at once from the driver: a browser population does not queue, but more
# than this only fills gunicorn's accept queue (backlog 256) and the driver's own core.
FETCHES_IN_FLIGHT = 128
LIVE_SETTINGS = ServerSettings(workers=1, worker_class="gevent",
                               extra=("--worker-connections", "10000"))  # fmt: skip


@dataclass
class Figures:
    """What one phase measured."""

    statuses: Counter = field(default_factory=Counter)
    event_delays: list[float] = field(default_factory=list)
    fetch_delays: list[float] = field(default_factory=list)
    pushed: int = 0
    approved: dict[int, float] = field(default_factory=dict)
    streams_open: int = 0


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
    """One open watch page: its event stream, its Q&A list and its periodic requests."""

    def __init__(self, figures: Figures, app: str, live: str, token: str, stream_id: int,
                 gate: asyncio.Semaphore) -> None:  # fmt: skip
        self.figures, self.app, self.live, self.gate = figures, app, live, gate
        self.headers = {"Authorization": f"Bearer {token}"}
        self.stream_id = stream_id
        self.etag: str | None = None
        self.shown: str | None = None  # the Q&A version the page shows
        self.seen: set[int] = set()
        self.evented: set[int] = set()

    def show(self, ids) -> None:
        """The page now shows these questions: note the delay of each newly approved one."""
        now = time.monotonic()
        for qid in ids:
            if qid not in self.seen and qid in self.figures.approved:
                self.figures.fetch_delays.append(now - self.figures.approved[qid])
            self.seen.add(qid)

    async def fetch(self, kind: str) -> None:
        """The Q&A list (after an event), the status or a heartbeat, counted."""
        sid = self.stream_id
        if kind == "qa":
            path, method = f"/api/v1/activities/{sid}/questions", "GET"
            headers = {**self.headers, **({"If-None-Match": self.etag} if self.etag else {})}
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
        self.figures.statuses[(kind, status)] += 1
        if kind == "qa" and status == 200:
            self.etag = answer.get("ETag")
            self.shown = answer.get("X-Live-Version") or self.shown
            self.show(q["id"] for q in json.loads(payload)["questions"])

    async def every(self, kind: str, period: float, stop_at: float) -> None:
        """A periodic request from a random first moment (pages open at different times)."""
        await asyncio.sleep(random.random() * period)
        while time.monotonic() < stop_at:
            await self.fetch(kind)
            await asyncio.sleep(period)

    async def listen(self, path: str, stop_at: float) -> None:
        """Hold the event stream; on a new Q&A version, note the delay and fetch the list."""
        parts = urlsplit(self.live)
        try:
            reader, writer = await asyncio.open_connection(
                parts.hostname, parts.port, limit=LINE_LIMIT
            )
        except OSError:
            self.figures.statuses[("stream", 0)] += 1
            return
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
                     "Accept: text/event-stream\r\n\r\n".encode())  # fmt: skip
        try:
            status_line = (await reader.readline()).split()
            status = int(status_line[1]) if len(status_line) > 1 else 0
            self.figures.statuses[("stream", status)] += 1
            if status != 200:
                return
            self.figures.streams_open += 1
            kind = b""
            while time.monotonic() < stop_at:
                line = await asyncio.wait_for(reader.readline(), stop_at - time.monotonic())
                if not line:
                    self.figures.statuses[("stream closed", 0)] += 1
                    return
                if line.startswith(b"event: "):
                    kind = line[7:].strip()
                elif line.startswith(b"data: {"):
                    data = json.loads(line[6:])
                    if kind == b"content":
                        self.on_content(data)
                    elif data["topic"].startswith("qa:"):
                        self.on_version(data["version"])
        except TimeoutError:
            pass
        except OSError:
            self.figures.statuses[("stream broke", 0)] += 1
        finally:
            writer.close()

    def on_version(self, version: str) -> None:
        """A version event: the first is the page's own; a newer one waits for its content."""
        if self.shown is None:
            self.shown = version
            return
        if not newer(version, self.shown):
            return
        now = time.monotonic()
        for qid, at in self.figures.approved.items():
            if qid not in self.evented and at <= now:
                self.evented.add(qid)
                self.figures.event_delays.append(now - at)
        asyncio.get_running_loop().create_task(self.fall_back(version))

    async def fall_back(self, version: str) -> None:
        """Fetch the list when the version's content did not come in time (as qa.js)."""
        await asyncio.sleep(CONTENT_WAIT_S)
        if newer(version, self.shown):
            await self.fetch("qa")

    def on_content(self, data: dict) -> None:
        """Pushed content: apply it on the version shown, else fetch the list."""
        if self.shown is not None and not newer(data["version"], self.shown):
            return
        if data["full"] or data["base"] == self.shown:
            self.shown = data["version"]
            self.figures.pushed += 1
            self.show(data["order"])
        else:
            asyncio.get_running_loop().create_task(self.fetch("qa"))


async def _moderator(figures: Figures, base: str, stream_id: int, asker: str, moderator: str,
                     every: float, stop_at: float) -> None:  # fmt: skip
    path = f"/api/v1/activities/{stream_id}/questions"
    n = 0
    while time.monotonic() + every < stop_at:
        await asyncio.sleep(every)
        n += 1
        status, _, raw = await _http(base, "POST", path, {"Authorization": f"Bearer {asker}"},
                                     {"text": f"Vraag {n} uit de zaal?"})  # fmt: skip
        if status != 201:
            figures.statuses[("ask", status)] += 1
            continue
        qid = json.loads(raw)["id"]
        figures.approved[qid] = time.monotonic()  # from the moment the approval is sent
        status, _, _ = await _http(base, "PATCH", f"/api/v1/questions/{qid}",
                                   {"Authorization": f"Bearer {moderator}"},
                                   {"status": "approved"})  # fmt: skip
        figures.statuses[("approve", status)] += 1


async def _drive(figures: Figures, apps: list[str], lives: list[str], setup: dict, path: str,
                 viewers: int, seconds: float, every: float) -> float:  # fmt: skip
    gate = asyncio.Semaphore(FETCHES_IN_FLIGHT)
    stop_at = time.monotonic() + seconds
    tokens, sid = setup["tokens"], setup["stream_id"]
    tasks = []
    for i in range(viewers):
        page = Viewer(figures, apps[i % len(apps)], lives[i % len(lives)], tokens[i], sid, gate)
        tasks += [page.listen(path, stop_at), page.every("beat", HEARTBEAT_S, stop_at),
                  page.every("status", STATUS_S, stop_at)]  # fmt: skip
    # The moderator starts once the pages had time to open their streams.
    tasks.append(_moderator(figures, apps[0], sid, tokens[-1], setup["moderator"], every,
                            stop_at))  # fmt: skip
    began = time.monotonic()
    await asyncio.gather(*tasks)
    return time.monotonic() - began


def run_phase(apps: list[str], lives: list[str], setup: dict, path: str, viewers: int,
              seconds: float, every: float) -> dict:  # fmt: skip
    """Drive `viewers` pages over the web servers `apps` and stream servers `lives`."""
    from bench.bench_online_day import server_cpu_seconds

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4 * viewers + 1024)), hard))
    figures = Figures()
    app_ports = [urlsplit(b).port for b in apps]
    live_ports = [urlsplit(b).port for b in lives]
    app_cpu = sum(map(server_cpu_seconds, app_ports))
    live_cpu = sum(map(server_cpu_seconds, live_ports))
    took = asyncio.run(_drive(figures, apps, lives, setup, path, viewers, seconds, every))
    app_cpu = sum(map(server_cpu_seconds, app_ports)) - app_cpu
    live_cpu = sum(map(server_cpu_seconds, live_ports)) - live_cpu
    ok = {200, 201, 204, 304}
    errors = sum(n for (_, status), n in figures.statuses.items() if status not in ok)
    per_1000 = 100 / took / viewers * 1000
    return {
        "streams open": figures.streams_open,
        "requests per second": sum(figures.statuses.values()) / took,
        "updates delivered per second": len(figures.fetch_delays) / took,
        "pushed changes applied": figures.pushed,
        "list fetches": sum(n for (kind, _), n in figures.statuses.items() if kind == "qa"),
        "event delay p50 (s)": percentile(figures.event_delays, 50),
        "event delay p99 (s)": percentile(figures.event_delays, 99),
        "delivery delay (question shown) p50 (s)": percentile(figures.fetch_delays, 50),
        "delivery delay (question shown) p99 (s)": percentile(figures.fetch_delays, 99),
        "web CPU per 1,000 viewers (% of a core)": app_cpu * per_1000,
        "stream CPU per 1,000 viewers (% of a core)": live_cpu * per_1000,
        "errors": errors,
        "questions approved": len(figures.approved),
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
        attributes = str(live_events.attributes(f"qa:{stream_id}"))
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
