"""The organiser back office: dashboard data, people, broadcasts, exports, audit.

This is the kernel's dashboard shell: unlike the rest of the kernel it may import the domain
packages (registration, sessions, streaming), because it shows and changes all of them.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the back-office pages and the export API."""
    from conference.api import register_api_blueprint
    from conference.backoffice import (  # noqa: F401  (routes register on the blueprints)
        api,
        audit_views,
        broadcast_views,
        export_views,
        mail_preview_views,
        models,
        people,
        people_views,
        settings_views,
        staff_views,
    )
    from conference.backoffice.blueprint import bp

    app.register_blueprint(bp)
    register_api_blueprint(app, api.bp)
    with app.app_context():
        from conference.extensions import db

        people.register_sql_functions(db.engine)
