"""What a registration comes to: the outcome of the venue and the answer to the caller."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


@dataclass(frozen=True)
class Registered:
    """What a new registration came to: for the API answer and the thank-you page."""

    id: int
    user_id: int
    status: str
    mode: str
    token: str
    ticket_url: str | None
    venue_waitlisted: bool
    new_user: bool


class Outcome(NamedTuple):
    """Where a new registration stands: status, mode, and whether it waits for a place."""

    status: str
    mode: str
    waiting: bool

    @property
    def placed(self) -> bool:
        """A confirmed on-site registration: it holds a place and gets a ticket."""
        return (self.status, self.mode) == ("registered", "onsite")
