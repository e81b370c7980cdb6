"""Programme, seats, preferences, allocation and agendas."""

from pathlib import Path

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the programme pages, the programme API and its OpenAPI paths."""
    from conference.api import register_api_blueprint
    from conference.openapi import add_fragment
    from sessions import api, views

    app.register_blueprint(views.bp)
    register_api_blueprint(app, api.bp)
    add_fragment(app, Path(__file__).with_name("openapi.yaml"))
