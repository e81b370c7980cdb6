"""The question types and the one answer validator, shared by every form and API that asks.

An answer arrives as JSON gives it (a string, a number, a bool, a list of choice keys); the HTML
forms turn their strings into the same shapes first (`conference.questions.fields`), so the one
validator below gives the same answer and the same Dutch or English message to both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from conference.errors import Invalid
from conference.validation import UNUSABLE_TEXT, tidy_text

TYPES = ("text", "long_text", "choice", "choices", "yes_no", "number", "date")
# A key names a question in URLs, JSON, exports and form fields: short, lower-case ASCII.
KEY_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,39}")
# The longest text when the question sets no maximum, and the most it may set.
TEXT_MAX = {"text": 200, "long_text": 2000}
TEXT_LIMIT = {"text": 500, "long_text": 5000}
# Numbers are whole numbers within this range when the question sets no range.
NUMBER_RANGE = (-1_000_000_000, 1_000_000_000)
DATE_YEARS = (1900, 2100)
NO_ANSWER = (None, "", [])

REQUIRED = _l("Beantwoord deze vraag.")
UNKNOWN = _l("Deze vraag bestaat niet.")
NOT_A_LIST = _l("Stuur de antwoorden als een object: vraag en antwoord.")


@dataclass(frozen=True)
class Choice:
    """A choice of a question: a stable key and its label in the reader's language."""

    key: str
    label: str


@dataclass(frozen=True)
class QuestionDef:
    """A question as forms and validators need it, in the reader's language."""

    key: str
    type: str
    label: str
    help: str | None = None
    required: bool = False
    choices: tuple[Choice, ...] = ()
    # Texts: the most characters; numbers: the highest value (`min` the lowest).
    max: int | None = None
    min: int | None = None
    note: str | None = None  # shown beside the label, e.g. for whom the question is
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def choice_keys(self) -> tuple[str, ...]:
        """The keys of the choices, in their order."""
        return tuple(c.key for c in self.choices)

    def limits(self) -> tuple[int, int]:
        """The range of a number, or (0, the most characters) of a text."""
        if self.type == "number":
            low = NUMBER_RANGE[0] if self.min is None else self.min
            return low, NUMBER_RANGE[1] if self.max is None else self.max
        return 0, self.max or TEXT_MAX.get(self.type, TEXT_MAX["text"])


def _text(q: QuestionDef, value: Any) -> tuple[Any, Any]:
    if not isinstance(value, str):
        return None, _l("Vul hier tekst in.")
    try:
        text = tidy_text(value, multiline=q.type == "long_text")
    except ValueError:
        return None, UNUSABLE_TEXT
    limit = q.limits()[1]
    if len(text) > limit:
        return None, _l("Dit is te lang: gebruik maximaal %(max)d tekens.", max=limit)
    return text or None, None


def _choice(q: QuestionDef, value: Any) -> tuple[Any, Any]:
    if not isinstance(value, str) or value not in q.choice_keys:
        return None, _l("Kies een van de mogelijkheden.")
    return value, None


def _choices(q: QuestionDef, value: Any) -> tuple[Any, Any]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return None, _l("Kies een of meer van de mogelijkheden.")
    if any(v not in q.choice_keys for v in value):
        return None, _l("Kies alleen uit de mogelijkheden.")
    chosen = set(value)
    # Stored in the question's order, each once: the same answer reads the same everywhere.
    return [key for key in q.choice_keys if key in chosen] or None, None


def _yes_no(q: QuestionDef, value: Any) -> tuple[Any, Any]:
    if not isinstance(value, bool):
        return None, _l("Kies ja of nee.")
    return value, None


def _number(q: QuestionDef, value: Any) -> tuple[Any, Any]:
    as_text = isinstance(value, str) and re.fullmatch(r"\s*-?[0-9]{1,12}\s*", value)
    if as_text or (isinstance(value, float) and value.is_integer()):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        return None, _l("Vul een geheel getal in, bijvoorbeeld 3.")
    low, high = q.limits()
    if not low <= value <= high:
        return None, _l("Vul een getal in van %(low)d tot en met %(high)d.", low=low, high=high)
    return value, None


def _date(q: QuestionDef, value: Any) -> tuple[Any, Any]:
    wrong = _l("Vul een datum in als jjjj-mm-dd, bijvoorbeeld 2022-05-05.")
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        return None, wrong
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None, wrong
    if not DATE_YEARS[0] <= day.year <= DATE_YEARS[1]:
        return None, wrong
    return day.isoformat(), None


CHECKS = {
    "text": _text,
    "long_text": _text,
    "choice": _choice,
    "choices": _choices,
    "yes_no": _yes_no,
    "number": _number,
    "date": _date,
}


def clean_answer(q: QuestionDef, value: Any) -> tuple[Any, Any]:
    """(the answer as stored, None) or (None, the message); an empty answer is stored as None."""
    if isinstance(value, str) and q.type not in ("text", "long_text"):
        value = value.strip()
    if value in NO_ANSWER:
        return None, (REQUIRED if q.required else None)
    clean, problem = CHECKS[q.type](q, value)
    if problem is None and clean is None and q.required:
        return None, REQUIRED  # only white space, or no choice at all
    return clean, problem


def clean_answers(
    questions: Iterable[QuestionDef],
    data: Any,
    *,
    partial: bool = False,
    ignore: Iterable[str] = (),
    prefix: str = "answers.",
) -> dict[str, Any]:
    """The answers to `questions` as stored; raises Invalid with `fields["answers.<key>"]`.

    `partial` checks only the questions answered (a change); otherwise a required question
    without an answer is an error. Keys in `ignore` are known questions that do not apply (the
    other mode's): their answers are dropped. Any other key is an error.
    """
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise Invalid(fields={prefix.rstrip("."): NOT_A_LIST})
    errors: dict[str, Any] = {}
    out: dict[str, Any] = {}
    by_key = {q.key: q for q in questions}
    skipped = set(ignore)
    for key in data:
        if key not in by_key and key not in skipped:
            errors[f"{prefix}{key}"[:100]] = UNKNOWN
    for key, q in by_key.items():
        if partial and key not in data:
            continue
        clean, problem = clean_answer(q, data.get(key))
        if problem is not None:
            errors[prefix + key] = problem
        else:
            out[key] = clean
    if errors:
        raise Invalid(fields=errors)
    return out


def answer_text(q: QuestionDef, value: Any) -> str:
    """A stored answer as a reader sees it: choice labels, ja/nee, the text, number or date."""
    if value is None:
        return ""
    labels = {c.key: c.label for c in q.choices}
    if q.type == "choices" and isinstance(value, list):
        return ", ".join(labels.get(v, str(v)) for v in value)
    if q.type == "yes_no":
        return str(_l("Ja") if value else _l("Nee"))
    return labels.get(value, str(value)) if q.type == "choice" else str(value)
