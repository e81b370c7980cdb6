"""Wiring of the streaming package: pages, API, the watch links for the agenda, people screens."""

from __future__ import annotations

from flask import Flask

from conference import hooks
from conference.api import register_api_blueprint
from streaming import admin, api, models, people, views  # noqa: F401  (routes and tables)
from streaming.hooks import watch_url_for_agenda
from streaming.networking import setup as networking


def init_app(app: Flask) -> None:
    """Register the streaming pages, the streaming API and hooks."""
    app.register_blueprint(views.bp)
    register_api_blueprint(app, api.bp)
    # The agenda links streams to their watch page (sessions cannot import streaming).
    hooks.watch_url.connect(watch_url_for_agenda)
    # A person's page in the back office shows what they followed online.
    hooks.person_sections.connect(people.person_sections)
    # Meeting colleagues: directory, meetings, themed tables.
    networking.init_app(app)
