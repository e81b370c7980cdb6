"""Addresses of networking: the video room of an online meeting."""

from __future__ import annotations

from flask import current_app

DEFAULT_VIDEO_BASE = "https://meet.jit.si/"


def video_url(room: str) -> str:
    """The video room's address on the configured base (`NETWORKING_VIDEO_BASE`)."""
    base = current_app.config.get("NETWORKING_VIDEO_BASE") or DEFAULT_VIDEO_BASE
    return base.rstrip("/") + "/" + room
