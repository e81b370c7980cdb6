"""Wiring of the evaluation: pages, API, and new evaluations when a programme is loaded."""

from __future__ import annotations

from flask import Flask

from conference import hooks
from conference.api import register_api_blueprint
from streaming.evaluation import admin, api, models, programme_file, views  # noqa: F401


def init_app(app: Flask) -> None:
    """Register the evaluation pages and API, and connect to the programme's load."""
    app.register_blueprint(views.bp)
    register_api_blueprint(app, api.bp)
    hooks.programme_loaded.connect(programme_file.programme_loaded)
    hooks.programme_sections.connect(programme_file.programme_sections)
