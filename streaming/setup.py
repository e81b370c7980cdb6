"""Wiring of the streaming package: pages, API, and the watch links it offers the agenda."""

from __future__ import annotations

from flask import Flask

from conference import hooks
from conference.api import register_api_blueprint
from streaming import admin, api, models, views  # noqa: F401  (routes and tables)
from streaming.hooks import watch_url_for_agenda


def init_app(app: Flask) -> None:
    """Register the streaming pages, the streaming API and hooks."""
    app.register_blueprint(views.bp)
    register_api_blueprint(app, api.bp)
    # The agenda links streams to their watch page (sessions cannot import streaming).
    hooks.watch_url.connect(watch_url_for_agenda)
