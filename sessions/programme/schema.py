"""The schema of the programme data file, validated with pydantic."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from conference.models import PROFILES
from conference.questions.kinds import TYPES
from conference.validation import (
    MOMENT_YEARS,
    conference_year_problem,
    moment_problem,
    text_filter,
)
from registration.models import MODES
from sessions.programme.models import ACTIVITY_MODES, KINDS

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _clock_time(value: object) -> time:
    """Accept only "HH:MM" strings: unquoted 09:30 is a number in YAML 1.1."""
    if isinstance(value, time):
        return value
    if not isinstance(value, str) or not re.fullmatch(r"\d{1,2}:\d{2}", value.strip()):
        raise ValueError('write a time as "HH:MM" between quotes, e.g. "09:30"')
    hours, minutes = (int(part) for part in value.strip().split(":"))
    if hours > 23 or minutes > 59:
        raise ValueError(f"{value} is not a time of day")
    return time(hours, minutes)


def _slug(value: object) -> str:
    """Lower-case words joined by dashes."""
    if not isinstance(value, str) or not SLUG_RE.fullmatch(value):
        raise ValueError("use lower-case letters, digits and dashes only, e.g. 'blok-1'")
    return value


def _local_datetime(value: object) -> datetime:
    """A local wall-clock moment like "2022-03-15 09:00"; the zone comes from the conference."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip()).replace(tzinfo=None)
        except ValueError:
            pass
    raise ValueError('write a moment as "YYYY-MM-DD HH:MM", e.g. "2022-03-15 09:00"')


UNUSABLE = "remove the control character from this text"


ClockTime = Annotated[time, BeforeValidator(_clock_time)]
Slug = Annotated[str, BeforeValidator(_slug)]
LocalDateTime = Annotated[datetime, BeforeValidator(_local_datetime)]
Text = Annotated[
    str, BeforeValidator(text_filter(True, UNUSABLE)), Field(min_length=1, max_length=5000)
]
Name = Annotated[
    str, BeforeValidator(text_filter(False, UNUSABLE)), Field(min_length=1, max_length=300)
]
Profile = Literal[PROFILES]  # type: ignore[valid-type]

DEFAULT_MODE = {
    "plenary": "hybrid",
    "workshop": "onsite",
    "online_workshop": "online",
    "stream": "online",
    "visit": "onsite",
    "radio": "hybrid",
    "film": "onsite",
    "networking": "onsite",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ConferenceIn(_Strict):
    """The conference block of the file."""

    slug: Slug
    name: Name
    name_en: Name | None = None
    tagline: Name | None = None
    tagline_en: Name | None = None
    description: Text | None = None
    description_en: Text | None = None
    organiser: Name | None = None
    website: Name | None = None
    date: date
    timezone: str = "Europe/Brussels"
    starts: ClockTime
    ends: ClockTime
    venue: Name
    address: Name | None = None
    venue_info: Text | None = None
    venue_info_en: Text | None = None
    registration_opens: LocalDateTime
    registration_closes: LocalDateTime
    choice_opens: LocalDateTime | None = None
    choice_closes: LocalDateTime | None = None
    onsite_capacity: int = Field(ge=0, le=100_000)
    allocation_mode: Literal["preferences", "fcfs"] = "preferences"
    profile_quotas: dict[Profile, Annotated[float, Field(ge=0, le=1)]] = {}
    settings: dict[str, int | float | bool | str | None] = {}

    @model_validator(mode="after")
    def _windows(self) -> ConferenceIn:
        if problem := conference_year_problem(self.date):
            raise ValueError(problem)
        for key in ("registration_opens", "registration_closes", "choice_opens", "choice_closes"):
            moment = getattr(self, key)
            if moment is not None and moment_problem(moment, self.date) is not None:
                raise ValueError(f"{key} must lie within {MOMENT_YEARS} years of the conference")
        if self.ends <= self.starts:
            raise ValueError("the day must end after it starts")
        if self.registration_closes <= self.registration_opens:
            raise ValueError("registration_closes must come after registration_opens")
        if (self.choice_opens is None) != (self.choice_closes is None):
            raise ValueError("give both choice_opens and choice_closes, or neither")
        if self.choice_opens and self.choice_closes and self.choice_closes <= self.choice_opens:
            raise ValueError("choice_closes must come after choice_opens")
        if sum(self.profile_quotas.values()) > 1:
            raise ValueError("profile quotas add up to more than 100%")
        return self


class ThemeIn(_Strict):
    """A theme."""

    slug: Slug
    name: Name
    name_en: Name | None = None
    description: Text | None = None
    description_en: Text | None = None


class BlockIn(_Strict):
    """A time block."""

    slug: Slug
    name: Name
    name_en: Name | None = None
    starts: ClockTime
    ends: ClockTime

    @model_validator(mode="after")
    def _order(self) -> BlockIn:
        if self.ends <= self.starts:
            raise ValueError("a block must end after it starts")
        return self


class RoomIn(_Strict):
    """A room or meeting point."""

    slug: Slug
    name: Name
    floor: Name | None = None
    directions: Text | None = None
    directions_en: Text | None = None
    capacity: int | None = Field(default=None, ge=1, le=100_000)
    step_free: bool = True


class SpeakerIn(_Strict):
    """A speaker, moderator or guide."""

    slug: Slug
    name: Name
    organisation: Name | None = None
    bio: Text | None = None
    bio_en: Text | None = None


class SpeakerRef(_Strict):
    """A speaker of an activity, with their role."""

    speaker: Slug
    role: Literal["speaker", "moderator", "guide"] = "speaker"


class ActivityIn(_Strict):
    """A programme item."""

    slug: Slug
    kind: Literal[KINDS]  # type: ignore[valid-type]
    mode: Literal[ACTIVITY_MODES] | None = None  # type: ignore[valid-type]
    title: Name
    title_en: Name | None = None
    summary: Text | None = None
    summary_en: Text | None = None
    theme: Slug | None = None
    blocks: list[Slug] = []
    room: Slug | None = None
    location: Name | None = None
    starts: ClockTime | None = None
    ends: ClockTime | None = None
    capacity: int | None = Field(default=None, ge=1, le=100_000)
    speakers: list[SpeakerRef | Slug] = []
    stream_url: Name | None = None
    join_url: Name | None = None
    example: bool = False
    published: bool = True

    @model_validator(mode="after")
    def _times(self) -> ActivityIn:
        if not self.blocks and (self.starts is None or self.ends is None):
            raise ValueError("give the blocks of the activity, or its starts and ends")
        if self.starts and self.ends and self.ends <= self.starts:
            raise ValueError("an activity must end after it starts")
        if self.kind in ("workshop", "online_workshop", "visit") and self.capacity is None:
            raise ValueError(f"a {self.kind} needs a capacity")
        if self.mode is None:
            self.mode = DEFAULT_MODE[self.kind]
        return self


class QuestionChoiceIn(_Strict):
    """A choice of a registration question: a stable key and its labels."""

    key: str
    label: Name
    label_en: Name | None = None


class QuestionIn(_Strict):
    """A question as the kernel's question types take it (`conference.questions`)."""

    key: str
    type: Literal[TYPES]  # type: ignore[valid-type]
    label: Name
    label_en: Name | None = None
    help: Text | None = None
    help_en: Text | None = None
    required: bool = False
    choices: list[QuestionChoiceIn] = []
    max: int | None = None
    min: int | None = None


class RegistrationQuestionIn(QuestionIn):
    """One of the organisers' own registration questions (`registration.questions`)."""

    modes: list[Literal[MODES]] = list(MODES)  # type: ignore[valid-type]
    sensitive: bool = False
    visible_to_speakers: bool = False
    editable_until: LocalDateTime | None = None
    archived: bool = False


EvaluationQuestions = Annotated[list[QuestionIn], Field(min_length=1, max_length=20)]


class EvaluationIn(_Strict):
    """The evaluation's questions (`streaming.evaluation`): the day's, every evaluated
    activity's, and those of single activities (by slug) that ask something else."""

    day: EvaluationQuestions
    activity: EvaluationQuestions
    per_activity: dict[Slug, EvaluationQuestions] = {}


class ProgrammeIn(_Strict):
    """The whole data file."""

    conference: ConferenceIn
    themes: list[ThemeIn] = []
    blocks: list[BlockIn] = []
    rooms: list[RoomIn] = []
    speakers: list[SpeakerIn] = []
    activities: list[ActivityIn] = []
    # Left out: the questions stay as they are; given: the file says which there are.
    registration_questions: list[RegistrationQuestionIn] | None = None
    # Left out: the evaluations keep their questions (new ones get the default set).
    evaluation: EvaluationIn | None = None
