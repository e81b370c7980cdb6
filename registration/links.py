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


def optional_url(endpoint: str, **values: Any) -> str | None:
    """Like `external_url`, or None while the package that owns `endpoint` is not installed."""
    if endpoint not in current_app.view_functions:
        return None
    return external_url(endpoint, **values)


def manage_url(raw_token: str) -> str:
    """The personal manage link: it carries the attendee's bearer token."""
    return external_url("registration.manage_link", token=raw_token)


def watch_url() -> str:
    """Where an online attendee follows the day (the streaming page, else the programme)."""
    return optional_url("streaming.now") or external_url("sessions.programme")
