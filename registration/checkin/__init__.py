"""Check-in: tickets scanned at the entrance and at activity checkpoints."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the check-in API, the scanner page and its OpenAPI paths."""
