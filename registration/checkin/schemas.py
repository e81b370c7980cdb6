"""The check-in API's shapes: a scan, its verdict, checkpoints, the offline list and figures."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from conference.schemas import Body, examples, maybe

ScanType = Literal["entry", "exit", "standby"]
EntryStatus = Literal["ok", "canceled", "revoked", "product"]


class Redeem(Body):
    """One scan of a ticket (or a manual check-in by registration id at the help desk)."""

    model_config = examples(
        {
            "secret": "Zr8yT0…",
            "checkpoint": "entrance",
            "type": "entry",
            "nonce": "scanner-3-000127",
            "scanned_at": "2022-05-05T09:12:30+02:00",
            "force": False,
            "device": "scanner-3",
        }
    )

    secret: str = maybe("The raw ticket secret or the ticket URL `…/t/<secret>`.")
    registration_id: int = maybe("Instead of `secret`: a manual check-in.")
    checkpoint: str = Field(description="`entrance` or an activity id.")
    type: ScanType = "entry"
    nonce: str = maybe("A client-made id of this scan.", max_length=64)
    scanned_at: datetime = maybe("When the scan happened (offline uploads).")
    force: bool = False
    device: str = maybe(max_length=64)


class CheckinSeat(BaseModel):
    """A seat the person holds, as the scanner shows it."""

    activity_id: int = maybe()
    title: str = maybe()
    starts_at: datetime = maybe()
    location: str | None = maybe()


class Participant(BaseModel):
    """The person a ticket belongs to."""

    id: int = maybe()
    name: str
    mode: str
    profile: str
    status: str = maybe()
    seats: list[CheckinSeat]


class CheckinAnswer(BaseModel):
    """The verdict of a scan: `ok`, or `error` with its reason."""

    model_config = examples(
        {
            "status": "ok",
            "checkpoint": "entrance",
            "checkpoint_label": "Ingang",
            "type": "entry",
            "scan_id": 812,
            "scanned_at": "2022-05-05T09:12:30+02:00",
            "participant": {
                "id": 42,
                "name": "An Peeters",
                "mode": "onsite",
                "profile": "practitioner",
                "seats": [],
            },
        },
        {
            "status": "error",
            "reason": "already_redeemed",
            "checkpoint": "entrance",
            "first_scan_at": "2022-05-05T08:55:02+02:00",
        },
    )

    status: Literal["ok", "error"]
    reason: Literal[
        "invalid", "already_redeemed", "canceled", "revoked", "product", "invalid_time"
    ] = maybe()
    message: str = maybe()
    detail: str = maybe()
    checkpoint: str
    checkpoint_label: str = maybe()
    type: ScanType = maybe()
    scan_id: int = maybe()
    scanned_at: datetime = maybe()
    first_scan_at: datetime = maybe()
    forced: bool = maybe()
    flagged: bool = maybe()
    flag_reason: str = maybe()
    participant: Participant = maybe()


class Checkpoint(BaseModel):
    """The entrance or an activity's door, with the times it is open."""

    key: str
    label: str
    label_en: str | None = maybe()
    kind: str
    activity_id: int | None = maybe()
    location: str | None = maybe()
    starts_at: datetime | None = maybe()
    opens_at: datetime
    closes_at: datetime
    seated: bool
    standby_from: datetime | None = maybe()


class Checkpoints(BaseModel):
    """The checkpoints in time order."""

    checkpoints: list[Checkpoint]


class CheckpointQuery(BaseModel):
    """Which checkpoint."""

    checkpoint: str = Field("entrance")


class ListQuery(CheckpointQuery):
    """Which checkpoint, and the version of an earlier list for only what changed."""

    since: int = maybe("A `version` from an earlier list.")


class SearchQuery(CheckpointQuery):
    """A name or e-mail address to look for, at a checkpoint."""

    q: str = Field(min_length=2)


class ListHash(BaseModel):
    """How each entry's `h` is made from a ticket's secret."""

    algorithm: Literal["HMAC-SHA256"]
    key: str = Field(description="Hex.")
    length: int


class ListEntry(BaseModel):
    """One ticket of the offline list."""

    h: str
    registration_id: int
    name: str
    profile: str
    mode: Literal["onsite", "online"]
    status: EntryStatus
    detail: str | None = maybe()
    seats: list[CheckinSeat]
    inside: bool
    last_entry_at: datetime | None = maybe()


class CheckinList(BaseModel):
    """What a scanner needs to decide offline at a checkpoint."""

    checkpoint: Checkpoint
    version: int = Field(description="Pass as `since` for the next incremental list.")
    since: int | None = maybe()
    full: bool
    server_time: datetime = maybe()
    hash: ListHash
    count: int
    entries: list[ListEntry]


class QuarterHour(BaseModel):
    """Arrivals in one quarter hour."""

    start: datetime
    arrivals: int


class CheckinStats(BaseModel):
    """The figures of a checkpoint."""

    checkpoint: str = maybe()
    expected: int
    checked_in: int
    inside: int
    no_shows: int = maybe()
    flagged: int = maybe()
    per_quarter_hour: list[QuarterHour]


class SearchResult(BaseModel):
    """A person found by the manual search; the e-mail address is masked."""

    registration_id: int
    name: str
    email: str
    organisation: str | None = maybe()
    profile: str = maybe()
    mode: str = maybe()
    status: EntryStatus
    detail: str | None = maybe()
    has_ticket: bool
    inside: bool
    last_entry_at: datetime | None = maybe()
    seats: list[CheckinSeat] = maybe()


class SearchResults(BaseModel):
    """Up to 20 matches."""

    results: list[SearchResult]


class ReissuedTicket(BaseModel):
    """The new ticket of a person."""

    registration_id: int
    ticket_id: int
    ticket_url: str
