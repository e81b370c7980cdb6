"""Benchmark of the calendar feeds: 3,000 attendees (and one), cold and warm cache.

Run from the repository root: `python -m bench.bench_calendar [--quick] [--attendees N]`.

A fresh SQLite file (and PostgreSQL when BENCH_DATABASE_URL or TEST_DATABASE_URL is set) gets the
2022 programme and N generated registrations with seats (one per block, some walks over both
blocks), follows and dropped seats. We time:

- baseline: building the same events as icalendar objects from in-memory data and serialising
  them, no database work at all;
- cold: every cache emptied first, so each feed reads the database and renders;
- warm: the same feeds again (the per-app cache holds them): the fingerprint queries only;
- one attendee, cold (caches emptied before each try) and warm;
- the HTTP feed through the test client: a 200 from the warm cache, and a conditional 304.

Ratios are value / baseline measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

SEED = 2022
ROOT = Path(__file__).resolve().parents[1]
PROGRAMME = ROOT / "sessions" / "data" / "sociaalwerkconferentie-2022.yaml"


def _app(url: str, cache_size: int):
    from conference import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "TESTING": True,
            "RATELIMIT_ENABLED": False,
            "SECRET_KEY": "bench-secret-" + "x" * 40,
            "BASE_URL": "https://swc.example.org",
            "SMTP_URL": "",
            "CALENDAR_CACHE_SIZE": cache_size,
        },
        env="testing",
    )


def populate(n: int) -> list[int]:
    """N registrations with seats, follows, marks and a feed token each; their ids."""
    from sqlalchemy import insert, select

    from conference.clock import utcnow
    from conference.extensions import db
    from conference.models import Conference, User
    from registration.models import Registration, Ticket
    from sessions.agenda.models import AgendaMark, CalendarFeed, Follow
    from sessions.programme.models import Activity
    from sessions.seats.models import Seat, SeatBlock

    rng = random.Random(SEED)
    conf = db.session.scalar(select(Conference))
    acts = db.session.scalars(select(Activity).where(Activity.conference_id == conf.id)).all()
    blocks = sorted({b.id for a in acts for b in a.blocks})
    onsite_by_block = {
        b: [a for a in acts if a.kind in ("workshop", "visit") and [x.id for x in a.blocks] == [b]]
        for b in blocks
    }
    spanning = [a for a in acts if a.kind == "visit" and len(a.blocks) > 1]
    online = [a for a in acts if a.kind == "online_workshop"]
    streams = [a for a in acts if a.kind in ("stream", "radio")]
    now = utcnow()
    conn = db.session.connection()
    users = [
        {"email": f"bench{i}@example.org", "role": "attendee", "name": f"Bench {i}",
         "language": "nl" if i % 5 else "en", "active": True, "session_version": 1,
         "created_at": now}
        for i in range(n)
    ]  # fmt: skip
    conn.execute(insert(User), users)
    rows = db.session.execute(select(User.email, User.id).where(User.email.like("bench%")))
    user_ids = {email: uid for email, uid in rows}
    regs = []
    for i in range(n):
        mode = "online" if i % 7 == 0 else "onsite"
        regs.append(
            {"conference_id": conf.id, "user_id": user_ids[f"bench{i}@example.org"],
             "email": f"bench{i}@example.org", "first_name": "Bench", "last_name": str(i),
             "profile": "practitioner", "mode": mode, "status": "registered",
             "language": users[i]["language"], "consent_at": now, "waitlist_ok": True,
             "holds_venue_place": mode == "onsite", "created_at": now, "updated_at": now}
        )  # fmt: skip
    conn.execute(insert(Registration), regs)
    reg_rows = db.session.execute(
        select(Registration.id, Registration.mode).where(Registration.email.like("bench%"))
    ).all()
    seats, seat_blocks, follows, marks, tickets, feeds = [], [], [], [], [], []
    for reg_id, mode in reg_rows:
        if mode == "onsite":
            tickets.append({"registration_id": reg_id, "secret": f"bench-{reg_id}-{rng.random()}",
                            "status": "active", "created_at": now})  # fmt: skip
            chosen = (
                [rng.choice(spanning)]
                if rng.random() < 0.05
                else [rng.choice(onsite_by_block[b]) for b in blocks]
            )
        else:
            chosen = [rng.choice(online)]
            follows += [
                {"registration_id": reg_id, "activity_id": s.id, "created_at": now}
                for s in rng.sample(streams, 2)
            ]
        for act in chosen:
            seats.append({"registration_id": reg_id, "activity_id": act.id,
                          "source": "allocation", "created_at": now})  # fmt: skip
        if rng.random() < 0.05:  # someone who gave up a seat: a cancelled event in the feed
            lost = rng.choice(onsite_by_block[blocks[0]])
            if lost.id not in {a.id for a in chosen}:
                marks.append({"registration_id": reg_id, "activity_id": lost.id, "revision": 1,
                              "dropped": True, "changed_at": now})  # fmt: skip
        feeds.append({"registration_id": reg_id, "salt": f"salt-{reg_id}",
                      "token_hash": f"{reg_id:064d}", "created_at": now})  # fmt: skip
    for table, rows in ((Seat, seats), (Follow, follows), (AgendaMark, marks), (Ticket, tickets)):
        if rows:
            conn.execute(insert(table), rows)
    seat_ids = db.session.execute(select(Seat.id, Seat.registration_id, Seat.activity_id)).all()
    act_blocks = {a.id: [b.id for b in a.blocks] for a in acts}
    for seat_id, reg_id, act_id in seat_ids:
        seat_blocks += [
            {"seat_id": seat_id, "block_id": b, "registration_id": reg_id}
            for b in act_blocks[act_id]
        ]
    conn.execute(insert(SeatBlock), seat_blocks)
    # Real feed tokens (salt -> HMAC) for the HTTP part.
    from conference.models import hash_token
    from sessions.agenda.feeds import _derive_token

    for row in feeds:
        row["token_hash"] = hash_token(_derive_token(row["salt"]))
    conn.execute(insert(CalendarFeed), feeds)
    db.session.commit()
    return [r[0] for r in reg_rows]


def in_memory_events(reg_ids: list[int]) -> list[dict]:
    """Each person's events as plain values (the very properties the feed sends), read once."""
    from flask_babel import force_locale

    from conference.extensions import db
    from registration.models import Registration
    from sessions.agenda import calendar
    from sessions.agenda.services import load_agenda, on_site

    dates = ("DTSTAMP", "LAST-MODIFIED", "DTSTART", "DTEND")
    people = []
    for reg_id in reg_ids:
        reg = db.session.get(Registration, reg_id)
        snap, entries = load_agenda(reg)
        tag, host = calendar.person_tag(reg), calendar.host_name()
        alarm = calendar.alarm_minutes(reg.conference)
        events = []
        with force_locale(reg.language):
            for e in entries:
                event = calendar.build_event(
                    e, uid=calendar.event_uid(e.activity.id, tag, host), tz=snap.timezone,
                    language=reg.language, onsite=on_site(reg), alarm=alarm,
                )  # fmt: skip
                props = [
                    (name, event.decoded(name) if name in dates else
                     int(event[name]) if name == "SEQUENCE" else str(event[name]))
                    for name in event
                ]  # fmt: skip
                alarms = [(str(a["DESCRIPTION"]), alarm) for a in event.walk("VALARM")]
                events.append({"props": props, "alarms": alarms, "start": e.activity.starts_at})
        people.append({"name": reg.conference.name, "tz": snap.timezone, "events": events})
    db.session.remove()
    return people


def serialise_in_memory(person: dict) -> bytes:
    """The baseline: icalendar objects from in-memory values, serialised; no database."""
    from icalendar import Alarm, Calendar, Event

    from sessions.agenda.calendar import vtimezone_for

    cal = Calendar()
    for key, value in (("prodid", "-//bench//NL"), ("version", "2.0"), ("calscale", "GREGORIAN"),
                       ("name", person["name"]), ("x-wr-calname", person["name"])):  # fmt: skip
        cal.add(key, value)
    events = person["events"]
    first = min((e["start"] for e in events), default=datetime.now(UTC))
    cal.add_component(vtimezone_for(person["tz"], first))
    for item in events:
        event = Event()
        for name, value in item["props"]:
            event.add(name, value)
        for description, minutes in item["alarms"]:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", description)
            alarm.add("trigger", timedelta(minutes=-minutes))
            event.add_component(alarm)
        cal.add_component(event)
    return cal.to_ical()


def _feed(reg_id: int) -> int:
    """One feed as a request would build it: load the registration, validators, body."""
    from sqlalchemy import select
    from sqlalchemy.orm import joinedload

    from conference.extensions import db
    from registration.models import Registration
    from sessions.agenda import calendar

    try:
        reg = db.session.scalar(
            select(Registration)
            .options(joinedload(Registration.conference))
            .where(Registration.id == reg_id)
        )
        return len(calendar.feed_for_registration(reg).body)
    finally:
        db.session.remove()  # a new session per feed, as per request


def measure(url: str, n: int, label: str, http_sample: int, one_tries: int) -> list[dict]:
    """All timings on one database."""
    from conference.extensions import db
    from sessions.agenda.services import agenda_cache
    from sessions.programme.loader import load_programme_file

    app = _app(url, cache_size=n + 16)
    rows: list[dict] = []
    bench = f"calendar ({label})"

    def row(metric: str, value: float, unit: str, baseline: float | None) -> None:
        ratio = round(value / baseline, 2) if baseline else None
        rows.append({"benchmark": bench, "metric": metric, "value": round(value, 3),
                     "unit": unit, "baseline": None if baseline is None else round(baseline, 3),
                     "ratio": ratio})  # fmt: skip
        print(f"  {metric}: {value:,.3f} {unit}" + (f"  (x{ratio} baseline)" if ratio else ""))

    with app.app_context():
        if label == "postgresql":
            db.drop_all()
        db.create_all()
        load_programme_file(PROGRAMME, demo=True)
        t0 = time.perf_counter()
        reg_ids = populate(n)
        print(f"  {label}: {n} registrations generated in {time.perf_counter() - t0:.1f} s")
        people = in_memory_events(reg_ids)
        events = sum(len(p["events"]) for p in people)
        print(f"  {events} events, {events / n:.1f} per feed")

        t0 = time.perf_counter()
        for person in people:
            serialise_in_memory(person)
        base_total = time.perf_counter() - t0
        base_one = base_total / n * 1000
        row(f"baseline: serialise {n} feeds, no database", base_total, "s", None)
        row("baseline per feed", base_one, "ms", None)

        agenda_cache().clear()
        t0 = time.perf_counter()
        for reg_id in reg_ids:
            _feed(reg_id)
        cold_total = time.perf_counter() - t0
        row(f"cold cache: {n} feeds", cold_total, "s", base_total)
        row("cold cache per feed", cold_total / n * 1000, "ms", base_one)

        t0 = time.perf_counter()
        for reg_id in reg_ids:
            _feed(reg_id)
        warm_total = time.perf_counter() - t0
        row(f"warm cache: {n} feeds", warm_total, "s", base_total)
        row("warm cache per feed", warm_total / n * 1000, "ms", base_one)

        one = reg_ids[len(reg_ids) // 2]
        one_base = statistics.median(
            _timed(lambda: serialise_in_memory(people[len(reg_ids) // 2])) for _ in range(one_tries)
        )
        colds = []
        for _ in range(one_tries):
            agenda_cache().clear()
            colds.append(_timed(lambda: _feed(one)))
        row("one attendee, cold cache (median)", statistics.median(colds), "ms", one_base)
        warms = [_timed(lambda: _feed(one)) for _ in range(one_tries)]
        row("one attendee, warm cache (median)", statistics.median(warms), "ms", one_base)

    rows += _http(app, reg_ids[:http_sample], base_one, row)
    with app.app_context():
        db.session.remove()
        if label == "postgresql":
            db.drop_all()
        db.engine.dispose()
    return rows


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def _http(app, reg_ids: list[int], base_one: float, row) -> list[dict]:
    """GET the private feed through the WSGI stack: 200 from the warm cache, and 304."""
    from conference.extensions import db
    from registration.models import Registration
    from sessions.agenda.feeds import feed_token

    with app.app_context():
        paths = [
            f"/kalender/{feed_token(db.session.get(Registration, r), create=False)}.ics"
            for r in reg_ids
        ]
        db.session.remove()
    client = app.test_client()
    etags = {}
    for path in paths:  # make sure every feed is cached
        etags[path] = client.get(path).headers["ETag"]
    t0 = time.perf_counter()
    for path in paths:
        assert client.get(path).status_code == 200
    full = (time.perf_counter() - t0) / len(paths) * 1000
    t0 = time.perf_counter()
    for path in paths:
        assert client.get(path, headers={"If-None-Match": etags[path]}).status_code == 304
    not_modified = (time.perf_counter() - t0) / len(paths) * 1000
    row("HTTP GET feed, warm cache (200)", full, "ms", base_one)
    row("HTTP GET feed, unchanged (304)", not_modified, "ms", base_one)
    return []


def _postgres_url() -> str | None:
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if not url:
        return None
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix) :]
    return url


def run(quick: bool = False, attendees: int | None = None) -> list[dict]:
    """The benchmark rows (SQLite always; PostgreSQL when a URL is configured)."""
    n = attendees or (300 if quick else 3000)
    http_sample = min(n, 100 if quick else 500)
    tries = 5 if quick else 15
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        print(f"SQLite file, {n} attendees")
        rows += measure(f"sqlite:///{tmp}/bench.sqlite3", n, "sqlite", http_sample, tries)
    pg = _postgres_url()
    if pg:
        import sqlalchemy as sa

        name = f"swc_bench_calendar_{os.getpid()}"
        admin = sa.create_engine(pg, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        try:
            print(f"PostgreSQL, {n} attendees")
            url = urlunsplit(urlsplit(pg)._replace(path=f"/{name}"))
            rows += measure(url, n, "postgresql", http_sample, tries)
        finally:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    else:
        print("PostgreSQL skipped: set BENCH_DATABASE_URL (or TEST_DATABASE_URL) to include it")
    return rows


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="300 attendees, fewer tries")
    parser.add_argument("--attendees", type=int, default=None)
    args = parser.parse_args()
    rows = run(quick=args.quick, attendees=args.attendees)
    print("\n| benchmark | metric | value | unit | baseline | ratio |")
    print("| --- | --- | ---: | --- | ---: | ---: |")
    for r in rows:
        print(f"| {r['benchmark']} | {r['metric']} | {r['value']} | {r['unit']} "
              f"| {r['baseline'] if r['baseline'] is not None else '—'} "
              f"| {r['ratio'] if r['ratio'] is not None else '—'} |")  # fmt: skip


if __name__ == "__main__":
    main()
