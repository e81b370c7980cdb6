"""A small Server-Sent Events reader for the tests (a real HTTP connection, line by line)."""

from __future__ import annotations

import http.client
import json
import time
from urllib.parse import urlsplit


class EventStream:
    """An open `text/event-stream` response; `next_event` reads one event (or comment)."""

    def __init__(self, base: str, path: str, headers: dict | None = None, timeout: float = 5):
        parts = urlsplit(base)
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
        self.conn.request("GET", path, headers={"Accept": "text/event-stream", **(headers or {})})
        self.response = self.conn.getresponse()
        self.status = self.response.status
        self.headers = dict(self.response.getheaders())

    def __enter__(self) -> EventStream:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Hang up (the server notices at its next write)."""
        self.response.close()  # it holds the socket too
        self.conn.close()

    def next_event(self) -> dict:
        """The next block: {"event", "data", "retry", "comment"} as far as it has them."""
        block: dict = {}
        while True:
            line = self.response.readline().decode()
            if line == "":
                raise EOFError("the stream ended")
            line = line.rstrip("\r\n")
            if not line:
                if block:
                    return block
                continue
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            key = field or "comment"
            block[key] = json.loads(value) if key == "data" else value

    def versions(self, count: int) -> dict[str, str]:
        """The next `count` version events as {topic: version}."""
        found: dict[str, str] = {}
        while len(found) < count:
            block = self.next_event()
            if block.get("event") == "version":
                found[block["data"]["topic"]] = block["data"]["version"]
        return found

    def wait_for(self, topic: str, seconds: float, known: str = "") -> tuple[str, float]:
        """The next version of `topic` other than `known` (a page ignores a version it has,
        e.g. the stamps sent again after the server re-subscribed) and how long it took."""
        began = time.monotonic()
        while time.monotonic() - began < seconds:
            block = self.next_event()
            data = block.get("data") or {}
            # A topic that carries content announces its new version with the content.
            if (
                block.get("event") in ("version", "content")
                and data["topic"] == topic
                and data["version"] != known
            ):
                return data["version"], time.monotonic() - began
        raise AssertionError(f"no event for {topic} within {seconds} s")

    def wait_content(self, topic: str, seconds: float, shows) -> tuple[dict, float]:
        """The next content event of `topic` for which `shows(data)` holds, and how long it took."""
        began = time.monotonic()
        while time.monotonic() - began < seconds:
            block = self.next_event()
            data = block.get("data") or {}
            if block.get("event") == "content" and data["topic"] == topic and shows(data):
                return data, time.monotonic() - began
        raise AssertionError(f"no content for {topic} within {seconds} s")
