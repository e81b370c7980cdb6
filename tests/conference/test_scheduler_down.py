"""The web keeps serving while the scheduler is down; mails wait and go once it is back."""

from __future__ import annotations

from sqlalchemy import func, select

from conference.extensions import db
from conference.models import MailMessage
from conference.scheduler import job_by_name, release_lease, run_job, take_lease
from tests.factories import person
from tests.helpers import login


def _pending() -> int:
    db.session.rollback()
    return db.session.scalar(
        select(func.count()).select_from(MailMessage).filter_by(status="pending")
    )


def _waiting(n: int) -> str:
    """The jobs page's line about the outbox, in Dutch."""
    return "1 mail wacht" if n == 1 else f"{n} mails wachten"


def test_registering_works_without_a_scheduler_and_the_mail_waits(app, client, tokens, smtp):
    # No scheduler process has ever run: nobody holds the lease.
    before = _pending()
    answer = client.post("/api/v1/registrations", json=person(1))
    assert answer.status_code == 201, answer.get_json()
    assert client.get("/programma").status_code == 200
    assert _pending() == before + 1
    assert smtp.messages == []

    login(client)
    page = client.get("/beheer/taken").get_data(as_text=True)
    assert "De planner draait niet." in page
    assert _waiting(before + 1) in page

    # The scheduler comes back: it takes the lease and flushes the outbox once.
    assert take_lease()
    page = client.get("/beheer/taken").get_data(as_text=True)
    assert "De planner draait (bevestigd tot" in page
    run_job(job_by_name("flush_outbox"))
    run_job(job_by_name("flush_outbox"))
    assert _pending() == 0
    confirmations = [m for m in smtp.messages if m["To"] == person(1)["email"]]
    assert len(confirmations) == 1
    page = client.get("/beheer/taken").get_data(as_text=True)
    assert _waiting(0) in page

    # Stopped cleanly: its lease is given back and the page says so again.
    release_lease()
    assert "De planner draait niet." in client.get("/beheer/taken").get_data(as_text=True)
