"""Wiring of the back-office shell: its blueprints and the export API."""

from __future__ import annotations

from flask import Flask

from conference.api import register_api_blueprint
from conference.backoffice import (  # noqa: F401  (routes register on the blueprints)
    api,
    audit_views,
    broadcast_views,
    dashboard_views,
    export_views,
    mail_preview_views,
    models,
    settings_views,
    staff_views,
)
from conference.backoffice.blueprint import bp


def init_app(app: Flask) -> None:
    """Register the back-office pages and the export API."""
    app.register_blueprint(bp)
    register_api_blueprint(app, api.bp)
