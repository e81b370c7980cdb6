"""A scheduler killed during delivery sends a message again with the same Message-ID.

Delivery is at least once (see conference/mail/outbox.py): a sender killed after the SMTP
server took a message but before the row says `sent` sends that row again. Before (issue 20),
the Message-ID was made anew at every send, so the copy had another id (1-4 of 300 mails with
six SIGKILLs) and nobody could drop it. Here the real scheduler process delivers to a real SMTP
server, which kills it with SIGKILL while it holds three of the messages: the server has them,
the process never hears the answer. Each is sent again, with the id its row got when written.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller
from sqlalchemy import func, select, update

from conference.clock import utcnow
from conference.extensions import db
from conference.mail.outbox import add_new_mail
from conference.models import MailMessage, SchedulerLease
from tests.support.apps import ROOT
from tests.support.smtp import free_port

MAILS = 40
KILL_AT = (5, 17, 29)  # the nth message received makes the server kill the sender


class KillingInbox:
    """An SMTP server that keeps every message and SIGKILLs the sender at chosen moments."""

    def __init__(self):
        self.message_ids: list[str] = []
        self.pid: int | None = None
        self.kills = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            message = message_from_bytes(envelope.content, policy=policy.default)
            self.message_ids.append(str(message["Message-ID"]).strip())
            if len(self.message_ids) in KILL_AT and self.pid is not None:
                # Killed while it waits for this answer: the message is here, the row unsent.
                os.kill(self.pid, signal.SIGKILL)
                self.pid = None
                self.kills += 1
        return "250 OK"


def _start(app, url: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": "x" * 40,
        "APP_ENV": "testing",
        "SMTP_URL": url,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "conference", "scheduler", "--first-delay", "0"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def _as_if_the_claims_and_the_lease_ran_out() -> None:
    """What waiting CLAIM_SECONDS and LEASE_SECONDS after a killed sender comes to."""
    past = utcnow() - timedelta(seconds=1)
    db.session.rollback()
    db.session.execute(
        update(MailMessage).where(MailMessage.status == "pending").values(claimed_until=past)
    )
    db.session.execute(update(SchedulerLease).values(expires_at=past))
    db.session.commit()


def _unsent() -> int:
    db.session.rollback()
    return db.session.scalar(
        select(func.count()).select_from(MailMessage).where(MailMessage.status != "sent")
    )


def test_a_killed_scheduler_resends_with_the_same_message_id(app):
    for i in range(MAILS):
        add_new_mail(
            db.session,
            to=f"persoon{i}@example.be",
            kind="login_link",
            rendered=(f"Bericht {i}", f"Tekst {i}", None),
        )
    db.session.commit()
    written = set(db.session.scalars(select(MailMessage.message_id)))
    assert len(written) == MAILS

    inbox = KillingInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    url = f"smtp://127.0.0.1:{controller.port}"
    process = _start(app, url)
    inbox.pid = process.pid
    try:
        deadline = time.monotonic() + 120
        while _unsent() and time.monotonic() < deadline:
            if process.poll() is not None:  # killed by the server: start another
                assert process.returncode == -signal.SIGKILL, process.stdout.read()
                _as_if_the_claims_and_the_lease_ran_out()
                process = _start(app, url)
                inbox.pid = process.pid
            time.sleep(0.1)
        assert _unsent() == 0, "not every mail was sent within 120 s"
    finally:
        inbox.pid = None
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)
        controller.stop()

    received = Counter(inbox.message_ids)
    assert inbox.kills == len(KILL_AT)
    # Every message arrived, some twice (the ones the server held when it killed the sender),
    # and every copy carries the id its row got when it was written: no other ids.
    assert set(received) == written
    assert sum(received.values()) == MAILS + len(KILL_AT)
    assert sorted(count for count in received.values() if count > 1) == [2] * len(KILL_AT)
