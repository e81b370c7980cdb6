"""Wire-format helpers shared by the API of every package."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import request
from flask_babel import lazy_gettext as _l

from conference.errors import Invalid


def json_body() -> dict[str, Any]:
    """The request's JSON object, or a 422 that says the body must be a JSON object."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise Invalid(
            _l("Stuur een JSON-object als body."), fields={"body": _l("geen JSON-object")}
        )
    return data


def parse_time(value: Any, field: str) -> datetime:
    """An ISO 8601 moment with offset, or a 422 naming the field."""
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = None
        if moment is not None and moment.tzinfo is not None:
            return moment
    raise Invalid(
        fields={field: _l("geef een tijdstip met tijdzone, bv. 2022-05-05T09:30:00+02:00")}
    )
