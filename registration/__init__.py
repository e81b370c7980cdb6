"""Registrations, the venue waiting list, tickets and check-in."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the registration package (its models are imported for the schema)."""
    from registration import models  # noqa: F401
