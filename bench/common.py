"""Shared helpers of the HTTP benchmarks: a fresh PostgreSQL database, gunicorn, a bounded load
driver, a bare Flask baseline that does one INSERT per request through SQLAlchemy Core, and the
physical reference: the same with one persistent psycopg connection per worker.

Usage from a benchmark module:

    with fresh_database("mybench") as url:
        prepare(url)                       # schema and data, in this process
        create_baseline_table(url)
        env = app_env(url)
        with gunicorn("conference:create_app()", env) as app, \
                gunicorn("bench.common:baseline_app()", env) as bare:
            result = drive(app, lambda i: ("POST", "/api/v1/…", {...}), total=2000, clients=32)
            baseline = drive(bare, lambda i: ("POST", "/insert", {"email": f"{i}@x"}), 2000, 32)
        print(result.rate, result.p50, result.p99, result.errors, baseline.rate)
"""

from __future__ import annotations

import contextlib
import http.client
import itertools
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = Path(sys.executable).with_name("gunicorn")
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"


def pg_admin_url() -> str:
    """The PostgreSQL server: BENCH_DATABASE_URL, TEST_DATABASE_URL or the local one (psycopg 3)."""
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL") or DEFAULT_PG
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix) :]
    return url


@contextlib.contextmanager
def fresh_database(label: str) -> Iterator[str]:
    """A new, empty database `swc_bench_<label>` on the server, dropped afterwards."""
    admin_url = pg_admin_url()
    name = f"swc_bench_{label}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextlib.contextmanager
def sqlite_database(label: str) -> Iterator[str]:
    """A new SQLite file for the embedded case (the `make run` default), removed afterwards."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix=f"swc-bench-{label}-") as folder:
        yield f"sqlite:///{folder}/bench.sqlite3"


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of an app under gunicorn: its database, no rate limits, no SMTP."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": extra.pop("SECRET_KEY", "bench-" + secrets.token_hex(16)),
        "APP_ENV": "development",
        "RATELIMIT_ENABLED": "false",
        "SMTP_URL": "",
        "BASE_URL": "http://127.0.0.1",
        "PYTHONPATH": str(ROOT),
        **extra,
    }


BENCH_REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")


def live_env(label: str) -> dict[str, str]:
    """Redis for the live stamps, as production with several workers runs (a prefix per run).

    With it the workers share the conference's stamp, so each keeps the conference's settings
    cached (conference/snapshot.py); without it every request reads the row.
    """
    prefix = f"swc:bench:{label}:{secrets.token_hex(4)}"
    return {"REDIS_URL": BENCH_REDIS_URL, "LIVE_PREFIX": prefix}


@dataclass(frozen=True)
class ServerSettings:
    """gunicorn settings, the same for the app and its baseline."""

    workers: int = 4
    threads: int = 1
    worker_class: str = "sync"
    extra: tuple[str, ...] = ()  # more options, e.g. gevent's --worker-connections

    def args(self) -> list[str]:
        """The gunicorn command-line options."""
        args = ["-w", str(self.workers), "-k", self.worker_class]
        if self.worker_class == "gthread":
            args += ["--threads", str(self.threads)]
        return [*args, *self.extra]

    def describe(self) -> str:
        """For the report: e.g. '4 sync workers'."""
        if self.worker_class == "gthread":
            return f"{self.workers} gthread workers x {self.threads} threads"
        return f"{self.workers} {self.worker_class} workers"


@contextlib.contextmanager
def gunicorn(
    app_spec: str,
    env: dict[str, str],
    settings: ServerSettings = ServerSettings(),
    ready_path: str = "/healthz",
) -> Iterator[str]:
    """Serve `app_spec` with gunicorn on 127.0.0.1 and a free port; yields the base URL."""
    port = free_port()
    command = [str(GUNICORN), *settings.args(), "-b", f"127.0.0.1:{port}"]
    command += ["--log-level", "warning", "--timeout", "60", "--backlog", "256", app_spec]
    proc = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 40
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn {app_spec} exited with {proc.returncode}")
            with contextlib.suppress(OSError):
                if request(url, "GET", ready_path)[0] < 500:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn {app_spec} did not start")
            time.sleep(0.2)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)  # the group we started, by its id
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def request(
    base: str, method: str, path: str, body: Any = None, headers: dict | None = None
) -> tuple[int, bytes]:
    """One HTTP request on a new connection."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        data = json.dumps(body).encode() if body is not None else None
        all_headers = {"Content-Type": "application/json"} if data is not None else {}
        all_headers.update(headers or {})
        conn.request(method, path, body=data, headers=all_headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) by nearest rank."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


@dataclass
class LoadResult:
    """What a load run measured."""

    requests: int
    seconds: float
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    errors: int = 0  # transport errors and answers not in `ok`
    bodies: list[bytes] = field(default_factory=list)

    @property
    def rate(self) -> float:
        """Completed requests per second."""
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def p50(self) -> float:
        """Median latency in ms."""
        return percentile(self.latencies_ms, 50)

    @property
    def p99(self) -> float:
        """99th percentile latency in ms."""
        return percentile(self.latencies_ms, 99)


def merge(parts: Sequence[LoadResult]) -> LoadResult:
    """One result from several runs of the same load (their times add up)."""
    total = LoadResult(requests=0, seconds=0.0)
    for part in parts:
        total.requests += part.requests
        total.seconds += part.seconds
        total.latencies_ms += part.latencies_ms
        total.statuses.update(part.statuses)
        total.errors += part.errors
        total.bodies += part.bodies
    return total


def drive(
    base: str,
    make_request: Callable[[int], tuple[str, str, Any]],
    total: int,
    clients: int = 32,
    ok: Sequence[int] = (200, 201, 204),
    keep_bodies: bool = False,
    time_limit: float = 120.0,
) -> LoadResult:
    """Send `total` requests from `clients` concurrent clients (threads, one connection each).

    `make_request(i)` gives (method, path, JSON body) of request i. Bounded by `total` and by
    `time_limit` seconds. Every client keeps its connection open while the server allows it.
    """
    parts = urlsplit(base)
    numbers = itertools.count()
    lock = threading.Lock()
    result = LoadResult(requests=0, seconds=0.0)
    start_gate = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def client() -> None:
        conn: http.client.HTTPConnection | None = None
        start_gate.wait()
        while True:
            with lock:
                i = next(numbers)
            if i >= total or time.monotonic() > stop_at[0]:
                break
            method, path, body = make_request(i)
            data = json.dumps(body).encode() if body is not None else None
            headers = {"Content-Type": "application/json"} if data is not None else {}
            began = time.perf_counter()
            status, payload = 0, b""
            for attempt in range(2):  # a kept-alive connection the server closed: reconnect once
                try:
                    if conn is None:
                        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
                    conn.request(method, path, body=data, headers=headers)
                    response = conn.getresponse()
                    payload = response.read()
                    status = response.status
                    if response.will_close:
                        conn.close()
                        conn = None
                    break
                except (http.client.HTTPException, OSError):
                    if conn is not None:
                        conn.close()
                    conn = None
                    if attempt:
                        status = 0
            elapsed = (time.perf_counter() - began) * 1000
            with lock:
                result.requests += 1
                result.latencies_ms.append(elapsed)
                result.statuses[status] += 1
                if status not in ok:
                    result.errors += 1
                if keep_bodies:
                    result.bodies.append(payload)
        if conn is not None:
            conn.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for t in threads:
        t.start()
    began = time.perf_counter()
    stop_at[0] = time.monotonic() + time_limit
    start_gate.wait()
    for t in threads:
        t.join()
    result.seconds = time.perf_counter() - began
    return result


# --- the baseline: a bare Flask endpoint doing one INSERT ---------------------------------------

BASELINE_TABLE = sa.Table(
    "bench_baseline",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("email", sa.String(254), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
)


def create_baseline_table(database_url: str) -> None:
    """The table the baseline inserts into."""
    engine = sa.create_engine(database_url)
    BASELINE_TABLE.create(engine, checkfirst=True)
    engine.dispose()


def baseline_app():
    """gunicorn target: Flask, a JSON body in, one INSERT through SQLAlchemy Core, 201 out."""
    from flask import Flask, jsonify, request

    url = os.environ["DATABASE_URL"]
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix) :]
    engine = sa.create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        from conference.db import configure_sqlite

        # The same WAL mode, busy timeout and synchronous setting as the app's SQLite.
        configure_sqlite(engine)
    app = Flask("baseline")

    @app.post("/insert")
    def insert():
        data = request.get_json()
        with engine.begin() as conn:
            new_id = conn.execute(
                BASELINE_TABLE.insert()
                .values(email=data["email"], body=json.dumps(data))
                .returning(BASELINE_TABLE.c.id)
            ).scalar_one()
        return jsonify({"id": new_id}), 201

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    return app


def physical_app():
    """gunicorn target: Flask, one persistent psycopg connection per worker, one INSERT each."""
    import psycopg
    from flask import Flask, jsonify, request

    url = os.environ["DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")
    sql = "INSERT INTO bench_baseline (email, body) VALUES (%s, %s) RETURNING id"
    state: dict[str, Any] = {}
    app = Flask("physical")

    def connection():
        # Opened lazily, so each forked worker gets its own; autocommit is one round trip.
        conn = state.get("conn")
        if conn is None or conn.closed:
            conn = state["conn"] = psycopg.connect(url, autocommit=True)
        return conn

    @app.post("/insert")
    def insert():
        data = request.get_json()
        row = connection().execute(sql, (data["email"], json.dumps(data))).fetchone()
        return jsonify({"id": row[0]}), 201

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    return app


def reference_rows(name: str, run: LoadResult, ref: LoadResult | None, metric: str) -> list[dict]:
    """The rows comparing a run with the physical reference (none without one)."""
    if ref is None or not ref.rate:
        return []
    print(
        f"physical reference: {ref.rate:,.0f} req/s, p50 {ref.p50:.1f} ms, p99 {ref.p99:.1f} ms, "
        f"errors {ref.errors}",
        flush=True,
    )
    return [
        {"benchmark": name, "metric": f"{metric} vs physical reference",
         "value": round(run.rate, 1), "unit": "req/s", "baseline": round(ref.rate, 1),
         "ratio": round(run.rate / ref.rate, 3)},
        {"benchmark": name, "metric": "latency p99 vs physical reference",
         "value": round(run.p99, 1), "unit": "ms", "baseline": round(ref.p99, 1),
         "ratio": round(run.p99 / ref.p99, 2) if ref.p99 else None},
    ]  # fmt: skip


def print_rows(rows: list[dict]) -> None:
    """The rows as a Markdown table."""
    print("| metric | value | unit | baseline | ratio |")
    print("| --- | ---: | --- | ---: | ---: |")
    for row in rows:
        base = row.get("baseline")
        ratio = row.get("ratio")
        print(
            f"| {row['metric']} | {_fmt(row['value'])} | {row.get('unit') or ''} "
            f"| {_fmt(base)} | {_fmt(ratio)} |"
        )


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return f"{value:,}" if isinstance(value, int) else str(value)
