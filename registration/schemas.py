"""The registration API's shapes: a new registration, the attendee's own, and a change to it.

The field names, limits and choices come from `registration.validation`, which checks them for
the API and the HTML forms alike; these models only describe them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, EmailStr, Field
from typing_extensions import TypeAliasType

from conference.models import PROFILES
from conference.schemas import Body, Url, examples, maybe
from registration.models import MODES
from registration.questions.schemas import Answers
from registration.validation import LANGUAGES, TEXT_FIELDS

# Literals of the validator's own tuples: the documented words are the accepted words.
Profile = TypeAliasType("Profile", Literal[PROFILES])  # type: ignore[valid-type]
Mode = Literal[MODES]  # type: ignore[valid-type]
Language = Literal[LANGUAGES]  # type: ignore[valid-type]


def name(field: str) -> Any:
    """A required text: at least one character, at most the validator's limit."""
    return Field(min_length=1, max_length=TEXT_FIELDS[field][0])


def text(field: str) -> Any:
    """An optional text (null or left out means none), at most the validator's limit."""
    return Field(None, max_length=TEXT_FIELDS[field][0])


class RegistrationCreate(Body):
    """A new registration."""

    model_config = examples(
        {
            "email": "an.peeters@example.be",
            "first_name": "An",
            "last_name": "Peeters",
            "organisation": "OCMW Gent",
            "profile": "practitioner",
            "sector": "Jeugdhulp",
            "mode": "onsite",
            "consent": True,
            "language": "nl",
            "waitlist_ok": True,
            "accessibility_needs": None,
            "diet": "vegetarisch",
        }
    )

    email: EmailStr = Field(max_length=254)
    first_name: str = name("first_name")
    last_name: str = name("last_name")
    organisation: str | None = text("organisation")
    profile: Profile
    sector: str | None = text("sector")
    mode: Mode
    consent: Literal[True]
    language: Language = maybe()
    waitlist_ok: bool = True
    accessibility_needs: str | None = text("accessibility_needs")
    diet: str | None = text("diet")
    answers: Answers = maybe(
        "Answers to the organisers' questions (GET /api/v1/registration-form) by key; a list "
        "of choice keys for `choices`. Errors name `answers.<key>`."
    )


class RegistrationCreated(BaseModel):
    """The answer to a registration; the token is shown this once."""

    model_config = examples(
        {
            "id": 42,
            "status": "registered",
            "mode": "onsite",
            "token": "q1Xk3…",
            "ticket_url": "https://conferentie.example.be/t/Zr8…",
            "venue_waitlist": False,
        }
    )

    id: int
    status: Literal["registered", "waitlisted"]
    mode: Mode
    token: str = Field(description="The attendee's bearer token (shown once).")
    ticket_url: Url = maybe()
    venue_waitlist: bool = maybe()


class MeUpdate(Body):
    """A change to one's own registration; fields left out keep their value."""

    first_name: str = maybe(min_length=1, max_length=TEXT_FIELDS["first_name"][0])
    last_name: str = maybe(min_length=1, max_length=TEXT_FIELDS["last_name"][0])
    organisation: str | None = maybe(max_length=TEXT_FIELDS["organisation"][0])
    profile: Profile = maybe()
    sector: str | None = maybe(max_length=TEXT_FIELDS["sector"][0])
    language: Language = maybe()
    accessibility_needs: str | None = maybe(max_length=TEXT_FIELDS["accessibility_needs"][0])
    diet: str | None = maybe(max_length=TEXT_FIELDS["diet"][0])
    mode: Mode = maybe()
    venue_waitlist: bool = maybe()
    answers: Answers = maybe("Changed answers by key, until each question's `editable_until`.")


class MeSeat(BaseModel):
    """A seat or waiting-list place of the attendee."""

    activity_id: int
    status: str


class Me(BaseModel):
    """The attendee's registration."""

    id: int
    status: Literal["registered", "waitlisted"]
    mode: Mode
    profile: Profile
    email: str
    first_name: str
    last_name: str
    organisation: str | None = maybe()
    sector: str | None = maybe()
    language: str = maybe()
    accessibility_needs: str | None = maybe()
    diet: str | None = maybe()
    created_at: datetime = maybe()
    ticket_url: Url | None
    agenda_url: Url | None
    calendar_feed_url: Url | None
    venue_waitlist: bool = maybe("Waiting for an on-site place (or holding an offered one).")
    venue_waitlist_position: int | None = maybe()
    venue_offer_expires_at: datetime | None = maybe(
        "An on-site place is held for the person until this moment; confirm it with PATCH "
        "mode onsite."
    )
    seats: list[MeSeat]
    answers: Answers = maybe("The answers to the organisers' questions, by key.")
