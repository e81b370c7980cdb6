"""Wiring of the back-office shell: its blueprints, the export API, the people search's SQL."""

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
    people,
    people_views,
    settings_views,
    staff_views,
)
from conference.backoffice.blueprint import bp
from conference.extensions import db


def init_app(app: Flask) -> None:
    """Register the back-office pages and the export API."""
    app.register_blueprint(bp)
    register_api_blueprint(app, api.bp)
    with app.app_context():
        people.register_sql_functions(db.engine)
