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
from registration.checkin import offline  # noqa: F401  (the worker and manifest join checkin.bp)
from registration.checkin import updates as checkin_updates
from registration.checkin import views as checkin_views
from registration.colleagues import admin as colleagues_admin  # noqa: F401  (joins people_admin)
from registration.colleagues import api as colleagues_api
from registration.colleagues import models as colleagues_models  # noqa: F401  (the tables)
from registration.colleagues import privacy as colleagues_privacy
from registration.contingents import admin as contingents_admin
from registration.contingents import api as contingents_api
from registration.contingents import models as contingent_models  # noqa: F401  (the tables)
from registration.draw import admin as draw_admin
from registration.draw import api as draw_api
from registration.draw import models as draw_models  # noqa: F401  (the tables)
from registration.draw import views as draw_views
from registration.draw.applying import on_venue_mode_changed
from registration.draw.verify import draw_verify_command
from registration.questions import admin as questions_admin
from registration.questions import api as questions_api
from registration.questions import models as questions_models  # noqa: F401  (the tables)
from registration.questions import services as questions_services
from registration.questions import views as questions_views
from registration.reconfirm import api as reconfirm_api
from registration.reconfirm import models as reconfirm_models  # noqa: F401  (the tables)
from registration.reconfirm import views as reconfirm_views


def init_app(app: Flask) -> None:
    """Register the registration, people-screen and check-in blueprints and hooks."""
    app.register_blueprint(views.bp)
    app.register_blueprint(admin_views.bp)
    app.register_blueprint(questions_admin.bp)
    register_api_blueprint(app, api.bp)
    app.register_blueprint(checkin_views.bp)
    register_api_blueprint(app, checkin_api.bp)
    app.register_blueprint(contingents_admin.bp)
    register_api_blueprint(app, contingents_api.bp)
    app.register_blueprint(reconfirm_views.bp)
    register_api_blueprint(app, reconfirm_api.bp)
    register_api_blueprint(app, questions_api.bp)
    register_api_blueprint(app, colleagues_api.bp)
    # The venue draw (issue 15): its public page, review page, API and re-run command.
    app.register_blueprint(draw_views.bp)
    app.register_blueprint(draw_admin.bp)
    register_api_blueprint(app, draw_api.bp)
    app.cli.add_command(draw_verify_command)
    connect_hooks()
    checkin_updates.watch_models()  # every scan moves the arrival figures' stamps
    questions_services.watch_questions()  # registrations keep the questions on that stamp
    # The personal page shows the answers; the answers page shows closed ones as text.
    app.add_template_global(questions_views.answers_shown, "registration_answers")
    app.add_template_global(answer_text)
    with app.app_context():
        people.register_sql_functions(db.engine)


def connect_hooks() -> None:
    """Receivers of the kernel's hooks (idempotent: blinker keeps one connection each)."""
    hooks.venue_capacity_raised.connect(services.on_venue_capacity_raised)
    hooks.venue_mode_changed.connect(on_venue_mode_changed)
    # The mail sender asks whether an attendee turned news off since a mail was queued.
    hooks.news_opted_out.connect(mail_preferences.news_opted_out, sender="r")
    # The person's page in the back office shows their answers (registration.questions).
    hooks.person_sections.connect(questions_admin.person_sections)
    # Colleagues: the export shows invitations; erasure and cancel end the coordinator's view.
    hooks.personal_data.connect(colleagues_privacy.personal_data)
    hooks.registration_erased.connect(colleagues_privacy.on_registration_erased)
    hooks.registration_canceled.connect(colleagues_privacy.on_registration_canceled)
