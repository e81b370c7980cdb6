"""Check-in under a rush, with real threads, on an SQLite file and on PostgreSQL."""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from conference.extensions import db
from conference.models import Conference
from registration.checkin import services
from registration.checkin.models import Presence, Scan
from tests.factories import open_day, ticket_holder


def _redeem_in_threads(app, calls: list[dict], workers: int = 20) -> list[services.RedeemResult]:
    conf_id = open_day().id
    barrier = threading.Barrier(min(workers, len(calls)))

    def one(kwargs: dict) -> services.RedeemResult:
        with app.app_context():
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=30)
            conf = db.session.get(Conference, conf_id)
            return services.redeem(conf, checkpoint="entrance", **kwargs)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(one, calls))
    db.session.rollback()
    return results


def test_twenty_simultaneous_redeems_of_one_ticket_give_exactly_one_ok(any_db_app):
    reg, ticket = ticket_holder()
    calls = [
        {"secret": ticket.secret, "nonce": f"rush-{i}", "device": f"phone-{i}"} for i in range(20)
    ]
    results = _redeem_in_threads(any_db_app, calls)
    answers = Counter((r.http_status, r.body["status"], r.body.get("reason")) for r in results)
    assert answers == {(201, "ok", None): 1, (400, "error", "already_redeemed"): 19}
    assert db.session.scalar(select(func.count(Scan.id)).filter_by(registration_id=reg.id)) == 20
    presence = db.session.scalar(select(Presence).filter_by(registration_id=reg.id))
    assert (presence.entries, presence.inside) == (1, True)


def test_one_nonce_uploaded_twenty_times_at_once_is_applied_once(any_db_app):
    reg, ticket = ticket_holder()
    calls = [{"secret": ticket.secret, "nonce": "offline-42", "force": True}] * 20
    results = _redeem_in_threads(any_db_app, calls)
    assert {r.http_status for r in results} == {201}
    assert len({r.body["scan_id"] for r in results}) == 1
    assert all(r.body == results[0].body for r in results)
    assert db.session.scalar(select(func.count(Scan.id)).filter_by(registration_id=reg.id)) == 1
    assert db.session.scalar(select(Presence.entries).filter_by(registration_id=reg.id)) == 1


def test_a_crowd_at_the_door_counts_exactly(any_db_app):
    people = [ticket_holder() for _ in range(60)]
    # Every ticket scanned twice at the same moment by two volunteers.
    calls = [{"secret": t.secret} for _, t in people for _ in range(2)]
    results = _redeem_in_threads(any_db_app, calls, workers=12)
    answers = Counter(r.body["status"] for r in results)
    assert answers == {"ok": 60, "error": 60}
    ok_scans = db.session.scalar(select(func.count(Scan.id)).filter_by(status="ok"))
    entries = db.session.scalar(select(func.sum(Presence.entries)))
    inside = db.session.scalar(select(func.count(Presence.id)).filter_by(inside=True))
    assert ok_scans == entries == inside == 60


def test_every_reason_on_this_database(any_db_app):
    conf = open_day()
    _, ok = ticket_holder()
    _, online = ticket_holder(mode="online")
    _, canceled = ticket_holder(status="canceled")
    _, revoked = ticket_holder()
    revoked.status = "revoked"
    db.session.commit()

    def answer(secret, **extra):
        result = services.redeem(conf, checkpoint="entrance", secret=secret, **extra)
        return result.http_status, result.body["status"], result.body.get("reason")

    assert answer(ok.secret, nonce="a") == (201, "ok", None)
    assert answer(ok.secret, nonce="a") == (201, "ok", None)  # replayed
    assert answer(ok.secret) == (400, "error", "already_redeemed")
    assert answer(ok.secret, type="exit") == (201, "ok", None)
    assert answer(ok.secret) == (201, "ok", None)
    assert answer("z" * 32) == (404, "error", "invalid")
    assert answer(online.secret) == (400, "error", "product")
    assert answer(canceled.secret) == (400, "error", "canceled")
    assert answer(revoked.secret) == (400, "error", "revoked")
    assert answer(revoked.secret, force=True) == (201, "ok", None)
    conf = open_day(hours_before=-5)
    assert answer(ok.secret, type="exit") == (201, "ok", None)
    assert answer(ok.secret) == (400, "error", "invalid_time")
    db.session.rollback()
    assert db.session.scalar(select(func.count(Scan.id))) == 11
    assert db.session.scalar(select(func.count(Scan.id)).filter_by(flagged=True)) == 1
