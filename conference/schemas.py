"""The kernel's API shapes (the error, the conference) and the helpers every package's shapes use.

These models document the JSON bodies; `conference.openapi` turns them into the OpenAPI
document. The validation itself stays in the validators (`conference.services`,
`registration.validation`, …), which the HTML forms share and which give the Dutch and English
field messages; `tests/conference/test_openapi_models.py` checks that both know the same fields.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from conference.models import ALLOCATION_MODES, VENUE_MODES
from conference.services import SETTING_LIMITS


def _without_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def maybe(description: str | None = None, **constraints: Any) -> Any:
    """A field that may be left out: in the schema neither required nor given a default.

    For request fields that keep their value when absent (a PATCH) and answer fields that are
    only there sometimes; unlike `= None`, it does not claim that null is allowed.
    """
    return Field(
        default=None, description=description, json_schema_extra=_without_default, **constraints
    )


def examples(*bodies: dict[str, Any]) -> ConfigDict:
    """A model's configuration that shows these bodies as examples in the document."""
    return ConfigDict(json_schema_extra={"examples": list(bodies)})


Url = Annotated[str, WithJsonSchema({"type": "string", "format": "uri"})]


class Body(BaseModel):
    """A request body: fields not listed are refused (the validators answer `onbekend veld`)."""

    model_config = ConfigDict(extra="forbid")


class Error(BaseModel):
    """The error shape of every JSON answer that is not a success."""

    model_config = examples(
        {
            "error": "invalid",
            "message": "Sommige gegevens kloppen niet. Kijk de velden na.",
            "fields": {"email": "Vul je e-mailadres in."},
        },
        {"error": "unauthenticated", "message": "Meld je eerst aan."},
    )

    error: str
    message: str
    fields: dict[str, str] = maybe()


# A Literal of the validator's own tuple: the documented words are the accepted words.
AllocationMode = Literal[ALLOCATION_MODES]
VenueMode = Literal[VENUE_MODES]


class Conference(BaseModel):
    """The conference, its windows and its settings."""

    slug: str
    name: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    venue: str
    registration_opens_at: datetime
    registration_closes_at: datetime
    onsite_capacity: int
    onsite_taken: int
    allocation_mode: AllocationMode
    choice_opens_at: datetime | None = maybe()
    choice_closes_at: datetime | None = maybe()
    profile_quotas: dict[str, float] = maybe()
    quota_release_at: datetime | None = maybe()
    reconfirm_opens_at: datetime | None = maybe()
    reconfirm_closes_at: datetime | None = maybe()
    reconfirm_release: bool = maybe()
    venue_mode: VenueMode = maybe()
    draw_at: datetime | None = maybe()
    organisation_cap: int | None = maybe()
    no_show_release_minutes: int | None = maybe()
    venue_offer_hours: int = maybe()
    seat_offer_hours: int = maybe()
    join_link_lead_minutes: int = maybe()
    reminder_hours_before: int = maybe()
    colleague_hold_hours: int = maybe()
    is_demo: bool = maybe()


def _setting(key: str, description: str | None = None) -> Any:
    low, high, _may_be_off = SETTING_LIMITS[key]
    return maybe(description, ge=low, le=high)


class ConferencePatch(Body):
    """Any of the conference's settings (organiser); the others keep their value."""

    onsite_capacity: int = maybe(ge=0, le=100_000)
    registration_opens_at: datetime = maybe()
    registration_closes_at: datetime = maybe()
    allocation_mode: AllocationMode = maybe()
    choice_opens_at: datetime | None = maybe()
    choice_closes_at: datetime | None = maybe()
    profile_quotas: dict[str, Annotated[float, Field(ge=0, le=1)]] = maybe()
    quota_release_at: datetime | None = maybe(
        "When places kept for profiles are released to everyone."
    )
    reconfirm_opens_at: datetime | None = maybe(
        "When every on-site registrant is asked to reconfirm (a mail with two links)."
    )
    reconfirm_closes_at: datetime | None = maybe(
        "The deadline of the reconfirmation; a reminder goes halfway."
    )
    reconfirm_release: bool = maybe(
        "After the deadline, give unanswered places to the waiting list (else only flag them)."
    )
    venue_mode: VenueMode = maybe("`fcfs` (first come, first served) or `draw` (a venue draw).")
    draw_at: datetime | None = maybe("When the scheduler draws, if the organiser has not.")
    organisation_cap: int | None = maybe(
        "At most this many on-site places per organisation in the draw; null: no cap.", ge=1
    )
    no_show_release_minutes: int | None = _setting(
        "no_show_release_minutes",
        "Release seats of people not scanned in this long after the start; null is off.",
    )
    venue_offer_hours: int = _setting("venue_offer_hours")
    seat_offer_hours: int = _setting("seat_offer_hours")
    join_link_lead_minutes: int = _setting("join_link_lead_minutes")
    reminder_hours_before: int = _setting("reminder_hours_before")
    colleague_hold_hours: int = _setting(
        "colleague_hold_hours", "How long an invited colleague's on-site place is held (hours)."
    )
