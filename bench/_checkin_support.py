"""The check-in benchmark's data: a conference day open now, a scanner account, many tickets.

Server, database and baseline helpers come from `bench/common.py` (the registration
benchmark's), so the check-in figures are measured against the same bare-Flask baseline.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]


def prepare_checkin_database(database_url: str, secret_key: str, tickets: int) -> dict:
    """Schema, demo programme, the day open now, staff accounts and `tickets` on-site tickets."""
    os.environ.setdefault("APP_ENV", "development")
    from conference import create_app
    from conference.cli import create_staff
    from conference.clock import utcnow
    from conference.extensions import db
    from conference.models import Conference, User
    from registration.models import Registration, Ticket
    from sessions.programme.loader import load_programme_file

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": secret_key,
            "RATELIMIT_ENABLED": False,
        }
    )
    password = secrets.token_urlsafe(12)
    with app.app_context():
        db.create_all()
        load_programme_file(
            ROOT / "sessions" / "data" / "sociaalwerkconferentie-2022.yaml", demo=True
        )
        conf = db.session.scalar(sa.select(Conference))
        now = utcnow()
        conf.starts_at, conf.ends_at = now - timedelta(hours=1), now + timedelta(hours=8)
        db.session.commit()
        _, token = create_staff("scanner@example.org", "checkin", "Scanner", password)
        run_id = secrets.token_hex(3)
        users = [
            {"email": f"bench{i}-{run_id}@example.org", "role": "attendee", "name": f"Bench {i}"}
            for i in range(tickets)
        ]
        db.session.execute(sa.insert(User), users)
        user_ids = db.session.execute(
            sa.select(User.email, User.id).where(User.email.like(f"bench%-{run_id}@example.org"))
        ).all()
        ids = dict(user_ids)
        regs = [
            {
                "conference_id": conf.id, "user_id": ids[u["email"]], "email": u["email"],
                "first_name": "Bench", "last_name": f"Deelnemer {i}", "profile": "practitioner",
                "mode": "onsite", "status": "registered", "consent_at": now,
                "holds_venue_place": True,
            }
            for i, u in enumerate(users)
        ]  # fmt: skip
        db.session.execute(sa.insert(Registration), regs)
        reg_ids = db.session.scalars(
            sa.select(Registration.id).where(
                Registration.email.like(f"bench%-{run_id}@example.org")
            )
        ).all()
        secret_list = [secrets.token_urlsafe(24) for _ in reg_ids]
        rows = zip(reg_ids, secret_list, strict=True)
        db.session.execute(
            sa.insert(Ticket),
            [{"registration_id": r, "secret": s, "status": "active"} for r, s in rows],
        )
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return {
        "token": token,
        "password": password,
        "email": "scanner@example.org",
        "secrets": secret_list,
    }
