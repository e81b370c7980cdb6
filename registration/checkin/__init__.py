"""Check-in: tickets scanned at the entrance and at activity checkpoints."""

from pathlib import Path

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the check-in API, the scanner page and its OpenAPI paths."""
    from conference.api import register_api_blueprint
    from conference.openapi import add_fragment
    from registration.checkin import api, models, views  # noqa: F401  (models: the tables)

    app.register_blueprint(views.bp)
    register_api_blueprint(app, api.bp)
    add_fragment(app, Path(__file__).with_name("openapi.yaml"))
