"""Absolute links for e-mails and the API, built from BASE_URL (also outside a request)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app


def external_url(endpoint: str, **values: Any) -> str:
    """The absolute URL of `endpoint` under BASE_URL, in a request, a job or the CLI."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http"
    )
    return adapter.build(endpoint, values, force_external=True)


def manage_url(raw_token: str) -> str:
    """The personal manage link: it carries the attendee's bearer token."""
    return external_url("registration.manage_link", token=raw_token)


def watch_url() -> str:
    """Where an online attendee follows the day: the streaming page."""
    return external_url("streaming.now")
