"""Registrations, the venue waiting list, tickets and check-in."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the registration package and its check-in subpackage."""
    from pathlib import Path

    from conference.api import register_api_blueprint
    from conference.openapi import add_fragment
    from conference.signals import venue_capacity_raised
    from registration import (
        account_views,  # noqa: F401  (its pages join views.bp)
        api,
        checkin,
        models,  # noqa: F401  (tables for the schema)
        services,
        views,
    )

    app.register_blueprint(views.bp)
    register_api_blueprint(app, api.bp)
    add_fragment(app, Path(__file__).with_name("openapi.yaml"))
    venue_capacity_raised.connect(services.on_venue_capacity_raised)
    checkin.init_app(app)
