"""Check-in: tickets scanned at the entrance and at activity checkpoints."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the check-in API and the scanner page."""
    from conference.api import register_api_blueprint
    from registration.checkin import api, models, views  # noqa: F401  (models: the tables)

    app.register_blueprint(views.bp)
    register_api_blueprint(app, api.bp)
