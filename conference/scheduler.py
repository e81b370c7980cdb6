"""The one scheduler process: `flask --app conference scheduler` runs every job on its interval.

Web workers never run jobs. Each job is a plain function `job(now) -> dict` in its package's
`jobs.py`, imported here: the scheduler process is part of the kernel's shell, which may import
the packages (no hook, no names in strings). A job claims its work with atomic updates, so
running it twice (or twice at once, or again after a crash) has its effect once. A lease row
makes a second scheduler process wait instead of running the same jobs beside the first.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from conference import jobs as kernel_jobs
from conference.clock import utcnow
from conference.db import write_transaction
from conference.extensions import db
from conference.models import JobRun, ScheduledJob, SchedulerLease
from registration import jobs as registration_jobs
from registration.checkin import jobs as checkin_jobs
from registration.colleagues import jobs as colleague_jobs
from registration.contingents import jobs as contingent_jobs
from registration.draw import jobs as draw_jobs
from registration.reconfirm import jobs as reconfirm_jobs
from sessions.agenda import reminders
from sessions.seats import jobs as seat_jobs
from streaming import jobs as streaming_jobs
from streaming.evaluation import jobs as evaluation_jobs

log = logging.getLogger(__name__)
HOLDER = f"{socket.gethostname()}:{os.getpid()}"
LEASE_SECONDS = 90


@dataclass(frozen=True)
class JobSpec:
    """A job: its name, its function `job(now) -> dict`, and how often it runs (seconds)."""

    name: str
    run: Callable[[datetime], dict[str, Any] | None]
    interval: int
    description: Any

    @property
    def target(self) -> str:
        """Where the function lives, `module:function` (for the job list)."""
        return f"{self.run.__module__}:{self.run.__qualname__}"


JOBS: tuple[JobSpec, ...] = (
    JobSpec("flush_outbox", kernel_jobs.flush_outbox, 30,
            _l("Verstuurt de e-mails uit de wachtrij, met nieuwe pogingen als de server faalt.")),
    JobSpec("window_notices", kernel_jobs.window_notices, 300,
            _l("Meldt de organisatoren wanneer inschrijvingen of keuzeronde openen en sluiten.")),
    JobSpec("expire_venue_offers", registration_jobs.expire_venue_offers, 120,
            _l("Laat verlopen aanbiedingen van een plaats ter plaatse vallen en biedt ze de volgende aan.")),  # noqa: E501
    JobSpec("expire_colleague_holds", colleague_jobs.expire_colleague_holds, 120,
            _l("Geeft plaatsen die voor uitgenodigde collega's werden vastgehouden terug als die verlopen.")),  # noqa: E501
    JobSpec("venue_draw", draw_jobs.draw_when_due, 60,
            _l("Doet de loting van de plaatsen ter plaatse op het gekozen moment, als dat nog niet gebeurde.")),  # noqa: E501
    JobSpec("expire_seat_offers", seat_jobs.expire_seat_offers, 120,
            _l("Laat verlopen aanbiedingen van een workshopplaats vallen en biedt ze de volgende aan.")),  # noqa: E501
    JobSpec("close_choice_window", seat_jobs.close_choice_window, 300,
            _l("Maakt na het sluiten van de keuzeronde een proefverdeling om na te kijken.")),
    JobSpec("send_reminders", reminders.send_day_before_reminders, 600,
            _l("Stuurt iedereen de dag voor de conferentie een herinnering met ticket en agenda.")),
    JobSpec("release_no_shows", checkin_jobs.release_no_shows, 60,
            _l("Geeft plaatsen van wie niet kwam vrij voor wachtenden aan de deur (als dat aan staat).")),  # noqa: E501
    JobSpec("release_contingents", contingent_jobs.release_contingents, 300,
            _l("Geeft ongebruikte plaatsen van contingenten vrij op het ingestelde moment.")),
    JobSpec("reconfirm", reconfirm_jobs.reconfirm, 300,
            _l("Vraagt wie ter plaatse komt om te bevestigen, herinnert halverwege en geeft na de termijn plaatsen vrij.")),  # noqa: E501
    JobSpec("purge_login_links", registration_jobs.purge_login_links, 3600,
            _l("Ruimt verlopen aanmeldlinks op.")),
    JobSpec("stream_status_notices", streaming_jobs.stream_status_notices, 60,
            _l("Stuurt wie een plaats heeft in een online workshop de link, zodra die vrijkomt.")),
    JobSpec("followed_stream_notices", streaming_jobs.followed_stream_notices, 60,
            _l("Meldt volgers dat een stream die ze volgen binnen 15 minuten begint.")),
    JobSpec("evaluation_invites", evaluation_jobs.evaluation_invites, 300,
            _l("Stuurt wie erbij was na afloop één keer de link naar de evaluatie.")),
)  # fmt: skip


def job_by_name(name: str) -> JobSpec:
    """The spec of a job, or a KeyError naming the known jobs."""
    for spec in JOBS:
        if spec.name == name:
            return spec
    raise KeyError(f"unknown job {name!r}; known: {', '.join(s.name for s in JOBS)}")


def sync_job_rows(now: datetime | None = None) -> None:
    """Make sure every job has a row for the organisers' overview."""
    now = now or utcnow()
    with write_transaction(db.session) as session:
        for spec in JOBS:
            row = session.get(ScheduledJob, spec.name) or ScheduledJob(name=spec.name)
            row.description = str(spec.description)[:300]
            row.interval_seconds = spec.interval
            if row.next_run_at is None:
                row.next_run_at = now
            session.add(row)


def run_job(spec: JobSpec, *, now: datetime | None = None, trigger: str = "schedule") -> JobRun:
    """Run one job now, recording the run; a failure is recorded, never raised."""
    started = utcnow()
    with write_transaction(db.session) as session:
        run = JobRun(job=spec.name, trigger=trigger, host=HOLDER, started_at=started)
        session.add(run)
    run_id = run.id
    try:
        result = spec.run(now or started) or {}
        db.session.commit()  # a job owns its transactions; close any it left open
        status, error = "ok", None
    except Exception as exc:  # the run is recorded as failed; the scheduler goes on
        db.session.rollback()
        log.exception("job %s failed", spec.name)
        result, status, error = {}, "failed", f"{type(exc).__name__}: {exc}"[:2000]
    finished = utcnow()
    with write_transaction(db.session) as session:
        run = session.get(JobRun, run_id)
        run.status, run.result, run.error = status, _jsonable(result), error
        run.finished_at = finished
        row = session.get(ScheduledJob, spec.name)
        if row is not None:
            row.last_run_at, row.last_status = finished, status
            row.next_run_at = finished + timedelta(seconds=spec.interval)
    return run


def _jsonable(result: dict[str, Any]) -> dict[str, Any]:
    return {
        str(k): v if isinstance(v, int | float | str | bool | type(None)) else str(v)
        for k, v in result.items()
    }


def take_lease(now: datetime | None = None, holder: str = HOLDER) -> bool:
    """Take or renew the scheduler lease; False while another live process holds it."""
    now = now or utcnow()
    expires = now + timedelta(seconds=LEASE_SECONDS)
    with write_transaction(db.session):
        return _take_lease(now, expires, holder)


def _take_lease(now: datetime, expires: datetime, holder: str) -> bool:
    done = db.session.execute(
        update(SchedulerLease)
        .where(SchedulerLease.id == 1)
        .where((SchedulerLease.holder == holder) | (SchedulerLease.expires_at < now))
        .values(holder=holder, expires_at=expires)
    ).rowcount
    if not done and db.session.scalar(select(SchedulerLease.id).filter_by(id=1)) is None:
        try:
            with db.session.begin_nested():
                db.session.add(SchedulerLease(id=1, holder=holder, expires_at=expires))
            done = 1
        except IntegrityError:
            done = 0
    return bool(done)


def release_lease(holder: str = HOLDER) -> None:
    """Give the lease up at a clean stop, so a successor can start at once."""
    with write_transaction(db.session) as session:
        session.execute(
            update(SchedulerLease)
            .where(SchedulerLease.id == 1, SchedulerLease.holder == holder)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )


def serve(app: Flask, *, first_delay: float = 2.0) -> None:
    """Run the scheduler until SIGTERM or SIGINT; each job in its own app context."""
    # Our own handle on the job threads: at a stop we wait for them before giving the lease up.
    executor = ThreadPoolExecutor(max_workers=4)
    scheduler = BlockingScheduler(timezone="UTC", executors={"default": executor})

    def guarded(spec: JobSpec) -> None:
        with app.app_context():
            if not take_lease():
                log.info("another scheduler holds the lease; %s skipped", spec.name)
                return
            run = run_job(spec)
            log.info("job %s: %s %s", spec.name, run.status, run.result or "")

    def renew() -> None:
        with app.app_context():
            take_lease()

    with app.app_context():
        sync_job_rows()
        if not take_lease():
            log.warning("another scheduler process holds the lease; waiting to take over")
    start = utcnow() + timedelta(seconds=first_delay)
    for spec in JOBS:
        # The name is what APScheduler's own log lines show ("Running job ...").
        scheduler.add_job(
            guarded, "interval", args=[spec], id=spec.name, name=spec.name, seconds=spec.interval,
            next_run_time=start, max_instances=1, coalesce=True, misfire_grace_time=spec.interval,
        )  # fmt: skip
    scheduler.add_job(
        renew, "interval", id="_lease", name="renew the scheduler lease",
        seconds=LEASE_SECONDS // 3,
    )  # fmt: skip

    def stop(signum: int, _frame: Any) -> None:
        log.info("signal %s: stopping the scheduler", signum)
        if scheduler.running:  # Ctrl+C in a terminal may send the signal twice
            scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("scheduler %s started with %d jobs", HOLDER, len(JOBS))
    try:
        scheduler.start()
    finally:
        # The stop signal does not wait (a second Ctrl+C must stay harmless), so a job or a
        # lease renewal may still be running: let it finish, or it would take the lease again
        # after we gave it up, and a successor would wait for it to expire.
        executor.shutdown(wait=True)
        with app.app_context():
            release_lease()
        log.info("scheduler stopped cleanly")
