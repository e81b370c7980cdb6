"""The staff landing page (dashboard) and the scheduler's overview, on the kernel's blueprint.

They keep their kernel endpoints (`conference.dashboard`, `conference.jobs`) but live in the
back-office shell, which may read every package.
"""

from __future__ import annotations

from flask import render_template
from flask_login import current_user
from sqlalchemy import func, select

from conference.auth import organiser_required, staff_required
from conference.backoffice.dashboard import dashboard_context
from conference.clock import utcnow
from conference.extensions import db
from conference.models import JobRun, MailMessage, ScheduledJob, SchedulerLease
from conference.services import current_conference
from conference.views import bp


@bp.get("/beheer")
@staff_required
def dashboard():
    """The back-office landing page for staff."""
    conf = current_conference()
    context = dashboard_context(conf, current_user)
    return render_template("conference/dashboard.html", conf=conf, section="dashboard", **context)


@bp.get("/beheer/taken")
@organiser_required
def jobs():
    """What the scheduler ran, when, what it did, what failed, and what comes next."""
    scheduled = db.session.scalars(select(ScheduledJob).order_by(ScheduledJob.name)).all()
    runs = db.session.scalars(select(JobRun).order_by(JobRun.started_at.desc()).limit(100)).all()
    failures = [run for run in runs if run.status == "failed"]
    # A live lease means a scheduler runs now (it renews every 30 s); without one, mails wait.
    lease = db.session.scalar(select(SchedulerLease).order_by(SchedulerLease.id).limit(1))
    outbox = dict(
        db.session.execute(
            select(MailMessage.status, func.count())
            .where(MailMessage.status.in_(("pending", "failed")))
            .group_by(MailMessage.status)
        ).all()
    )
    return render_template(
        "conference/jobs.html",
        conf=current_conference(),
        scheduled=scheduled,
        runs=runs,
        failures=failures,
        scheduler_alive=lease is not None and lease.expires_at > utcnow(),
        lease=lease,
        mails_waiting=outbox.get("pending", 0),
        mails_failed=outbox.get("failed", 0),
    )
