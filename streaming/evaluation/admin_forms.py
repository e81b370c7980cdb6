"""The organisers' evaluation question form: the registration questions' form, less what is
about registration (who answers, sensitivity, deadlines), which an evaluation does not have."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from registration.questions.admin_forms import QuestionForm, fill_form, form_data
from streaming.evaluation.services import NOT_HERE


class EvaluationQuestionForm(QuestionForm):
    """An evaluation question; the page draws only the fields an evaluation uses."""


def question_data(form: QuestionForm, *, new: bool) -> dict[str, Any]:
    """The form as the evaluation's question rules take it."""
    return {k: v for k, v in form_data(form, new=new).items() if k not in NOT_HERE}


def fill_question(form: QuestionForm, stored: dict[str, Any]) -> None:
    """Show a stored evaluation question in the form."""
    fill_form(
        form,
        SimpleNamespace(
            **stored, modes=[], sensitive=False, visible_to_speakers=False, editable_until=None
        ),
    )
