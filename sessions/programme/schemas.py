"""The programme API's shapes: the public programme and an organiser's change to an activity."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from conference.schemas import Body, Conference, maybe
from sessions.programme.models import ACTIVITY_MODES, KINDS

# Literals of the model's own tuples: the documented words are the stored words.
Kind = Literal[KINDS]  # type: ignore[valid-type]
ActivityMode = Literal[ACTIVITY_MODES]  # type: ignore[valid-type]


class Theme(BaseModel):
    """A theme of the programme."""

    id: int
    slug: str
    name: str
    name_en: str | None = maybe()


class Block(BaseModel):
    """A time block in which people choose one activity."""

    id: int
    slug: str
    name: str
    starts_at: datetime
    ends_at: datetime


class Activity(BaseModel):
    """An activity with its live seat counts."""

    id: int
    slug: str
    kind: Kind
    title: str
    title_en: str | None = maybe()
    theme_id: int | None
    block_ids: list[int]
    starts_at: datetime
    ends_at: datetime
    mode: ActivityMode
    capacity: int | None
    taken: int
    waitlist: int
    location: str | None


class Programme(BaseModel):
    """The whole programme."""

    conference: Conference
    themes: list[Theme]
    blocks: list[Block]
    activities: list[Activity]


class ActivityPatch(Body):
    """Any of an activity's editable fields (organiser); the others keep their value."""

    capacity: int | None = maybe(ge=1, le=100_000)
    starts_at: datetime = maybe()
    ends_at: datetime = maybe()
    location: str | None = maybe(max_length=300)
    title: str = maybe(min_length=1, max_length=300)
    stream_url: str | None = maybe(max_length=500)
    join_url: str | None = maybe(max_length=500)
