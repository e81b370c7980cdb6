"""Wiring of the registration package: pages, APIs, check-in, people screens, kernel hooks."""

from __future__ import annotations

from flask import Flask

from conference import hooks
from conference.api import register_api_blueprint
from conference.extensions import db
from registration import api, models, services, views  # noqa: F401  (models: the tables)
from registration.account import mail_preferences, unsubscribe  # noqa: F401  (pages join views.bp)
from registration.account import views as account_views  # noqa: F401  (pages join views.bp)
from registration.admin import people
from registration.admin import views as admin_views
from registration.checkin import api as checkin_api
from registration.checkin import models as checkin_models  # noqa: F401  (the tables)
from registration.checkin import views as checkin_views
from registration.draw import admin as draw_admin
from registration.draw import api as draw_api
from registration.draw import models as draw_models  # noqa: F401  (the tables)
from registration.draw import views as draw_views
from registration.draw.applying import on_venue_mode_changed
from registration.draw.verify import draw_verify_command


def init_app(app: Flask) -> None:
    """Register the registration, people-screen and check-in blueprints and hooks."""
    app.register_blueprint(views.bp)
    app.register_blueprint(admin_views.bp)
    register_api_blueprint(app, api.bp)
    app.register_blueprint(checkin_views.bp)
    register_api_blueprint(app, checkin_api.bp)
    # The venue draw (issue 15): its public page, review page, API and re-run command.
    app.register_blueprint(draw_views.bp)
    app.register_blueprint(draw_admin.bp)
    register_api_blueprint(app, draw_api.bp)
    app.cli.add_command(draw_verify_command)
    connect_hooks()
    with app.app_context():
        people.register_sql_functions(db.engine)


def connect_hooks() -> None:
    """Receivers of the kernel's hooks (idempotent: blinker keeps one connection each)."""
    hooks.venue_capacity_raised.connect(services.on_venue_capacity_raised)
    hooks.venue_mode_changed.connect(on_venue_mode_changed)
    # The mail sender asks whether an attendee turned news off since a mail was queued.
    hooks.news_opted_out.connect(mail_preferences.news_opted_out, sender="r")
