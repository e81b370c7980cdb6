"""Property-based tests: the programme loader answers any input with data or a ProgrammeError."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sessions.programme.loader import ProgrammeError, parse_programme
from tests.support.apps import PROGRAMME

TEXT = PROGRAMME.read_text(encoding="utf-8")
LINES = TEXT.splitlines(keepends=True)


def _parse_or_error(text: str) -> None:
    try:
        parse_programme(text)
    except ProgrammeError as exc:
        assert exc.problems, "an error must say what is wrong"
        for problem in exc.problems:
            assert problem.reason and problem.field
            assert problem.line is None or 1 <= problem.line <= text.count("\n") + 2


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_any_text_is_data_or_a_clear_error(text):
    _parse_or_error(text)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    line=st.integers(min_value=0, max_value=len(LINES) - 1),
    junk=st.text(alphabet=st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=30),
)
def test_a_damaged_line_of_the_real_file_is_data_or_a_clear_error(line, junk):
    damaged = LINES.copy()
    damaged[line] = damaged[line].rstrip("\n") + junk + "\n"
    _parse_or_error("".join(damaged))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(start=st.integers(min_value=0, max_value=len(LINES) - 1), length=st.integers(1, 12))
def test_a_deleted_stretch_of_the_real_file_is_data_or_a_clear_error(start, length):
    _parse_or_error("".join(LINES[:start] + LINES[start + length :]))
