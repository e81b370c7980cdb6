"""The reconfirmation API's shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from conference.schemas import Body


class ReconfirmBody(Body):
    """Whether the attendee still comes on site."""

    attending: bool


class ReconfirmAnswer(BaseModel):
    """The answer as recorded."""

    attending: bool
    answer: Literal["yes", "no"]
    reconfirmed_at: datetime | None
    mode: Literal["onsite", "online"]
