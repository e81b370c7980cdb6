"""The streaming API's shapes: streams and their settings, presence, Q&A and certificates."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

from conference.schemas import Body, maybe
from streaming.models import OVERRIDES, PROVIDERS, QUESTION_STATUSES
from streaming.services import ONLINE_KINDS

# Literals of the validator's own tuples: the documented words are the accepted words.
Provider = Literal[PROVIDERS]  # type: ignore[valid-type]
Override = Literal[OVERRIDES]  # type: ignore[valid-type]
QuestionStatus = Literal[QUESTION_STATUSES]  # type: ignore[valid-type]
Status = Literal["upcoming", "live", "ended"]


class Stream(BaseModel):
    """A stream, plenary, the radio or an online workshop, as this viewer may see it."""

    activity_id: int
    kind: Literal[ONLINE_KINDS]  # type: ignore[valid-type]
    title: str
    title_en: str | None = maybe()
    status: Status
    delayed: bool = maybe()
    override: Override | None = maybe()
    starts_at: datetime
    ends_at: datetime
    watch_url: str
    description: str | None = maybe()
    captions: bool = maybe()
    provider: Provider = maybe()
    embed_url: str = maybe()
    captions_url: str = maybe()
    join_opens_at: datetime = maybe()
    has_seat: bool = maybe()
    join_url: str = maybe()


class Streams(RootModel[list[Stream]]):
    """The streams and online workshops in time order."""


class StreamSettingsPatch(Body):
    """A stream's settings to change (organiser); the others keep their value."""

    provider: Provider | None = maybe()
    source: str | None = maybe("A YouTube/Vimeo id or link, or an http(s) URL.", max_length=500)
    replay_provider: Provider | None = maybe()
    replay_source: str | None = maybe(max_length=500)
    has_captions: bool = maybe()
    captions_url: str | None = maybe(max_length=500)
    description: str | None = maybe(max_length=2000)
    description_en: str | None = maybe(max_length=2000)


class StreamSettings(BaseModel):
    """A stream's settings as the organiser sees them, with the source actually used."""

    activity_id: int
    provider: str | None = maybe()
    source: str | None = maybe()
    derived_from_stream_url: bool = maybe()
    replay_provider: str | None = maybe()
    replay_source: str | None = maybe()
    has_captions: bool = maybe()
    captions_url: str | None = maybe()
    description: str | None = maybe()
    description_en: str | None = maybe()
    status: Status
    delayed: bool = maybe()
    override: Override | None
    override_at: datetime | None = maybe()
    override_by: str | None = maybe()


class StreamStatus(BaseModel):
    """The status viewers see."""

    activity_id: int
    status: Status
    delayed: bool
    override: Override | None
    starts_at: datetime = maybe()
    ends_at: datetime = maybe()


class StatusOverride(Body):
    """A status set by hand, or null to follow the timetable again."""

    override: Override | None


class ViewerCount(BaseModel):
    """People watching one stream now."""

    activity_id: int
    title: str = maybe()
    viewers: int


class Viewers(BaseModel):
    """People watching each stream now; a person with two tabs counts once."""

    at: datetime
    streams: list[ViewerCount]


class Heartbeat(BaseModel):
    """Nothing is needed: the server's clock times the heartbeat."""


class Question(BaseModel):
    """A question of the Q&A."""

    id: int
    activity_id: int = maybe()
    text: str
    status: QuestionStatus
    pinned: bool
    answered: bool
    votes: int
    voted: bool = maybe()
    mine: bool = maybe()
    created_at: datetime = maybe()
    author: str | None = maybe("Only for moderators.")


class Questions(BaseModel):
    """The Q&A of an activity."""

    activity_id: int
    premoderated: bool = maybe()
    questions: list[Question]


class QuestionsQuery(BaseModel):
    """Moderators' view of every question."""

    view: Literal["moderator"] = maybe()


class Ask(BaseModel):
    """A question to ask."""

    text: str = Field(min_length=3, max_length=500)


class Moderation(Body):
    """What a moderator changes about a question."""

    model_config = ConfigDict(json_schema_extra={"minProperties": 1})

    status: QuestionStatus = maybe()
    pinned: bool = maybe()
    answered: bool = maybe()


class Vote(BaseModel):
    """The votes of a question now."""

    votes: int
    voted: bool = maybe()
    counted: bool = maybe("Whether this call added the vote.")


class CertificatePart(BaseModel):
    """One part of the day a person attended."""

    activity_id: int
    title: str
    title_en: str | None = maybe()
    kind: str
    mode: Literal["onsite", "online"]
    starts_at: datetime = maybe()
    ends_at: datetime = maybe()
    minutes: int


class Certificate(BaseModel):
    """Whether the attendance certificate can be had, what it lists, and its links."""

    available: bool
    available_from: datetime = maybe()
    eligible: bool
    minutes: int
    parts: list[CertificatePart]
    code: str = maybe()
    verify_url: str = maybe()
    pdf_url: str = maybe()


class CertificateQuery(BaseModel):
    """The certificate's language."""

    lang: Literal["nl", "en"] = maybe()


class CertificateCode(BaseModel):
    """A certificate's code as printed on it."""

    code: str = Field(max_length=40)


class CertificateCheck(BaseModel):
    """A genuine certificate: the name and the date only."""

    valid: bool
    code: str = maybe()
    name: str
    date: date
