"""The question API's shapes: the public form, and a question as organisers define it.

The validators (`conference.questions.kinds` for answers, `registration.questions.editing` for
questions) check the bodies and give the Dutch and English messages; these models describe them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from conference.questions.kinds import TYPES
from conference.schemas import Body, examples, maybe
from registration.models import MODES

QuestionType = Literal[TYPES]  # type: ignore[valid-type]
Mode = Literal[MODES]  # type: ignore[valid-type]
Key = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
# An answer: a text, a choice key, a list of choice keys, true/false, a whole number, a date.
AnswerValue = str | int | bool | list[str] | None
Answers = dict[str, AnswerValue]


class FormQuestionChoice(BaseModel):
    """A choice in the request's language."""

    key: str
    label: str


class FormQuestion(BaseModel):
    """A question of the registration form, in the request's language."""

    key: str
    type: QuestionType
    label: str
    help: str | None
    required: bool
    choices: list[FormQuestionChoice] = maybe()
    modes: list[Mode]
    max: int = maybe("Texts: the most characters; numbers: the highest value.")
    min: int = maybe("Numbers: the lowest value.")


class RegistrationFormQuestions(BaseModel):
    """The organisers' own questions, in form order."""

    questions: list[FormQuestion]


class QuestionChoice(BaseModel):
    """A choice: a stable key (answers store it) and its labels."""

    key: str = Key
    label: str = Field(min_length=1, max_length=200)
    label_en: str | None = maybe(max_length=200)


class QuestionFields(Body):
    """The fields of a question an organiser may set."""

    label: str = Field(min_length=1, max_length=300)
    label_en: str | None = maybe(max_length=300)
    help: str | None = maybe(max_length=1000)
    help_en: str | None = maybe(max_length=1000)
    required: bool = False
    choices: list[QuestionChoice] = maybe("For `choice` and `choices`: 1 to 50.")
    modes: list[Mode] = maybe("Default: both.")
    max: int | None = maybe("Texts: the most characters; numbers: the highest value.")
    min: int | None = maybe("Numbers: the lowest value.")
    sensitive: bool = maybe("Health, diet, access needs: organisers only, never speakers.")
    visible_to_speakers: bool = maybe(
        "Shown in the speakers' and guides' lists (if not sensitive)."
    )
    editable_until: datetime | None = maybe("Attendees may change their answer until then.")
    position: int = maybe("Place in the form (default: last).")


class QuestionCreate(QuestionFields):
    """A new question."""

    model_config = examples(
        {
            "key": "tolk_vgt",
            "type": "yes_no",
            "label": "Heb je een tolk Vlaamse Gebarentaal nodig?",
            "label_en": "Do you need a Flemish Sign Language interpreter?",
            "required": False,
            "modes": ["onsite"],
            "sensitive": True,
        }
    )

    key: str = Key
    type: QuestionType


class QuestionPatch(QuestionFields):
    """A change to a question; fields left out keep their value (the key never changes)."""

    key: str = maybe("Only the question's own key: a key never changes.")
    label: str = maybe(min_length=1, max_length=300)
    required: bool = maybe()
    type: QuestionType = maybe("Not for a question that has answers.")


class RegistrationQuestion(BaseModel):
    """A question as organisers see it."""

    key: str
    type: QuestionType
    label: str
    label_en: str | None
    help: str | None
    help_en: str | None
    required: bool
    choices: list[dict[str, Any]]
    modes: list[Mode]
    max: int | None
    min: int | None
    position: int
    sensitive: bool
    visible_to_speakers: bool
    editable_until: datetime | None
    archived: bool
    answers: int = maybe("How many registrations answered it.")


class RegistrationQuestionList(BaseModel):
    """Every question, archived ones last in their place."""

    questions: list[RegistrationQuestion]


class QuestionDeleted(BaseModel):
    """What a DELETE did: removed, or archived because the question has answers."""

    key: str
    archived: bool
