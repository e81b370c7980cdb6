"""One simulated watch page of the online-day benchmark, and a driver process holding many.

A page holds its event stream and does what live.js, qa.js and polls.js do: it applies pushed
content on the version it shows, and fetches a list only when a change cannot be applied or its
content does not come within CONTENT_WAIT_S of its version event. It notes when it first shows
each question and each poll count; `bench/_online_day_sse.py` works out the delays.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import resource
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from conference.live_events import newer

# As live.js: how long a page waits for a version's content before it fetches the list (plus
# a part of the spread of its own).
CONTENT_WAIT_S, CONTENT_SPREAD_S = 1.5, 3.0
# A pushed list line can be long (every question of a busy Q&A on a connect).
LINE_LIMIT = 1 << 22
COUNT = re.compile(r"(\d+) (?:persoon stemde|personen stemden)")
# While its live stream is open a page asks the status only at the stream's start and end and
# every 5 minutes as a net (watch.js); the heartbeat stays once a minute.
HEARTBEAT_S, STATUS_S = 60.0, 300.0
# Fetches in flight at once per driver process: a browser population does not queue, but more
# than this only fills gunicorn's accept queue (backlog 256) and the driver's own core.
FETCHES_IN_FLIGHT = 64
REQUEST_TIMEOUT_S = 10.0


@dataclass
class Seen:
    """What the pages of one driver process observed (the parent works out the delays)."""

    statuses: Counter = field(default_factory=Counter)
    questions: list[tuple[int, float]] = field(default_factory=list)  # (id, first shown at)
    counts: list[tuple[int, int, float]] = field(default_factory=list)  # (poll, count, at)
    pushed: Counter = field(default_factory=Counter)
    streams_open: int = 0
    cpu_seconds: float = 0.0  # this driver process's own


async def send(base: str, method: str, path: str, headers: dict, body=None):
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


class EventStream(asyncio.Protocol):
    """A page's event stream, read in the loop's callback: a task per read would cost the driver
    more CPU than the stream process spends writing, and the driver shares the machine."""

    def __init__(self, page: Viewer) -> None:
        self.page, self.status, self.kind = page, None, b""
        self.rest = b""
        self.closed = asyncio.get_running_loop().create_future()

    def data_received(self, data: bytes) -> None:
        """Complete lines of the stream: the status line first, then the events' lines."""
        lines = (self.rest + data).split(b"\n")
        self.rest = lines.pop()
        if len(self.rest) > LINE_LIMIT:
            self.rest = b""  # not an event stream
        if self.status is None:
            status_line = lines.pop(0).split() if lines else []
            self.status = int(status_line[1]) if len(status_line) > 1 else 0
            self.page.seen.statuses[("stream", self.status)] += 1
            if self.status != 200:
                self.closed.done() or self.closed.set_result(None)
                return
            self.page.seen.streams_open += 1
        for line in lines:
            if line.startswith(b"event: "):
                self.kind = line[7:].strip()
            elif line.startswith(b"data: {"):
                self.page.on_event(self.kind, line)

    def connection_lost(self, exc: Exception | None) -> None:
        """The server closed the stream (or it broke) before the phase's end."""
        if not self.closed.done():
            self.page.seen.statuses[("stream broke" if exc else "stream closed", 0)] += 1
            self.closed.set_result(None)


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
        self.fetching: set[str] = set()  # the kinds of request in flight

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
        self.fetching.add(kind)
        try:
            await self._fetch(kind)
        finally:
            self.fetching.discard(kind)

    async def _fetch(self, kind: str) -> None:
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
                # A page gives up after a while (a browser's fetch would too), so a phase ends
                # on time and its per-second figures stay true; a timeout counts as an error.
                status, answer, payload = await asyncio.wait_for(
                    send(self.app, method, path, headers, {} if method == "POST" else None),
                    REQUEST_TIMEOUT_S,
                )
            except (OSError, TimeoutError):
                status, answer, payload = 0, {}, b""
        self.seen.statuses[(kind, status)] += 1
        if kind in ("qa", "polls") and status == 200:
            self.etags[kind] = answer.get("ETag", "")
            topic = f"{kind}:{sid}"
            fetched = answer.get("X-Live-Version")
            if fetched and newer(fetched, self.shown.get(topic)):  # else pushed was newer (live.js)
                self.shown[topic] = fetched
            body = json.loads(payload)
            if kind == "qa":
                self.show(q["id"] for q in body["questions"])
            else:
                for poll in body["polls"]:
                    self.count(poll["id"], poll["votes"])

    async def every(self, kind: str, period: float, stop_at: float) -> None:
        """A periodic request from a random first moment (pages open at different times)."""
        # Never past the phase's end: a page whose first status poll falls after it (they
        # come every 5 minutes) would hold the phase open for minutes.
        await asyncio.sleep(min(random.random() * period, max(0.0, stop_at - time.monotonic())))
        while time.monotonic() < stop_at:
            await self.fetch(kind)
            await asyncio.sleep(min(period, max(0.0, stop_at - time.monotonic())))

    async def listen(self, path: str, stop_at: float) -> None:
        """Hold the event stream and act on its events as the page's scripts do."""
        parts = urlsplit(self.live)
        loop = asyncio.get_running_loop()
        try:
            transport, stream = await asyncio.wait_for(
                loop.create_connection(lambda: EventStream(self), parts.hostname, parts.port),
                max(0.1, stop_at - time.monotonic()),
            )
        except (OSError, TimeoutError):
            self.seen.statuses[("stream", 0)] += 1
            return
        transport.write(f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
                        "Accept: text/event-stream\r\n\r\n".encode())  # fmt: skip
        try:
            await asyncio.wait_for(asyncio.shield(stream.closed), stop_at - time.monotonic())
        except TimeoutError:
            pass
        finally:
            if not stream.closed.done():
                stream.closed.set_result(None)  # the phase's end, not the server's
            transport.close()
        if stream.status is None:
            self.seen.statuses[("stream", 0)] += 1

    def on_event(self, kind: bytes, line: bytes) -> None:
        """One event's data line, as live.js hands it on."""
        data = json.loads(line[6:])
        if kind == b"content":
            self.on_content(data)
        elif data["topic"].startswith(("qa:", "polls:")):
            self.on_version(data["topic"], data["version"])

    def on_version(self, topic: str, version: str) -> None:
        """A version event: the first is the page's own; a newer one waits for its content."""
        shown = self.shown.get(topic)
        if shown is None:
            self.shown[topic] = version
        elif newer(version, shown):
            asyncio.get_running_loop().create_task(self.fall_back(topic, version))

    async def fall_back(self, topic: str, version: str) -> None:
        """Fetch the list when the version's content did not come in time (as live.js)."""
        await asyncio.sleep(CONTENT_WAIT_S + random.random() * CONTENT_SPREAD_S)
        kind = topic.partition(":")[0]
        if newer(version, self.shown.get(topic)) and kind not in self.fetching:
            await self.fetch(kind)

    def on_content(self, data: dict) -> None:
        """Pushed content: apply it on the version shown, else fetch the list."""
        topic = data["topic"]
        shown = self.shown.get(topic)
        if shown is not None and not newer(data["version"], shown):
            return
        kind = topic.partition(":")[0]
        # As live.js: a change applies on what the page shows from its base on.
        if not (data["full"] or (shown is not None and not newer(data["base"], shown))):
            if kind not in self.fetching:  # as the lists' own guard: one fetch at a time
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


def page_process(args: tuple) -> Seen:
    """A driver process (the target of the pool): run its pages until the phase ends."""
    apps, lives, tokens, sid, path, stop_at = args
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4 * len(tokens) + 1024)), hard))
    seen = Seen()
    began = time.process_time()
    asyncio.run(_pages(seen, apps, lives, tokens, sid, path, stop_at))
    seen.cpu_seconds = time.process_time() - began
    return seen
