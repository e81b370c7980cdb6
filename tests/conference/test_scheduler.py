"""The scheduler: jobs have their effect once, failures are recorded, one process at a time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import func, select

from conference import jobs, scheduler
from conference.cli import create_staff
from conference.clock import utcnow
from conference.extensions import db
from conference.models import Conference, JobRun, MailMessage, ScheduledJob, SchedulerLease, User
from registration.models import LoginLink
from tests.factories import register
from tests.support.apps import ROOT


def _open_registration_an_hour_ago() -> None:
    conf = db.session.scalar(select(Conference))
    conf.registration_opens_at = utcnow() - timedelta(hours=1)
    db.session.commit()


def _notices() -> int:
    db.session.rollback()
    return db.session.scalar(
        select(func.count()).select_from(MailMessage).filter_by(kind="window_notice")
    )


def test_a_job_run_twice_has_its_effect_once(app):
    create_staff("org1@example.org", "organiser", "Org Een", None)
    create_staff("org2@example.org", "organiser", "Org Twee", None)
    _open_registration_an_hour_ago()
    spec = scheduler.job_by_name("window_notices")
    first = scheduler.run_job(spec, trigger="once")
    assert first.status == "ok" and first.result == {"queued": 2}
    second = scheduler.run_job(spec, trigger="once")
    assert second.status == "ok" and second.result == {"queued": 0}
    assert _notices() == 2
    message = db.session.scalar(select(MailMessage).filter_by(to_address="org1@example.org"))
    assert "inschrijvingen zijn geopend" in message.subject


def test_a_job_run_twice_at_the_same_time_has_its_effect_once(app):
    create_staff("org1@example.org", "organiser", "Org Een", None)
    _open_registration_an_hour_ago()
    spec = scheduler.job_by_name("window_notices")

    def run_once(_):
        with app.app_context():
            return scheduler.run_job(spec).status

    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(run_once, range(4)))
    assert statuses == ["ok"] * 4
    assert _notices() == 1


def test_a_failing_job_is_recorded_and_the_scheduler_goes_on(app, monkeypatch):
    def does_not_exist(now):
        return jobs.does_not_exist(now)  # a job whose body fails with an AttributeError

    broken = scheduler.JobSpec("broken", does_not_exist, 60, "broken")
    run = scheduler.run_job(broken)
    assert run.status == "failed" and "AttributeError" in run.error
    assert run.finished_at is not None


def test_one_scheduler_holds_the_lease_at_a_time(app):
    now = utcnow()
    assert scheduler.take_lease(now, holder="a")
    assert not scheduler.take_lease(now, holder="b")
    assert scheduler.take_lease(now + timedelta(seconds=10), holder="a")  # renewal
    assert scheduler.take_lease(now + timedelta(seconds=scheduler.LEASE_SECONDS + 20), holder="b")
    scheduler.release_lease(holder="b")
    assert scheduler.take_lease(utcnow(), holder="c")


def test_the_organisers_see_what_ran(app, client, tokens):
    scheduler.sync_job_rows()
    scheduler.run_job(scheduler.job_by_name("window_notices"))
    client.post(
        "/beheer/login", data={"email": "organiser@example.org", "password": "wachtwoord-organiser"}
    )
    page = client.get("/beheer/taken")
    assert page.status_code == 200
    assert "window_notices" in page.data.decode() and "gelukt" in page.data.decode()
    checkin = app.test_client()
    checkin.post(
        "/beheer/login", data={"email": "checkin@example.org", "password": "wachtwoord-checkin"}
    )
    assert checkin.get("/beheer/taken").status_code == 403


def test_the_scheduler_process_starts_runs_a_due_job_and_stops_cleanly(app):
    create_staff("org1@example.org", "organiser", "Org Een", None)
    _open_registration_an_hour_ago()
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "x" * 40,
        "APP_ENV": "testing",
        "SMTP_URL": "",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "conference", "scheduler", "--first-delay", "0"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            db.session.rollback()
            done = db.session.scalar(select(JobRun).filter_by(job="window_notices", status="ok"))
            if done is not None:
                break
            assert process.poll() is None, process.stdout.read()
            time.sleep(0.2)
        else:
            raise AssertionError("the scheduler ran no job within 60 s")
        assert _notices() == 1
        assert db.session.get(ScheduledJob, "window_notices").last_status == "ok"
        lease = db.session.get(SchedulerLease, 1)
        assert lease is not None and lease.expires_at > utcnow()
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=30)[0]
    assert process.returncode == 0, output
    assert "stopped cleanly" in output
    # The log names each job (it named them all "serve.<locals>.guarded").
    assert 'Running job "window_notices' in output and "guarded" not in output, output
    assert "job window_notices: ok" in output
    db.session.rollback()
    assert db.session.get(SchedulerLease, 1).expires_at <= utcnow()


def test_once_sends_the_mail_and_ends_without_a_traceback(app):
    """`scheduler --once flush_outbox` delivered, then printed a DetachedInstanceError."""
    register(1)
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": "x" * 40,
        "APP_ENV": "testing",
        "SMTP_URL": "",
    }
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "conference", "scheduler", "--once",
         "flush_outbox"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "Traceback" not in output and "DetachedInstanceError" not in output, output
    assert done.stdout.startswith("flush_outbox: ok"), output
    db.session.rollback()
    assert db.session.scalar(select(JobRun).filter_by(job="flush_outbox")).status == "ok"
    assert db.session.scalar(select(MailMessage)).status != "pending"


def test_expired_login_links_are_purged_once(app):
    user = User(email="an@example.be", role="attendee")
    now = utcnow()
    db.session.add_all([
        user,
        LoginLink(user=user, jti="old", expires_at=now - timedelta(days=2)),
        LoginLink(user=user, jti="fresh", expires_at=now + timedelta(minutes=10)),
    ])  # fmt: skip
    db.session.commit()
    spec = scheduler.job_by_name("purge_login_links")
    assert scheduler.run_job(spec).result == {"purged": 1}
    assert scheduler.run_job(spec).result == {"purged": 0}
    db.session.rollback()
    assert [link.jti for link in db.session.scalars(select(LoginLink))] == ["fresh"]
