"""The organiser screens' input, checked by the data file's own pydantic models, in Dutch.

The loader's messages are written for the data file (English); the screens speak Dutch, so each
message is translated here and put next to the field it is about.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ValidationError

from conference.clock import at_local, local
from conference.errors import Invalid
from conference.models import Conference

MESSAGES = {
    "write a time as": _l("schrijf een tijd als UU:MM, bv. 09:30"),
    "is not a time of day": _l("dat is geen uur van de dag"),
    "use lower-case letters": _l("gebruik alleen kleine letters, cijfers en streepjes, bv. blok-1"),
    "must end after it starts": _l("het einde moet na het begin liggen"),
    "give the blocks of the activity": _l("kies de blokken, of geef een begin- en einduur"),
    "needs a capacity": _l("een workshop, bezoek of online workshop heeft een capaciteit nodig"),
}
TYPE_MESSAGES = {
    "missing": _l("dit veld is verplicht"),
    "string_too_short": _l("dit veld is verplicht"),
    "string_too_long": _l("deze tekst is te lang"),
    "greater_than_equal": _l("dit getal is te klein"),
    "less_than_equal": _l("dit getal is te groot"),
    "int_parsing": _l("geef een geheel getal"),
    "int_type": _l("geef een geheel getal"),
    "literal_error": _l("kies een van de mogelijkheden"),
}
# Model-level rules have no field in their location: put the message next to the right field.
RULE_FIELDS = (
    ("must end after", "ends"),
    ("give the blocks", "blocks"),
    ("needs a capacity", "capacity"),
)


def _message(error: dict[str, Any]) -> Any:
    text = error["msg"].removeprefix("Value error, ")
    for needle, dutch in MESSAGES.items():
        if needle in text:
            return dutch
    return TYPE_MESSAGES.get(error["type"], text)


def validate(schema: type[BaseModel], data: dict[str, Any]) -> Any:
    """Validate form data with the loader's pydantic model; Invalid names the fields in Dutch."""
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        fields: dict[str, Any] = {}
        for error in exc.errors():
            loc = [p for p in error["loc"] if isinstance(p, str)]
            name = loc[0] if loc else None
            if name is None:
                text = error["msg"]
                name = next((f for needle, f in RULE_FIELDS if needle in text), "form")
            fields.setdefault(name, _message(error))
        raise Invalid(fields=fields) from exc


def check_urls(data: dict[str, Any]) -> None:
    """The same rule as the activity API: links start with http(s)://."""
    errors = {
        key: _l("geef een adres dat begint met https://")
        for key in ("stream_url", "join_url")
        if data.get(key) and not str(data[key]).startswith(("https://", "http://"))
    }
    if errors:
        raise Invalid(fields=errors)


def conference_day(conf: Conference) -> date:
    """The conference's day in its own time zone."""
    return local(conf.starts_at, conf.timezone).date()


def at(conf: Conference, clock: time) -> datetime:
    """A wall-clock time on the conference's day, as a stored moment."""
    return at_local(conference_day(conf), clock, conf.timezone)


def clock(moment: datetime | None, conf: Conference) -> str:
    """A stored time as "HH:MM" in the conference's zone."""
    return "" if moment is None else local(moment, conf.timezone).strftime("%H:%M")
