"""The contingents API's shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, RootModel

from conference.schemas import Body, examples, maybe
from registration.contingents.services import MAX_CODES, MAX_PLACES


class ContingentCreate(Body):
    """A new contingent: N personal codes (`codes`) or one shared code (`shared_uses`)."""

    model_config = examples({"name": "Netwerk tegen Armoede", "places": 40, "codes": 40})

    name: str = Field(min_length=1, max_length=200)
    places: int = Field(ge=1, le=MAX_PLACES)
    codes: int = maybe("Personal single-use codes to make.", ge=1, le=MAX_CODES)
    shared_uses: int = maybe("One shared code usable this often.", ge=1, le=MAX_PLACES)
    release_at: datetime | None = maybe("When unused places return to the general pool.")


class ContingentCreated(BaseModel):
    """The new contingent and its codes (pass them on to the partner)."""

    id: int
    codes: list[str]


class ContingentOut(BaseModel):
    """A contingent with its places, used places and code uses left."""

    id: int
    name: str
    places: int
    used: int
    codes_left: int
    release_at: datetime | None
    released_at: datetime | None


class Contingents(RootModel[list[ContingentOut]]):
    """Every contingent of the conference."""
