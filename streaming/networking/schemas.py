"""The networking API's shapes: profile, directory, slots, meetings, themed tables."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, RootModel

from conference.schemas import Body, maybe


class ProfilePut(Body):
    """The person's choice to be in the directory, and what it shows."""

    visible: bool
    sector: str | None = maybe(max_length=100)
    region: str | None = maybe(max_length=100)
    themes: list[int | str] = maybe("Theme ids or slugs of the programme.", max_length=6)
    ask_me_about: str | None = maybe('The line "vraag me over…".', max_length=300)


class ThemeRef(BaseModel):
    """A theme of the programme, in the request's language."""

    id: int
    slug: str
    name: str


class NetworkingProfile(BaseModel):
    """The person's own networking profile."""

    visible: bool
    sector: str | None
    region: str | None
    themes: list[ThemeRef]
    ask_me_about: str | None


class Person(BaseModel):
    """A visible colleague: never an e-mail address."""

    id: int
    name: str
    organisation: str | None
    sector: str | None
    region: str | None
    themes: list[ThemeRef]
    ask_me_about: str | None


class PeopleQuery(BaseModel):
    """Filters and page of the directory."""

    theme: int = maybe("A theme id.")
    sector: str = maybe(max_length=100)
    region: str = maybe(max_length=100)
    q: str = maybe("Part of a name or organisation.", max_length=100)
    page: int = maybe(ge=1)


class People(BaseModel):
    """One page of the directory."""

    items: list[Person]
    page: int
    pages: int
    total: int


class Slot(BaseModel):
    """A networking moment for meetings and themed tables."""

    id: int
    activity_id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    location: str | None
    tables: int
    tables_free: int
    open: bool


class Slots(RootModel[list[Slot]]):
    """The networking moments in time order."""


class SlotPost(Body):
    """Make a networking activity a slot (organiser)."""

    activity_id: int
    tables: int = Field(ge=0, le=500)


class SlotPatch(Body):
    """Change the number of meeting tables (never below those in use)."""

    tables: int = Field(ge=0, le=500)


class MeetingPost(Body):
    """A meeting request."""

    with_: int = Field(alias="with", description="The id of a visible colleague.")
    slot: int
    mode: Literal["onsite", "online"] = maybe("Default: on site when both come, else online.")
    note: str | None = maybe(max_length=300)


class Other(BaseModel):
    """The other person of a meeting."""

    id: int
    name: str
    organisation: str | None


class Meeting(BaseModel):
    """A meeting as one of the two sees it."""

    id: int
    slot: int
    direction: Literal["sent", "received"]
    with_: Other = Field(alias="with")
    mode: Literal["onsite", "online"]
    status: Literal["requested", "accepted", "declined", "canceled"]
    note: str | None
    starts_at: datetime
    ends_at: datetime
    table: int = maybe("On site, once accepted.")
    location: str | None = maybe()
    join_url: str = maybe("Online, once accepted: the video room.")


class Meetings(RootModel[list[Meeting]]):
    """The person's meetings, newest first."""


class BlockPost(Body):
    """Block a person's meeting requests (they are not told)."""

    person: int


class TablesQuery(BaseModel):
    """Only the tables of one slot."""

    slot: int = maybe()


class Table(BaseModel):
    """A themed table."""

    id: int
    slot_id: int
    theme: ThemeRef
    title: str
    capacity: int
    taken: int
    booked: bool


class Tables(RootModel[list[Table]]):
    """The themed tables."""


class TablePost(Body):
    """A themed table at a slot (organiser)."""

    slot_id: int
    theme_id: int
    title: str = Field(max_length=200)
    title_en: str | None = maybe(max_length=200)
    capacity: int = Field(ge=1, le=1000)
