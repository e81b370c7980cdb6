"""The evaluation API's shapes: the forms open to a person, an answer, an organiser's change."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel

from conference.questions.kinds import TYPES
from conference.schemas import Body, examples, maybe

QuestionType = Literal[TYPES]  # type: ignore[valid-type]


class EvaluationChoice(BaseModel):
    """A choice of a closed question, in the request's language."""

    key: str
    label: str


class EvaluationQuestion(BaseModel):
    """A question of an evaluation form, in the request's language."""

    key: str
    type: QuestionType
    label: str
    help: str | None = None
    required: bool
    choices: list[EvaluationChoice] = maybe()
    min: int = maybe()
    max: int = maybe()


class EvaluationForm(BaseModel):
    """An evaluation the person may fill in now."""

    id: int
    target: Literal["day", "activity"]
    activity_id: int | None
    title: str
    closes_at: datetime
    questions: list[EvaluationQuestion]


class MyEvaluations(BaseModel):
    """The evaluations open to the person: attended, open, not yet answered."""

    evaluations: list[EvaluationForm]


class EvaluationAnswers(Body):
    """One's answers: question key to value (a list of choice keys for `choices`)."""

    model_config = {
        **Body.model_config,
        **examples({"answers": {"score": "s4", "meenemen": "Meer luisteren.", "opmerkingen": ""}}),
    }
    answers: dict[str, Any]


class EvaluationAnswered(BaseModel):
    """The answer is stored, without anything that links it to the person."""

    evaluation_id: int
    answered: Literal[True]


class EvaluationPatch(Body):
    """An organiser's change: the questions (as for registration questions) or on/off."""

    questions: list[dict[str, Any]] = maybe(
        "Each as `POST /api/v1/questions` takes it, without modes, sensitivity or deadline."
    )
    active: bool = maybe()


class EvaluationSummary(BaseModel):
    """An evaluation as organisers see it, with its response rate."""

    id: int
    target: Literal["day", "activity"]
    activity_id: int | None
    title: str
    active: bool
    attended: int
    answered: int
    questions: list[dict[str, Any]]


class EvaluationList(BaseModel):
    """Every evaluation of the conference."""

    evaluations: list[EvaluationSummary]
