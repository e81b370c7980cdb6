"""The colleagues API's shapes; the rules are in `registration.colleagues.validation`."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, EmailStr, Field, RootModel

from conference.schemas import Body, examples, maybe
from registration.colleagues.validation import MAX_COLLEAGUES
from registration.schemas import Language, Mode, Profile, name


class ColleagueIn(Body):
    """One colleague to invite; they complete their own data and give their own consent."""

    email: EmailStr = Field(max_length=254)
    first_name: str = name("first_name")
    last_name: str = name("last_name")
    mode: Mode
    language: Language = maybe("The language of the invitation (default: the coordinator's).")
    profile: Profile = maybe("Until the colleague says so themselves (default: practitioner).")


class ColleaguesIn(RootModel[list[ColleagueIn]]):
    """Up to 20 colleagues at once."""

    model_config = examples(
        [{"email": "jan.claes@example.be", "first_name": "Jan", "last_name": "Claes",
          "mode": "onsite", "language": "nl"}]
    )  # fmt: skip

    root: list[ColleagueIn] = Field(min_length=1, max_length=MAX_COLLEAGUES)


class ColleagueInvited(BaseModel):
    """What came of one address: invited, or it already has an active registration."""

    email: str
    status: Literal["invited", "already_registered"]


class ColleaguesInvited(RootModel[list[ColleagueInvited]]):
    """One answer per colleague, in the order sent."""


class Colleague(BaseModel):
    """A colleague in the coordinator's group: the address they typed and the status only."""

    id: int
    email: str
    status: Literal["invited", "confirmed", "declined", "expired"]
    invited_at: str
    can_resend: bool


class Colleagues(RootModel[list[Colleague]]):
    """The coordinator's group, oldest invitation first."""
