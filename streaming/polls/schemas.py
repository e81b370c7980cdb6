"""The polls API's shapes: a new poll, a vote, a poll with its counts."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from conference.schemas import Body, examples, maybe
from streaming.polls.models import MAX_OPTIONS, POLL_KINDS, POLL_STATUSES
from streaming.polls.services import OPTION_MAX, QUESTION_MAX

Kind = Literal[POLL_KINDS]  # type: ignore[valid-type]
Status = Literal[POLL_STATUSES]  # type: ignore[valid-type]
Label = Field(max_length=OPTION_MAX)


class PollCreate(Body):
    """A new poll (it starts as a draft): one choice, several choices, or a 1-5 scale."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "question": "Hoe vaak werk je samen met de eerste lijn?",
                    "question_en": "How often do you work with primary care?",
                    "kind": "single",
                    "options": ["Elke week", "Soms", "Nooit"],
                    "options_en": ["Every week", "Sometimes", "Never"],
                },
                {"question": "Hoe nuttig was deze sessie?", "kind": "scale"},
            ]
        },
    )

    question: str = Field(min_length=1, max_length=QUESTION_MAX)
    question_en: str | None = maybe(max_length=QUESTION_MAX)
    kind: Kind
    options: list[str] = maybe(
        "2 to 10 labels in Dutch; not on a scale.", min_length=2, max_length=MAX_OPTIONS
    )
    options_en: list[str] | None = maybe(
        "The English labels, as many as `options`; an empty one falls back to Dutch.",
        max_length=MAX_OPTIONS,
    )


class PollBallot(Body):
    """A vote: option indexes (one on a `single` poll) or a score on a `scale` poll."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"options": [0]}, {"score": 4}]}
    )

    options: list[int] = maybe("Indexes of the chosen options, from 0.", min_length=1)
    score: int = maybe("1 to 5, on a scale.", ge=1, le=5)


class PollResult(BaseModel):
    """One option's count (on a scale: the score's)."""

    index: int
    label: str
    votes: int
    percent: int


class PollMyVote(BaseModel):
    """The caller's own vote."""

    options: list[int] = maybe()
    score: int = maybe()


class Poll(BaseModel):
    """A poll with its counts now; `votes` is the number of people who voted."""

    model_config = examples(
        {
            "id": 7,
            "activity_id": 12,
            "kind": "single",
            "status": "open",
            "question": "Hoe vaak werk je samen met de eerste lijn?",
            "question_en": None,
            "options": ["Elke week", "Soms"],
            "options_en": None,
            "results": [
                {"index": 0, "label": "Elke week", "votes": 3, "percent": 75},
                {"index": 1, "label": "Soms", "votes": 1, "percent": 25},
            ],
            "votes": 4,
            "version": 9,
            "my_vote": {"options": [0]},
        }
    )

    id: int
    activity_id: int
    kind: Kind
    status: Status
    question: str
    question_en: str | None
    options: list[str]
    options_en: list[str] | None
    results: list[PollResult]
    votes: int
    average: float = maybe("The average score of a scale.")
    version: int
    my_vote: PollMyVote | None


class Polls(BaseModel):
    """An activity's polls: open ones first, then closed ones; drafts for moderators."""

    activity_id: int
    polls: list[Poll]


class PollsQuery(BaseModel):
    """Moderators' view, with the drafts."""

    view: Literal["moderator"] = maybe()
