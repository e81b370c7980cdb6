"""Registrations, the venue waiting list, tickets and check-in."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the registration package and its check-in subpackage."""
    from registration import checkin
    from registration import models  # noqa: F401  (tables for the schema)

    checkin.init_app(app)
