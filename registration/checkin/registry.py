"""How a higher package (sessions) provides activity checkpoints to the check-in service.

The check-in service lives in `registration` and may not import `sessions`; `sessions` answers
`conference.hooks.activity_checkpoints` with an `ActivityCheckpoints` implementation.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Select
from sqlalchemy.orm import Session

from conference import hooks
from conference.models import Conference
from registration.models import Registration

ENTRANCE = "entrance"


@dataclass(frozen=True)
class Checkpoint:
    """A place where tickets are scanned: the entrance or an on-site activity's door."""

    key: str  # "entrance" or the activity id as text
    label: str
    label_en: str | None
    kind: str  # "entrance" or the activity's kind
    opens_at: datetime
    closes_at: datetime
    activity_id: int | None = None
    starts_at: datetime | None = None
    location: str | None = None
    # A seat at the activity is needed to get in (workshops, visits).
    seated: bool = False
    # From when people waiting at the door may take no-shows' seats (None: not configured).
    standby_from: datetime | None = None

    def is_open(self, at: datetime) -> bool:
        """Whether scans are accepted at `at`."""
        return self.opens_at <= at < self.closes_at

    def standby_open(self, at: datetime) -> bool:
        """Whether a standby scan may take a free or released seat at `at`."""
        return self.standby_from is not None and self.standby_from <= at < self.closes_at


class ActivityCheckpoints(Protocol):
    """What the sessions package tells the check-in service about activity checkpoints."""

    def checkpoints(self, conference: Conference) -> list[Checkpoint]:
        """Every on-site activity checkpoint of the conference, in time order."""

    def get(self, conference: Conference, activity_id: int) -> Checkpoint | None:
        """The checkpoint of one activity, or None if it has none (online, unknown)."""

    def admits(self, checkpoint: Checkpoint, registration: Registration) -> bool:
        """Whether the person may enter (holds a seat at a seated activity; on site otherwise)."""

    def holder_ids(self, checkpoint: Checkpoint) -> set[int]:
        """Registrations holding a seat at the activity (expected at the door)."""

    def seats_of(self, registration_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
        """Each registration's seats, for the scanner: activity_id, title, starts_at, location."""

    def with_seats(self, query: Select, registration_id: Any) -> Select:
        """`query` with the person's seats outer-joined, their columns last (a row per seat)."""

    def seats_in(self, tails: Iterable[Sequence[Any]]) -> list[dict[str, Any]]:
        """The seats, as `seats_of` gives them, from the tails of `with_seats` rows."""

    def changed_since(self, conference: Conference, since: datetime) -> set[int]:
        """Registrations whose seats were created since `since` (for incremental lists)."""

    def standby(
        self, session: Session, checkpoint: Checkpoint, registration: Registration, now: datetime
    ) -> None:
        """Give a person waiting at the door a free or no-show seat.

        Raises a `registration.checkin.errors.StandbyRefused` (`NoFreeSeat`, `SeatedElsewhere`)
        when it cannot, after undoing whatever it changed.
        """

    def release_no_shows(self, session: Session, conference: Conference, now: datetime) -> dict:
        """Release the seats of people not scanned at their activity's door after the set time."""


def activity_checkpoints() -> ActivityCheckpoints | None:
    """The provider of activity checkpoints (sessions connects one at app start), if any."""
    return hooks.first(hooks.activity_checkpoints)
