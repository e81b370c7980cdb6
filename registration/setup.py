"""Wiring of the registration package: pages, APIs, check-in, people screens, kernel hooks."""

from __future__ import annotations

from flask import Flask

from conference import hooks
from conference.api import register_api_blueprint
from conference.extensions import db
from conference.questions.kinds import answer_text
from registration import api, models, services, views  # noqa: F401  (models: the tables)
from registration.account import mail_preferences, unsubscribe  # noqa: F401  (pages join views.bp)
from registration.account import views as account_views  # noqa: F401  (pages join views.bp)
from registration.admin import people
from registration.admin import views as admin_views
from registration.checkin import api as checkin_api
from registration.checkin import models as checkin_models  # noqa: F401  (the tables)
from registration.checkin import views as checkin_views
from registration.questions import admin as questions_admin
from registration.questions import api as questions_api
from registration.questions import models as questions_models  # noqa: F401  (the tables)
from registration.questions import views as questions_views


def init_app(app: Flask) -> None:
    """Register the registration, people-screen and check-in blueprints and hooks."""
    app.register_blueprint(views.bp)
    app.register_blueprint(admin_views.bp)
    app.register_blueprint(questions_admin.bp)
    register_api_blueprint(app, api.bp)
    app.register_blueprint(checkin_views.bp)
    register_api_blueprint(app, checkin_api.bp)
    register_api_blueprint(app, questions_api.bp)
    connect_hooks()
    # The personal page shows the answers; the answers page shows closed ones as text.
    app.add_template_global(questions_views.answers_shown, "registration_answers")
    app.add_template_global(answer_text)
    with app.app_context():
        people.register_sql_functions(db.engine)


def connect_hooks() -> None:
    """Receivers of the kernel's hooks (idempotent: blinker keeps one connection each)."""
    hooks.venue_capacity_raised.connect(services.on_venue_capacity_raised)
    # The mail sender asks whether an attendee turned news off since a mail was queued.
    hooks.news_opted_out.connect(mail_preferences.news_opted_out, sender="r")
    # The person's page in the back office shows their answers (registration.questions).
    hooks.person_sections.connect(questions_admin.person_sections)
