"""Benchmark of the back office at conference size: exports, badges, a broadcast, the dashboard.

Run from the repository root: `python -m bench.bench_backoffice [--quick] [--people N]`.

A fresh SQLite file gets the 2022 programme and N registrations (most on site with a ticket and
a workshop seat, the rest online). We time, each against a baseline measured in the same run:

- registrations CSV and XLSX: our export (labels, seats, formula neutralising) against writing
  the same columns straight from one SQL query with the csv module / openpyxl;
- name badges PDF (with a QR per ticket) against a PDF with only the names;
- queueing a broadcast to everyone (one rendered message per person, dedupe key, recipient row)
  against a bulk INSERT of the same number of pre-rendered outbox rows;
- the organiser dashboard page against the kernel's health check.

Ratios are value / baseline.
"""

from __future__ import annotations

import argparse
import csv
import io
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROGRAMME = ROOT / "sessions" / "data" / "sociaalwerkconferentie-2022.yaml"


def _app(url: str):
    from conference import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "TESTING": True,
            "RATELIMIT_ENABLED": False,
            "SECRET_KEY": "bench-secret-" + "x" * 40,
            "BASE_URL": "https://swc.example.org",
            "SMTP_URL": "",
            "WTF_CSRF_ENABLED": False,
        },
        env="testing",
    )


def populate(n: int) -> None:
    """N registrations: 80% on site with a ticket and a workshop seat, 20% online."""
    from sqlalchemy import insert, select, update

    from conference.clock import utcnow
    from conference.extensions import db
    from conference.models import PROFILES, Conference, User
    from registration.models import Registration, Ticket, new_ticket_secret
    from sessions.programme.models import Activity
    from sessions.seats.models import Seat, SeatBlock

    conf = db.session.scalar(select(Conference))
    now = utcnow()
    workshops = db.session.scalars(select(Activity).filter_by(kind="workshop")).all()
    db.session.execute(update(Conference).values(onsite_capacity=n))
    users = [{"email": f"p{i}@example.be", "role": "attendee", "name": f"P{i}"} for i in range(n)]
    db.session.execute(insert(User), users)
    ids = dict(db.session.execute(select(User.email, User.id)).all())
    regs = []
    for i in range(n):
        onsite = i % 5 != 0
        regs.append({
            "conference_id": conf.id, "user_id": ids[f"p{i}@example.be"],
            "email": f"p{i}@example.be", "first_name": f"Zoë{i}", "last_name": "Geïrnaert",
            "organisation": "=CAW" if i % 50 == 0 else f"Organisatie {i % 40}",
            "profile": PROFILES[i % len(PROFILES)], "sector": "Welzijn",
            "mode": "onsite" if onsite else "online", "status": "registered",
            "language": "en" if i % 10 == 0 else "nl", "consent_at": now,
            "holds_venue_place": onsite, "created_at": now,
        })  # fmt: skip
    db.session.execute(insert(Registration), regs)
    rows = db.session.execute(select(Registration.id, Registration.mode)).all()
    tickets = [{"registration_id": rid, "secret": new_ticket_secret(), "status": "active"}
               for rid, mode in rows if mode == "onsite"]  # fmt: skip
    db.session.execute(insert(Ticket), tickets)
    seats, links = [], []
    onsite = [rid for rid, mode in rows if mode == "onsite"]
    capacity = {w.id: w.capacity for w in workshops}
    taken = dict.fromkeys(capacity, 0)
    for k, rid in enumerate(onsite):
        act = workshops[k % len(workshops)]
        if taken[act.id] >= capacity[act.id]:
            continue
        taken[act.id] += 1
        seats.append({"registration_id": rid, "activity_id": act.id, "source": "allocation"})
    db.session.execute(insert(Seat), seats)
    seat_rows = db.session.execute(select(Seat.id, Seat.registration_id, Seat.activity_id)).all()
    blocks = {w.id: [b.id for b in w.blocks] for w in workshops}
    for sid, rid, aid in seat_rows:
        links += [{"seat_id": sid, "block_id": b, "registration_id": rid} for b in blocks[aid]]
    db.session.execute(insert(SeatBlock), links)
    for aid, count in taken.items():
        db.session.execute(update(Activity).where(Activity.id == aid).values(taken=count))
    db.session.execute(update(Conference).values(onsite_taken=len(onsite)))
    db.session.commit()


def _best(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _baseline_rows():
    from sqlalchemy import text

    from conference.extensions import db

    return db.session.execute(
        text(
            "SELECT id, first_name, last_name, email, organisation, profile, sector, mode, status,"
            " language, created_at FROM registrations ORDER BY last_name, first_name, id"
        )
    ).all()


def _baseline_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    for row in _baseline_rows():
        writer.writerow(row)
    return out.getvalue().encode("utf-8-sig")


def _baseline_xlsx() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in _baseline_rows():
        sheet.append([str(v) if v is not None else None for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _baseline_pdf(names: list[str]) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    for i, name in enumerate(names):
        if i and i % 8 == 0:
            pdf.showPage()
        pdf.drawString(50, 800 - (i % 8) * 100, name)
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def _baseline_outbox(n: int) -> None:
    from sqlalchemy import delete, insert

    from conference.extensions import db
    from conference.models import MailMessage

    rows = [{"kind": "bench", "to_address": f"p{i}@example.be", "subject": "S", "body_text": "B",
             "body_html": "<p>B</p>", "dedupe_key": f"bench:{i}"} for i in range(n)]  # fmt: skip
    db.session.execute(insert(MailMessage), rows)
    db.session.commit()
    db.session.execute(delete(MailMessage).where(MailMessage.kind == "bench"))
    db.session.commit()


def _row(metric: str, value: float, baseline: float, unit: str = "s") -> dict:
    return {
        "benchmark": "backoffice",
        "metric": metric,
        "value": round(value, 4),
        "unit": unit,
        "baseline": round(baseline, 4),
        "ratio": round(value / baseline, 2) if baseline else None,
    }


def run(quick: bool = False, people: int | None = None) -> list[dict]:
    """Time the exports, badges, a broadcast and the dashboard; rows with their baselines."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from conference.backoffice import broadcasts, exports, pdf
    from conference.cli import create_staff
    from conference.extensions import db
    from registration.models import Registration
    from sessions.programme.loader import load_programme_file

    n = people or (300 if quick else 2000)
    repeat = 1 if quick else 3
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as folder:
        app = _app(f"sqlite:///{folder}/bench.sqlite3")
        with app.app_context():
            db.create_all()
            load_programme_file(PROGRAMME, demo=True)
            populate(n)
            organiser, token = create_staff("org@example.org", "organiser", "Org", None)
            from conference.services import current_conference

            conf = current_conference()

            ours = _best(lambda: exports.to_csv(exports.registrations_table(conf)), repeat)
            rows.append(_row(f"registrations CSV ({n})", ours, _best(_baseline_csv, repeat)))
            ours = _best(lambda: exports.to_xlsx(exports.registrations_table(conf)), repeat)
            rows.append(_row(f"registrations XLSX ({n})", ours, _best(_baseline_xlsx, repeat)))

            regs = db.session.scalars(
                select(Registration).where(Registration.mode == "onsite")
                .options(selectinload(Registration.tickets))
            ).all()  # fmt: skip
            with app.test_request_context():
                ours = _best(lambda: pdf.badges_pdf(conf, regs), 1)
            names = [r.full_name for r in regs]
            rows.append(
                _row(f"badges PDF ({len(regs)})", ours, _best(lambda: _baseline_pdf(names), 1))
            )

            draft = broadcasts.save_draft(
                conf, {"audience": "everyone", "subject": "Nieuws", "body": "Tot morgen."},
                actor=organiser,
            )  # fmt: skip
            with app.test_request_context():
                t0 = time.perf_counter()
                count = broadcasts.send(conf, draft.id, actor=organiser)
                ours = time.perf_counter() - t0
            base = _best(lambda: _baseline_outbox(count), 1)
            rows.append(_row(f"broadcast queued ({count} people)", ours, base))

        # Outside the app context above, so each request gets its own (as in production).
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        first = client.get("/beheer", headers=headers)
        assert first.status_code == 200, first.status_code
        ours = _best(lambda: client.get("/beheer", headers=headers), repeat * 2)
        base = _best(lambda: client.get("/healthz"), repeat * 2)
        rows.append(_row("dashboard page", ours, base))
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--people", type=int, default=None)
    args = parser.parse_args()
    result = run(quick=args.quick, people=args.people)
    print(f"{'metric':40} {'value':>10} {'baseline':>10} {'ratio':>7}")
    for r in result:
        print(f"{r['metric']:40} {r['value']:>10} {r['baseline']:>10} {r['ratio']!s:>7}")
