"""Programme, seats and allocation, agendas: three sub-packages, wired here."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the programme pages, its organiser screens and the programme API."""
    from conference.api import register_api_blueprint
    from sessions.agenda import views as agenda_views  # noqa: F401  (routes join views.bp)
    from sessions.programme import admin, api, views

    app.register_blueprint(views.bp)
    app.register_blueprint(admin.bp)
    register_api_blueprint(app, api.bp)
    from sessions.seats import checkpoints

    checkpoints.init_app(app)
    _init_seats(app)
    _init_agenda(app)


def _init_seats(app: Flask) -> None:
    """Seats, preferences, allocation and waiting lists: pages, API, signals, CLI."""
    from conference.api import register_api_blueprint
    from sessions.seats import admin as seat_admin  # noqa: F401  (its routes live on seat_views.bp)
    from sessions.seats import api as seat_api
    from sessions.seats import hooks as seat_hooks
    from sessions.seats import views as seat_views
    from sessions.seats.allocation.cli import allocate_command

    app.register_blueprint(seat_views.bp)
    register_api_blueprint(app, seat_api.bp)
    seat_hooks.connect()
    seat_hooks.register_seat_summary()
    app.jinja_env.globals["seat_state"] = seat_views.seat_state
    app.cli.add_command(allocate_command)


def _init_agenda(app: Flask) -> None:
    """Agenda, calendar feeds, follows and change mails: API, signals, history."""
    from conference.api import register_api_blueprint
    from sessions.agenda import api as agenda_api
    from sessions.agenda import (
        history,  # noqa: F401  (installs its session events on import)
        notifications,
    )
    from sessions.agenda import hooks as agenda_hooks
    from sessions.agenda import views as agenda_views

    register_api_blueprint(app, agenda_api.bp)
    agenda_views.init_app(app)
    notifications.connect()
    agenda_hooks.connect()
    from conference.mail.outbox import attachment_renderers
    from sessions.agenda.calendar import render_calendar_attachment

    # The allocation mail carries each person's `.ics`, drawn when the mail is sent.
    attachment_renderers["ics"] = render_calendar_attachment
