"""Command-line interface: `flask --app conference …` (the kernel's shell: it loads programmes)."""

from __future__ import annotations

import logging
import os
import secrets
import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from flask_migrate import upgrade
from sqlalchemy import func, select

from conference import scheduler
from conference.db import write_transaction
from conference.extensions import db
from conference.models import STAFF_ROLES, ApiToken, Conference, User
from sessions.programme.loader import ProgrammeError, load_programme_file

staff_cli = AppGroup("staff", help="Manage staff accounts.")


def _print_problems(path: str, error: Exception) -> None:
    click.echo(f"Cannot load {path}; nothing was changed:", err=True)
    for problem in getattr(error, "problems", [error]):
        click.echo(f"  {path}: {problem}", err=True)


@click.command("init-db")
@with_appcontext
@click.option("--demo/--no-demo", default=False, help="Move the dates so registration is open.")
@click.option("--file", "path", default=None, help="Programme data file (default: the 2022 one).")
def init_db(demo: bool, path: str | None) -> None:
    """Migrate the database and load the default programme (idempotent)."""
    upgrade(directory=current_app.extensions["migrate"].directory)
    if db.session.scalar(select(func.count()).select_from(Conference)):
        click.echo("Database is up to date; a programme is already loaded.")
        return
    path = path or current_app.config["PROGRAMME_FILE"]
    try:
        report = load_programme_file(path, demo=demo)
    except ProgrammeError as exc:
        _print_problems(path, exc)
        sys.exit(1)
    _report(report)


def _report(report) -> None:
    counts = ", ".join(f"{n} {what}" for what, n in report.counts.items())
    click.echo(f"Loaded {report.conference.name}: {counts}.")
    if report.shift_days:
        click.echo(f"Demo: dates moved {report.shift_days} days ahead so registration is open.")


@click.command("load-programme")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--demo/--no-demo", default=False, help="Move the dates so registration is open.")
def load_programme(path: str, demo: bool) -> None:
    """Load or update the programme from a YAML data file (all or nothing)."""
    try:
        report = load_programme_file(path, demo=demo)
    except ProgrammeError as exc:
        _print_problems(path, exc)
        sys.exit(1)
    _report(report)


def create_staff(email: str, role: str, name: str | None, password: str | None) -> tuple[User, str]:
    """Create or update a staff account and issue a fresh API token."""
    email = email.strip().lower()
    with write_transaction(db.session) as session:
        user = session.scalar(select(User).filter_by(email=email))
        if user is None:
            user = User(email=email)
            session.add(user)
        user.role, user.active = role, True
        if name:
            user.name = name
        if password:
            user.set_password(password)
        token, raw = ApiToken.issue(user, label="cli")
        session.add(token)
    return user, raw


@staff_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(STAFF_ROLES), required=True)
@click.option("--name", default=None)
@click.option("--password", default=None, help="Also set a password for the staff login page.")
def staff_create(email: str, role: str, name: str | None, password: str | None) -> None:
    """Create a staff account; prints its API token alone on the last line."""
    user, raw = create_staff(email, role, name, password)
    click.echo(f"Staff account {user.email} ({user.role}) is ready. API token:")
    click.echo(raw)


@click.command("demo")
@with_appcontext
def demo() -> None:
    """Make demo staff accounts and print how to log in."""
    password = os.environ.get("DEMO_PASSWORD") or secrets.token_urlsafe(12)
    create_staff("organisator@example.org", "organiser", "Demo-organisator", password)
    create_staff("vrijwilliger@example.org", "checkin", "Demo-vrijwilliger", password)
    create_staff("moderator@example.org", "moderator", "Demo-moderator", password)
    base = current_app.config["BASE_URL"]
    click.echo(f"Staff login: {base}/beheer/login")
    click.echo(f"  organiser  organisator@example.org  password {password}")
    click.echo(f"  check-in   vrijwilliger@example.org  password {password}")
    click.echo(f"  moderator  moderator@example.org  password {password}")


def init_cli(app: Flask) -> None:
    """Register the kernel commands."""
    for command in (init_db, load_programme, demo, staff_cli, scheduler_command):
        app.cli.add_command(command)


@click.command("scheduler")
@with_appcontext
@click.option("--once", "once", default=None, metavar="JOB", help="Run one job now and exit.")
@click.option("--list", "list_jobs", is_flag=True, help="List the jobs and exit.")
@click.option(
    "--first-delay", default=2.0, show_default=True, help="Seconds before the first runs."
)
def scheduler_command(once: str | None, list_jobs: bool, first_delay: float) -> None:
    """The one scheduler process (APScheduler); web workers never run jobs."""
    # The scheduler is a long-running process: its log is how operators see it work.
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    app = current_app._get_current_object()
    if list_jobs:
        for spec in scheduler.JOBS:
            click.echo(f"{spec.name:24} every {spec.interval:>5}s  {spec.target}")
        return
    if once:
        with app.app_context():
            try:
                spec = scheduler.job_by_name(once)
            except KeyError as exc:
                raise click.UsageError(str(exc.args[0])) from exc
            scheduler.sync_job_rows()
            run = scheduler.run_job(spec, trigger="once")
            # Read the run while its session is open: after the context it is detached.
            status, result, error = run.status, run.result, run.error
        click.echo(f"{spec.name}: {status} {result or ''}{' ' + error if error else ''}")
        sys.exit(0 if status == "ok" else 1)
    scheduler.serve(app, first_delay=first_delay)
