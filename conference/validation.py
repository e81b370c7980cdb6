"""Input helpers shared by every package: JSON bodies, times and free text."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from flask import request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter, PathConverter, UnicodeConverter

from conference.clock import utcnow
from conference.errors import Invalid

# The largest value of an INTEGER column (every id) on PostgreSQL; SQLite stops at 2**63 - 1.
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<int:…>` in URLs: a number no row can have is a 404, not a database error (a 500)."""

    def to_python(self, value: str) -> int:
        """The number, or a 404 when it is beyond any id.

        Not werkzeug's `max`: a rule refused by its converter lets the other methods' rule of
        the same path answer 405, where the truth is that nothing is there.
        """
        number = super().to_python(value)
        if number > MAX_ID:
            raise NotFound()
        return number


def as_id(value: Any) -> int | None:
    """A row id from a path, query, form or JSON value, or None when no row can have it.

    Only ASCII digits count: "²" and "①" pass `str.isdigit()` but not `int()`, and a number
    beyond an INTEGER column fails in the database (a 500) instead of finding nothing.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not (value.isascii() and value.isdigit()) or len(value) > len(str(MAX_ID)):
            return None
        value = int(value)
    return value if isinstance(value, int) and 0 < value <= MAX_ID else None


UNUSABLE_TEXT = _l(
    "Deze tekst bevat een teken dat we niet kunnen bewaren, zoals een stuurteken. Laat het weg."
)
# Control characters (C0, DEL, C1) and lone surrogates are refused, not dropped, so a person sees
# what would not be kept: PostgreSQL stores neither NUL nor surrogates, and the others garble
# names on badges, lists and mails. Line breaks and tabs are handled before this check.
_UNSTORABLE_IN_LINE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_UNSTORABLE_IN_LINES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# Invisible format characters that mean nothing at either end of a text (a pasted BOM, a stray
# zero-width space or direction mark); inside a text they stay (emoji sequences, scripts).
_INVISIBLE = (
    "\u00ad\u061c\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff"
)


def tidy_text(value: str, *, multiline: bool = False) -> str:
    """Text as it is stored: trimmed, white space tidied, NFC; "" when nothing visible is left.

    One line: every run of white space (tabs and line breaks too) becomes one space. Several
    lines: line breaks become "\\n" and lines lose their trailing spaces; tabs stay. Raises
    ValueError for a control character or a lone surrogate.
    """
    if multiline:
        text = "\n".join(line.rstrip() for line in value.strip().splitlines())
        unstorable = _UNSTORABLE_IN_LINES
    else:
        text = " ".join(value.split())
        unstorable = _UNSTORABLE_IN_LINE
    if unstorable.search(text):
        raise ValueError("a control character or a lone surrogate")
    # NFC last, so what is stored is NFC even where trimming touched a combining sequence.
    while (trimmed := unicodedata.normalize("NFC", text.strip(_INVISIBLE).strip())) != text:
        text = trimmed
    # Only marks, format characters or spaces left: nothing a reader would see.
    visible = any(unicodedata.category(ch)[0] in "LNPS" for ch in text)
    return text if visible else ""


# What no database column can hold (PostgreSQL refuses NUL and lone surrogates) and what no
# path, query or token of ours contains: other control characters (C0 but tab and line breaks,
# DEL, C1). Line breaks and tabs are left to `tidy_text`, which turns them into spaces.
_IMPOSSIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_UNSTORABLE_ANYWHERE = re.compile("[\x00\ud800-\udfff]")


def impossible(value: str) -> bool:
    """Whether a path part, query value or token holds a character none of ours can hold."""
    return bool(_IMPOSSIBLE.search(value))


class TextConverter(UnicodeConverter):
    """`<name>` in URLs: a part with a control character or a lone surrogate is a 404, not a
    database error (a 500) when the view looks it up."""

    def to_python(self, value: str) -> str:
        """The part as it is, or a 404 (see `IdConverter` for why not a converter mismatch)."""
        if _UNSTORABLE_IN_LINE.search(value):
            raise NotFound()
        return value


class PathTextConverter(PathConverter):
    """`<path:…>` in URLs, with the rule of `TextConverter`."""

    def to_python(self, value: str) -> str:
        """The path as it is, or a 404."""
        if _UNSTORABLE_IN_LINE.search(value):
            raise NotFound()
        return value


def tidy_search(value: Any, field: str = "q", limit: int = 200) -> str:
    """A search text as `tidy_text` leaves it (one line, at most `limit` characters); 422 for
    a control character."""
    if not isinstance(value, str):
        return ""
    try:
        return tidy_text(value)[:limit]
    except ValueError:
        raise Invalid(UNUSABLE_TEXT, fields={field: UNUSABLE_TEXT}) from None


def _unstorable_path(data: Any) -> str | None:
    """The dotted place of the first string in `data` no database could store, or None."""
    # A stack, not recursion: a body nested as deep as the parser allows must not overflow here.
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if _UNSTORABLE_ANYWHERE.search(value):
                return path or "body"
        elif isinstance(value, dict | list):
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str) and _UNSTORABLE_ANYWHERE.search(key):
                    return path or "body"
                stack.append((f"{path}.{key}" if path else str(key), item))
    return None


def text_field(
    value: Any, field: str, limit: int, errors: dict[str, Any], *, multiline: bool = False
) -> str | None:
    """Free text from a JSON body as it is stored (`tidy_text`), None when blank; a problem
    (no text, a control character, longer than `limit`) goes into `errors` under `field`."""
    if value is None:
        return None
    if not isinstance(value, str):
        errors[field] = _l("tekst van hoogstens %(n)d tekens", n=limit)
        return None
    try:
        text = tidy_text(value, multiline=multiline)
    except ValueError:
        errors[field] = UNUSABLE_TEXT
        return None
    if len(text) > limit:
        errors[field] = _l("tekst van hoogstens %(n)d tekens", n=limit)
        return None
    return text or None


def text_filter(multiline: bool, message: Any = UNUSABLE_TEXT) -> Callable[[Any], Any]:
    """`tidy_text` as a filter of a form or data file field: other values pass; a control
    character raises ValueError(message)."""

    def tidy(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        try:
            return tidy_text(value, multiline=multiline)
        except ValueError:
            raise ValueError(message) from None

    return tidy


def json_body() -> dict[str, Any]:
    """The request's JSON object, or a 422 that says the body must be a JSON object."""
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the parser goes: not a body we can use
        data = None
    if not isinstance(data, dict):
        raise Invalid(
            _l("Stuur een JSON-object als body."), fields={"body": _l("geen JSON-object")}
        )
    # NUL and lone surrogates anywhere: refused here, so no service can pass them to a query.
    if (where := _unstorable_path(data)) is not None:
        raise Invalid(fields={where: UNUSABLE_TEXT})
    return data


# A moment further than this many years from the conference's own year is a typo (9999 for
# 2023, 0001 for an empty field) that no page could show in the conference's time zone.
MOMENT_YEARS = 5
# The years a conference itself may fall in (the data file's `date`).
CONFERENCE_YEARS = (2000, 2100)


def moment_bounds(around: date | datetime) -> tuple[datetime, datetime]:
    """The first moment accepted near `around` and the first one refused after it (UTC)."""
    year = around.year
    return (
        datetime(year - MOMENT_YEARS, 1, 1, tzinfo=UTC),
        datetime(year + MOMENT_YEARS + 1, 1, 1, tzinfo=UTC),
    )


def moment_problem(moment: datetime, around: date | datetime) -> Any | None:
    """Why `moment` (aware, or naive local) cannot be stored near `around`; None when it can."""
    first, after = moment_bounds(around)
    naive = moment.replace(tzinfo=None) if moment.tzinfo is not None else moment
    # Compared on the wall clock: a naive local time and the UTC bounds differ by hours, which
    # the whole years of margin absorb, and no offset arithmetic can overflow here.
    if not first.replace(tzinfo=None) <= naive < after.replace(tzinfo=None):
        return _l(
            "kies een tijdstip tussen %(first)d en %(last)d", first=first.year, last=after.year - 1
        )
    return None


def conference_year_problem(day: date) -> str | None:
    """Why a conference cannot fall on `day`; None when it can."""
    first, last = CONFERENCE_YEARS
    return None if first <= day.year <= last else f"the conference year must be {first}-{last}"


def parse_time(value: Any, field: str, around: date | datetime | None = None) -> datetime:
    """An ISO 8601 moment with offset near `around` (default: now), or a 422 naming the field."""
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = None
        if moment is not None and moment.tzinfo is not None:
            problem = moment_problem(moment, around or utcnow())
            if problem is not None:
                raise Invalid(fields={field: problem})
            return moment
    raise Invalid(
        fields={field: _l("geef een tijdstip met tijdzone, bv. 2022-05-05T09:30:00+02:00")}
    )
