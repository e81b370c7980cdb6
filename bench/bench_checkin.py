"""Check-in benchmark: 8 concurrent scanners redeeming 2,000 tickets on gunicorn + PostgreSQL.

Run from the repository root: `python -m bench.bench_checkin [--quick]`. Reports scans per
second and the p50/p99 latency of `POST /api/v1/checkin/redeem`, against a bare-Flask endpoint
that does one INSERT per request, served the same way in the same run (the floor any real
endpoint stands on). Then the time from a decoded QR code to the verdict on screen, measured in
Chromium by the scanner page itself (performance.now() around the verdict's first frame), online
and with the network cut (decided with the list on the device).
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import threading
import time
import uuid
from collections import Counter

import sqlalchemy as sa

from bench._checkin_support import prepare_checkin_database
from bench.common import (
    ServerSettings,
    app_env,
    create_baseline_table,
    fresh_database,
    gunicorn,
    live_env,
    percentile,
    request,
)

SCANNERS = 8
SERVER = ServerSettings(workers=4)  # the same for the app and the baseline
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def load(base: str, path: str, bodies: list[dict], headers: dict, scanners: int = SCANNERS):
    """Send `bodies` from `scanners` threads at once; wall time, latencies, status counts."""
    latencies: list[float] = []
    statuses: Counter = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(scanners + 1)

    def scanner(share: list[dict]) -> None:
        mine, codes = [], Counter()
        barrier.wait()
        for body in share:
            t0 = time.perf_counter()
            status, _ = request(base, "POST", path, body, headers)
            mine.append(time.perf_counter() - t0)
            codes[status] += 1
        with lock:
            latencies.extend(mine)
            statuses.update(codes)

    threads = [
        threading.Thread(target=scanner, args=(bodies[i::scanners],)) for i in range(scanners)
    ]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    return time.perf_counter() - started, latencies, statuses


def chromium() -> str | None:
    """Debian's Chromium, if installed."""
    for candidate in ("/usr/lib/chromium/chromium", "/usr/bin/chromium"):
        if os.path.exists(candidate):
            return candidate
    return shutil.which("chromium")


def browser_timing(base: str, info: dict, secrets_: list[str]) -> dict[str, list[float]]:
    """Decoded text → verdict painted, in ms, online then offline, from the page's own marks."""
    path = chromium()
    if path is None:
        print("  chromium not installed: browser timing skipped")
        return {}
    from playwright.sync_api import sync_playwright

    half = len(secrets_) // 2
    results: dict[str, list[float]] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        context = browser.new_context(locale="nl-BE", viewport={"width": 412, "height": 860})
        page = context.new_page()
        page.goto(f"{base}/beheer/login?next=/scanner/entrance")
        page.get_by_label("E-mailadres").fill(info["email"])
        page.get_by_label("Wachtwoord").fill(info["password"])
        page.get_by_role("button", name="Inloggen", exact=True).click()
        page.wait_for_url("**/scanner/entrance")
        page.wait_for_function(
            "() => document.getElementById('scanner').dataset.list === 'ready'", timeout=60000
        )
        for label, batch in (("online", secrets_[:half]), ("offline", secrets_[half:])):
            context.set_offline(label == "offline")
            samples = []
            for secret in batch:
                page.evaluate("url => window.scanner.handleDecoded(url)", f"{base}/t/{secret}")
                page.wait_for_function(
                    "n => window.scanner.metrics.samples.length >= n",
                    arg=len(results.get("online", [])) + len(samples) + 1,
                )
                samples.append(page.evaluate("() => window.scanner.metrics.last.paint_ms"))
                page.keyboard.press("Escape")
            results[label] = samples
        context.set_offline(False)
        page.wait_for_function(
            "() => document.getElementById('queue-count').dataset.count === '0'", timeout=30000
        )
        browser.close()
    return results


def bench(tickets: int, browser_scans: int) -> list[dict]:
    """Set up, run the baseline and the check-in load, then the browser timing; the rows."""
    secret_key = secrets.token_hex(32)
    rows: list[dict] = []
    with fresh_database("checkin") as url:
        t0 = time.perf_counter()
        info = prepare_checkin_database(url, secret_key, tickets + browser_scans)
        load_secrets, browser_secrets = info["secrets"][:tickets], info["secrets"][tickets:]
        engine = sa.create_engine(url)
        create_baseline_table(url)
        print(f"  setup: {tickets + browser_scans:,} tickets in {time.perf_counter() - t0:.1f} s")
        env = app_env(url, SECRET_KEY=secret_key, **live_env("checkin"))

        # The registration benchmark's bare-Flask baseline: one INSERT per request.
        bodies = [
            {"email": f"scan{i}@example.org", "secret": s} for i, s in enumerate(load_secrets)
        ]
        with gunicorn("bench.common:baseline_app()", env, SERVER) as base:
            base_wall, base_lat, base_codes = load(base, "/insert", bodies, {})
        assert base_codes == {201: tickets}, base_codes
        # The physical reference: one persistent psycopg connection per worker, one statement.
        bodies = [{"email": f"p{i}@example.org", "secret": s} for i, s in enumerate(load_secrets)]
        with gunicorn("bench.common:physical_app()", env, SERVER) as phys:
            phys_wall, phys_lat, phys_codes = load(phys, "/insert", bodies, {})
        assert phys_codes == {201: tickets}, phys_codes

        headers = {"Authorization": f"Bearer {info['token']}"}
        bodies = [
            {"secret": s, "checkpoint": "entrance", "nonce": uuid.uuid4().hex, "device": "bench"}
            for s in load_secrets
        ]
        with gunicorn("conference:create_app()", env, SERVER) as base:
            wall, lat, codes = load(base, "/api/v1/checkin/redeem", bodies, headers)
            timing = browser_timing(base, info, browser_secrets) if browser_scans else {}
        assert codes == {201: tickets}, codes
        with engine.connect() as conn:
            recorded = conn.execute(
                sa.text(
                    "SELECT count(*) FROM checkin_scans WHERE status = 'ok' AND device = 'bench'"
                )
            ).scalar()
            inside = conn.execute(
                sa.text("SELECT count(*) FROM checkin_presence WHERE inside")
            ).scalar()
        engine.dispose()
        assert recorded == tickets and inside == tickets + len(browser_secrets) * bool(timing), (
            recorded, inside,
        )  # fmt: skip

    name = f"checkin ({tickets:,} tickets, {SCANNERS} scanners, {SERVER.describe()}, PostgreSQL)"
    rate, base_rate = tickets / wall, tickets / base_wall
    p50, p99 = percentile(lat, 50) * 1000, percentile(lat, 99) * 1000
    b50, b99 = percentile(base_lat, 50) * 1000, percentile(base_lat, 99) * 1000
    rows += [
        {"benchmark": name, "metric": "scans per second", "value": round(rate, 1), "unit": "1/s",
         "baseline": round(base_rate, 1), "ratio": round(rate / base_rate, 3)},
        {"benchmark": name, "metric": "p50 latency", "value": round(p50, 1), "unit": "ms",
         "baseline": round(b50, 1), "ratio": round(p50 / b50, 2)},
        {"benchmark": name, "metric": "p99 latency", "value": round(p99, 1), "unit": "ms",
         "baseline": round(b99, 1), "ratio": round(p99 / b99, 2)},
        {"benchmark": name, "metric": "scans per second vs physical reference",
         "value": round(rate, 1), "unit": "1/s", "baseline": round(tickets / phys_wall, 1),
         "ratio": round(rate * phys_wall / tickets, 3)},
        {"benchmark": name, "metric": "p99 latency vs physical reference", "value": round(p99, 1),
         "unit": "ms", "baseline": round(percentile(phys_lat, 99) * 1000, 1),
         "ratio": round(p99 / (percentile(phys_lat, 99) * 1000), 2)},
    ]  # fmt: skip
    online_p50 = None
    browser = "scanner page (Chromium)"
    for label, samples in timing.items():
        if not samples:
            continue
        med, worst = percentile(samples, 50), percentile(samples, 95)
        if label == "online":
            online_p50 = med
        # Offline is compared with online; the p95 with the limit of half a second.
        versus = online_p50 if label == "offline" else None
        rows += [
            {"benchmark": browser, "metric": f"decoded QR → verdict, {label}, p50",
             "value": round(med, 1), "unit": "ms", "baseline": versus and round(versus, 1),
             "ratio": versus and round(med / versus, 2)},
            {"benchmark": browser, "metric": f"decoded QR → verdict, {label}, p95",
             "value": round(worst, 1), "unit": "ms", "baseline": 500.0,
             "ratio": round(worst / 500.0, 3)},
        ]  # fmt: skip
    return rows


def run(quick: bool = False) -> list[dict]:
    """Rows for `python -m bench`: 2,000 tickets (400 with --quick)."""
    return bench(400 if quick else 2000, 10 if quick else 20)


def main() -> None:
    """Parse the options, run, print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="400 tickets, 10 browser scans")
    parser.add_argument("--tickets", type=int, default=None)
    parser.add_argument("--browser-scans", type=int, default=None)
    args = parser.parse_args()
    tickets = args.tickets or (400 if args.quick else 2000)
    browser_scans = (
        args.browser_scans if args.browser_scans is not None else (10 if args.quick else 20)
    )
    started = time.perf_counter()
    rows = bench(tickets, browser_scans)
    print("\n| benchmark | metric | value | unit | baseline | ratio |")
    print("| --- | --- | ---: | --- | ---: | ---: |")
    for r in rows:
        cells = [r["benchmark"], r["metric"], r["value"], r["unit"], r["baseline"], r["ratio"]]
        print("| " + " | ".join("—" if c is None else str(c) for c in cells) + " |")
    print(f"\nTotal: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
