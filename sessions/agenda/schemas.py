"""The agenda API's shapes: the agenda, the calendar feed's links and following a stream."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from conference.schemas import maybe
from sessions.programme.schemas import ActivityMode, Kind


class AgendaItem(BaseModel):
    """One item of a person's agenda."""

    activity_id: int
    slug: str = maybe()
    title: str
    title_en: str | None = maybe()
    kind: Kind
    mode: ActivityMode = maybe()
    starts_at: datetime
    ends_at: datetime
    location: str | None
    reason: Literal["programme", "seat", "follow"] = maybe("Why it is in the agenda.")
    url: str = maybe("The activity's page.")
    join_url: str = maybe("The online workshop's join link; only with a seat and once released.")
    join_url_from: datetime = maybe("When the join link will be released (while it is not yet).")
    watch_url: str = maybe("Where to watch a stream, the radio or a plenary.")


class Agenda(BaseModel):
    """A person's agenda in time order."""

    items: list[AgendaItem]


class CalendarLinks(BaseModel):
    """The private calendar feed's links."""

    feed_url: str = Field(description="The private feed (https://…/kalender/<token>.ics).")
    webcal_url: str = Field(description="The same feed as a webcal:// link.")
    download_url: str = Field(description="The .ics download (needs login).")


class FollowState(BaseModel):
    """Whether the person follows an activity."""

    activity_id: int
    following: bool
