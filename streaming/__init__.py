"""Streams, online workshops, presence, Q&A and certificates."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the streaming package."""
