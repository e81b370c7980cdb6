"""Property tests of the one answer validator: any JSON value for any question gives a clean
answer of the question's shape or a message in Dutch and English; never an exception."""

from __future__ import annotations

from datetime import date

from flask_babel import force_locale
from hypothesis import given
from hypothesis import strategies as st

from conference.errors import Invalid
from conference.questions.kinds import (
    NUMBER_RANGE,
    TYPES,
    Choice,
    QuestionDef,
    clean_answer,
    clean_answers,
)
from conference.validation import tidy_text
from tests.support.form_properties import PURE, texts

KEYS = ("a", "b", "c")
# Anything a JSON body can hold, texts included at any size and with any character.
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | texts()
    | st.sampled_from([*KEYS, "2022-05-05", "0001-01-01", "12", " 7 ", "yes"]),
    lambda inner: st.lists(inner, max_size=5)
    | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)  # fmt: skip


@st.composite
def questions(draw) -> QuestionDef:
    kind = draw(st.sampled_from(TYPES))
    low = draw(st.none() | st.integers(-100, 100))
    high = draw(st.none() | st.integers(1, 500))
    if kind == "number" and low is not None and high is not None and low > high:
        low, high = high, low
    return QuestionDef(
        key="q", type=kind, label="Vraag", required=draw(st.booleans()),
        choices=tuple(Choice(k, k.upper()) for k in KEYS) if kind in ("choice", "choices") else (),
        max=high, min=low if kind == "number" else None,
    )  # fmt: skip


def _shape_holds(q: QuestionDef, clean) -> None:
    if q.type in ("text", "long_text"):
        assert isinstance(clean, str) and clean
        assert tidy_text(clean, multiline=q.type == "long_text") == clean
        assert len(clean) <= q.limits()[1]
    elif q.type == "choice":
        assert clean in KEYS
    elif q.type == "choices":
        assert clean and clean == [k for k in KEYS if k in clean]
    elif q.type == "yes_no":
        assert isinstance(clean, bool)
    elif q.type == "number":
        low, high = q.limits()
        assert type(clean) is int and low <= clean <= high
        assert NUMBER_RANGE[0] <= clean <= NUMBER_RANGE[1] or q.max or q.min
    else:
        assert date.fromisoformat(clean).isoformat() == clean


@PURE
@given(q=questions(), value=JSON)
def test_any_value_is_a_clean_answer_or_a_message_in_both_languages(app, q, value):
    clean, problem = clean_answer(q, value)
    if problem is not None:
        assert clean is None
        with force_locale("nl"):
            dutch = str(problem)
        with force_locale("en"):
            english = str(problem)
        assert dutch and english and dutch != english
        return
    if clean is None:
        assert not q.required  # only an optional question may stay unanswered
        return
    _shape_holds(q, clean)
    assert clean_answer(q, clean) == (clean, None)  # a stored answer passes again unchanged


@PURE
@given(q=questions(), data=JSON)
def test_any_body_of_answers_is_checked_or_refused_by_key(app, q, data):
    try:
        clean = clean_answers([q], data)
    except Invalid as exc:
        assert exc.fields and all(k.startswith("answers") for k in exc.fields)
        return
    assert set(clean) == {"q"}
    if clean["q"] is not None:
        _shape_holds(q, clean["q"])
