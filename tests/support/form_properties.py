"""Strategies and checks shared by the property tests of the forms and validators."""

from __future__ import annotations

import itertools
import unicodedata
from typing import Any

from flask import current_app
from flask_babel import force_locale
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from markupsafe import escape
from sqlalchemy import func, select

from conference.errors import HTTP_MESSAGES
from conference.extensions import db
from conference.models import ApiToken, MailMessage, User
from registration.models import Registration, Ticket
from streaming.models import Question
from tests.support.apps import IN_CI

# HTTP examples share one database per test (function-scoped fixtures), so they stay few; CI
# runs the same examples every time, a laptop explores new ones.
HTTP = settings(
    max_examples=50,
    deadline=None,
    derandomize=IN_CI,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
PURE = settings(HTTP, max_examples=300)

# Pieces that break naive text handling: control characters (NUL, escape, DEL, C1), every
# kind of line break and space, combining marks (composed and not), characters whose NFC form
# is longer (U+0958), Hangul jamo that NFC joins, zero-width and direction marks, RTL scripts,
# emoji sequences, noncharacters, look-alikes that only NFKC would fold, injection-looking text.
SPECIAL = [
    "\x00", "\x01", "\x08", "\x1b", "\x7f", "\x80", "\x9f",
    "\t", "\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x1f", "\x85", "\u2028", "\u2029",
    " ", "  ", "\u00a0", "\u2003", "\u3000",
    "\u0301", "\u0308", "e\u0301", "\u00e9", "A\u030a", "\u0958", "\u1100\u1161", "\uac00",
    "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202e", "\u2066", "\u2069", "\ufeff",
    "\u00ad", "\u2063",
    "\u05e9\u05dc\u05d5\u05dd", "\u0645\u0631\u062d\u0628\u0627", "\u4f60\u597d",
    "\U0001f469\u200d\U0001f469\u200d\U0001f467", "\U0001f600", "\U0001f1e7\U0001f1ea",
    "\ufb01", "\uff21", "\u0130", "\u00df", "\u01c5", "\ufffd", "\uffff", "\U0010ffff",
    "<script>", "'; --", "%s", "{{7*7}}", "Jan", "De Smet", "VZW 't Pleintje",
]  # fmt: skip
SURROGATES = ["\ud800", "\udbff", "\udc00", "\udfff"]
# Repeated to a length around a field's limit: one code point, two that NFC makes one, one
# that NFC makes two, astral emoji (4 bytes in UTF-8), a space that collapses.
REPEATABLE = ["a", "\u00e9", "e\u0301", "\u0958", "\U0001f600", "\u00a0", "x ", "\u200b"]
LENGTHS = [1, 99, 100, 101, 199, 200, 201, 999, 1000, 1001, 10_000, 1_000_000]


def texts(surrogates: bool = True) -> st.SearchStrategy[str]:
    """Any text: random Unicode, the special pieces, and long runs up to 1 MB."""
    pieces = SPECIAL + (SURROGATES if surrogates else [])
    # HTML forms arrive as UTF-8, which cannot carry a lone surrogate: only JSON can.
    chars = st.characters() if surrogates else st.characters(exclude_categories=["Cs"])
    mixed = st.lists(
        st.one_of(st.text(chars, max_size=6), st.sampled_from(pieces)), max_size=12
    ).map("".join)
    long_runs = st.builds(
        lambda piece, n, pre, post: pre + (piece * n)[:n] + post,
        st.sampled_from(REPEATABLE),
        st.sampled_from(LENGTHS),
        st.sampled_from(["", " ", "\u200b", "\x00"] if surrogates else ["", " ", "\u200b"]),
        st.sampled_from(["", " ", "x", "\u0301"]),
    )
    return st.one_of(mixed, mixed, long_runs)


def question_texts(surrogates: bool = True) -> st.SearchStrategy[str]:
    """Any text, half of it starting like a question (short texts are refused for length)."""
    any_text = texts(surrogates)
    return st.one_of(any_text, any_text.map("Waarom is dit zo? ".__add__))


def case_variant(address: str, flips: list[bool]) -> str:
    """The address with the case of some letters changed where that keeps one letter one."""
    out = []
    for ch, flip in zip(address, itertools.cycle(flips or [False]), strict=False):
        other = ch.swapcase()
        same_letter = len(other) == 1 and other.lower() == ch.lower()
        out.append(other if flip and same_letter else ch)
    return "".join(out)


def visible(text: str) -> list[str]:
    """The characters a reader sees: letters, digits, punctuation and symbols."""
    return [ch for ch in text if unicodedata.category(ch)[0] in "LNPS"]


def unusable(ch: str) -> bool:
    """A character no text field stores: a control character that is no white space, or a
    lone surrogate."""
    category = unicodedata.category(ch)
    return category == "Cs" or (category == "Cc" and not ch.isspace())


def in_language(messages: dict[str, Any], language: str) -> dict[str, str]:
    """The validator's messages as the API words them in `language`."""
    with force_locale(language):
        return {key: str(value) for key, value in messages.items()}


def assert_clean_answer(response, statuses: tuple[int, ...]) -> None:
    """An expected status, never a 5xx, and no stack trace or exception name in the body."""
    body = response.get_data(as_text=True)
    assert response.status_code < 500, body[:500]
    assert response.status_code in statuses, (response.status_code, body[:500])
    for leak in ("Traceback", 'File "/', "sqlalchemy.", "psycopg.", "sqlite3.", "Exception"):
        assert leak not in body, (leak, body[:500])


def too_large(response) -> bool:
    """Whether the request was larger than the app takes (MAX_CONTENT_LENGTH): then a 413."""
    length = int(response.request.environ.get("CONTENT_LENGTH") or 0)
    return length > current_app.config["MAX_CONTENT_LENGTH"]


def assert_too_large(response, language: str) -> None:
    """A 413 that says, in the person's language, that the request is too large."""
    assert_clean_answer(response, (413,))
    message = in_language({"body": HTTP_MESSAGES[413]}, language)["body"]
    if response.is_json:
        assert response.get_json() == {"error": "too_large", "message": message}
    else:
        assert str(escape(message)) in response.get_data(as_text=True)


def row_counts() -> tuple[int, ...]:
    """Rows of everything a registration writes, read fresh."""
    db.session.rollback()
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Registration, User, ApiToken, Ticket, MailMessage)
    )


def question_count() -> int:
    """Questions in the Q&A, read fresh."""
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Question))


_numbers = itertools.count(1)


def fresh_email() -> str:
    """An address no earlier example used."""
    return f"prop{next(_numbers)}@example.be"
