"""Registrations, the venue waiting list, tickets and check-in."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the registration package and its check-in subpackage."""
    from conference.api import register_api_blueprint
    from conference.mail import policy as mail_policy
    from conference.signals import venue_capacity_raised
    from registration import api, checkin, models, services, views  # noqa: F401  (models: tables)
    from registration.account import mail_preferences, unsubscribe  # noqa: F401  (pages join views.bp)
    from registration.account import views as account_views  # noqa: F401  (pages join views.bp)

    app.register_blueprint(views.bp)
    register_api_blueprint(app, api.bp)
    venue_capacity_raised.connect(services.on_venue_capacity_raised)
    # The mail sender asks whether an attendee turned news off since a mail was queued.
    mail_policy.opt_out_checks["r"] = mail_preferences.registration_opted_out
    checkin.init_app(app)
