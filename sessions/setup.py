"""Wiring of the sessions package: programme, seats and agenda pages, APIs, hooks, CLI."""

from __future__ import annotations

from flask import Flask

from conference import hooks
from conference.api import register_api_blueprint
from sessions.agenda import api as agenda_api
from sessions.agenda import history, notifications
from sessions.agenda import hooks as agenda_hooks
from sessions.agenda import views as agenda_views
from sessions.agenda.calendar import render_calendar_attachment
from sessions.programme import admin as programme_admin
from sessions.programme import api as programme_api
from sessions.programme import views as programme_views
from sessions.seats import admin as seat_admin  # noqa: F401  (its routes live on seat_views.bp)
from sessions.seats import api as seat_api
from sessions.seats import checkpoints
from sessions.seats import hooks as seat_hooks
from sessions.seats import people as seat_people  # its move route joins seat_views.bp
from sessions.seats import views as seat_views
from sessions.seats.allocation.cli import allocate_command
from sessions.seats.services import seat_summary


def init_app(app: Flask) -> None:
    """Programme, seats, agenda: blueprints, template helpers, CLI, hooks."""
    app.register_blueprint(programme_views.bp)
    app.register_blueprint(programme_admin.bp)
    register_api_blueprint(app, programme_api.bp)
    app.register_blueprint(seat_views.bp)
    register_api_blueprint(app, seat_api.bp)
    app.jinja_env.globals["seat_state"] = seat_views.seat_state
    app.cli.add_command(allocate_command)
    register_api_blueprint(app, agenda_api.bp)
    agenda_views.init_app(app)
    history.install()
    connect_hooks()


def connect_hooks() -> None:
    """Receivers of the kernel's hooks (idempotent: blinker keeps one connection each)."""
    # Seats: a cancel or a change of mode frees seats; new capacity goes to the waiting list.
    hooks.registration_canceled.connect(seat_hooks.on_registration_canceled)
    hooks.registration_mode_changed.connect(seat_hooks.on_registration_mode_changed)
    hooks.activity_capacity_raised.connect(seat_hooks.on_capacity_raised)
    hooks.seat_summary.connect(seat_summary)
    hooks.personal_data.connect(seat_hooks.personal_data)
    hooks.next_step_facts.connect(seat_hooks.choice_facts)
    hooks.activity_checkpoints.connect(checkpoints.provide_checkpoints)
    # The people screens: a person's seats and choices, and the search's seat filter.
    hooks.person_sections.connect(seat_people.person_sections)
    hooks.seated_activities.connect(seat_people.seated_activities)
    hooks.seat_holders.connect(seat_people.seat_holders)
    # Agenda: change mails, history marks, links and data of `/me`, the calendar in mails.
    hooks.activity_changed.connect(notifications.on_activity_changed)
    hooks.registration_mode_changed.connect(notifications.on_mode_changed)
    hooks.me_links.connect(agenda_hooks.me_links)
    hooks.personal_data.connect(agenda_hooks.personal_data)
    hooks.registration_erased.connect(agenda_hooks.on_registration_erased)
    hooks.calendar_attachments.connect(agenda_hooks.calendar_files)
    # The allocation and confirmation mails carry each person's `.ics`, drawn when sent.
    hooks.mail_attachment.connect(render_calendar_attachment, sender="ics")
