"""Wiring of networking: its pages, organiser screens, API and hooks (called by streaming.setup)."""

from __future__ import annotations

from flask import Flask

from conference import hooks
from conference.api import register_api_blueprint
from streaming.networking import admin, api, models, views  # noqa: F401
from streaming.networking import hooks as networking_hooks


def init_app(app: Flask) -> None:
    """Register the networking pages, screens, API and hooks."""
    app.register_blueprint(views.bp)
    app.register_blueprint(admin.bp)
    register_api_blueprint(app, api.bp)
    # The agenda (sessions) shows accepted meetings and table places without importing us.
    hooks.agenda_extras.connect(networking_hooks.agenda_extras)
    hooks.registration_canceled.connect(networking_hooks.on_registration_canceled)
    hooks.registration_erased.connect(networking_hooks.on_registration_erased)
    hooks.personal_data.connect(networking_hooks.personal_data)
