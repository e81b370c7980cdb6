"""The sessions side of check-in: activity checkpoints, where a seat is needed at the door.

Offered to the check-in service through `conference.hooks.activity_checkpoints` (connected at
app start), because `registration` may not import `sessions`. Also the no-show release: some
minutes after a workshop starts, seats whose holders were not scanned at its door go to people
waiting there (a "standby" scan).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session, selectinload

from conference.clock import isoformat
from conference.errors import Conflict
from conference.extensions import db
from conference.models import Conference
from registration.checkin.errors import NoFreeSeat, SeatedElsewhere
from registration.checkin.models import Presence
from registration.checkin.registry import Checkpoint
from registration.models import Registration
from sessions.programme.models import Activity, Room
from sessions.seats.errors import ActivityFull, AlreadySeated, BlockTaken
from sessions.seats.models import Seat, SeatBlock
from sessions.seats.seating import release_seat, take_seat

ACTIVITY_OPENS_MINUTES = 30
# The seats a scanner shows, one narrow row each (a scan answer reads it): built once.
SEAT_COLUMNS = (Activity.id, Activity.title, Activity.starts_at, Activity.location, Room.name)
SEATS_OF = (
    select(Seat.registration_id, *SEAT_COLUMNS)
    .join(Activity, Seat.activity_id == Activity.id)
    .outerjoin(Room, Activity.room_id == Room.id)
    .where(Seat.registration_id.in_(bindparam("ids", expanding=True)))
    .order_by(Activity.starts_at, Activity.id)
)


def seat_json(
    activity_id: int, title: str, starts_at: datetime, location: str | None, room: str | None
) -> dict[str, Any]:
    """A seat as the scanner shows it, from the columns of `SEAT_COLUMNS`."""
    return {
        "activity_id": activity_id,
        "title": title,
        "starts_at": isoformat(starts_at),
        # As `Activity.place`: the free-text location overrides the room.
        "location": location or room,
    }


class SessionsCheckpoints:
    """Activity checkpoints backed by the programme and its seats."""

    def _checkpoint(self, conf: Conference, act: Activity) -> Checkpoint:
        before = conf.setting("activity_checkpoint_opens_minutes_before")
        before = ACTIVITY_OPENS_MINUTES if before is None else int(before)
        seated = act.seated and act.mode != "online"
        release = conf.setting("no_show_release_minutes")
        standby_from = None
        if seated and release is not None:
            standby_from = act.starts_at + timedelta(minutes=int(release))
        return Checkpoint(
            key=str(act.id),
            label=act.title,
            label_en=act.title_en,
            kind=act.kind,
            opens_at=act.starts_at - timedelta(minutes=before),
            closes_at=act.ends_at,
            activity_id=act.id,
            starts_at=act.starts_at,
            location=act.place,
            seated=seated,
            standby_from=standby_from,
        )

    def checkpoints(self, conference: Conference) -> list[Checkpoint]:
        """Every published on-site or hybrid activity, in time order."""
        acts = db.session.scalars(
            select(Activity)
            .options(selectinload(Activity.room))
            .where(
                Activity.conference_id == conference.id,
                Activity.published.is_(True),
                Activity.mode != "online",
            )
            .order_by(Activity.starts_at, Activity.position, Activity.id)
        )
        return [self._checkpoint(conference, act) for act in acts]

    def get(self, conference: Conference, activity_id: int) -> Checkpoint | None:
        """The checkpoint of an on-site activity of this conference."""
        act = db.session.get(Activity, activity_id)
        if act is None or act.conference_id != conference.id or act.mode == "online":
            return None
        return self._checkpoint(conference, act)

    def admits(self, checkpoint: Checkpoint, registration: Registration) -> bool:
        """A seated activity needs a seat; other on-site activities admit every on-site person."""
        if not checkpoint.seated:
            return True
        return (
            db.session.scalar(
                select(Seat.id).where(
                    Seat.registration_id == registration.id,
                    Seat.activity_id == checkpoint.activity_id,
                )
            )
            is not None
        )

    def holder_ids(self, checkpoint: Checkpoint) -> set[int]:
        """People with a seat at the activity."""
        return set(
            db.session.scalars(
                select(Seat.registration_id).where(Seat.activity_id == checkpoint.activity_id)
            )
        )

    def seats_of(self, registration_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
        """Each person's seats, in time order."""
        ids = list(registration_ids)
        result: dict[int, list[dict[str, Any]]] = {}
        if not ids:
            return result
        # Core on the session's connection (each scan's answer runs it); flushed first, as the
        # ORM's execute would, so a seat taken at the door just now is in the answer.
        db.session.flush()
        rows = db.session.connection().execute(SEATS_OF, {"ids": ids})
        for reg_id, *seat in rows:
            result.setdefault(reg_id, []).append(seat_json(*seat))
        return result

    def with_seats(self, query: Select, registration_id: Any) -> Select:
        """The query with the person's seats joined, so a scan reads holder and seats at once."""
        # A seat always has its activity (a non-null key), so plain outer joins keep one row
        # per seat, and one row of NULLs for a person without seats.
        return (
            query.add_columns(*SEAT_COLUMNS)
            .outerjoin(Seat, Seat.registration_id == registration_id)
            .outerjoin(Activity, Seat.activity_id == Activity.id)
            .outerjoin(Room, Activity.room_id == Room.id)
            .order_by(Activity.starts_at, Activity.id)
        )

    def seats_in(self, tails: Iterable[Sequence[Any]]) -> list[dict[str, Any]]:
        """The seats from the tails of `with_seats` rows (none when the person has none)."""
        return [seat_json(*tail) for tail in tails if tail[0] is not None]

    def changed_since(self, conference: Conference, since: datetime) -> set[int]:
        """People who got a seat since `since` (a freed seat shows at the next full list)."""
        return set(
            db.session.scalars(
                select(Seat.registration_id)
                .join(Activity, Seat.activity_id == Activity.id)
                .where(Activity.conference_id == conference.id, Seat.created_at > since)
            )
        )

    # --- no-show release -------------------------------------------------------------------

    def _no_show_seats(self, session: Session, checkpoint: Checkpoint) -> list[Seat]:
        """Seats held since before the release moment by people not scanned at the door."""
        arrived = select(Presence.registration_id).where(
            Presence.checkpoint == checkpoint.key, Presence.first_entry_at.is_not(None)
        )
        return list(
            session.scalars(
                select(Seat)
                .where(
                    Seat.activity_id == checkpoint.activity_id,
                    Seat.created_at <= checkpoint.standby_from,
                    Seat.registration_id.not_in(arrived),
                )
                .order_by(Seat.created_at.desc(), Seat.id.desc())
            )
        )

    def standby(
        self, session: Session, checkpoint: Checkpoint, registration: Registration, now: datetime
    ) -> None:
        """Give a person at the door a free seat, or a no-show's seat; StandbyRefused if neither."""
        try:
            # All or nothing: a failed attempt must not leave a released seat behind.
            with session.begin_nested():
                self._seat_at_the_door(session, checkpoint, registration, now)
        except (AlreadySeated, BlockTaken) as exc:  # the seats' refusals, as check-in names them
            raise SeatedElsewhere() from exc
        except Conflict as exc:
            raise NoFreeSeat() from exc

    def _seat_at_the_door(
        self, session: Session, checkpoint: Checkpoint, registration: Registration, now: datetime
    ) -> None:
        """A free seat, else the seat of the latest no-show; ActivityFull if there is neither."""
        act = session.get(Activity, checkpoint.activity_id)
        self._leave_overlapping(session, act, registration, now)
        try:
            take_seat(session, registration, act, source="standby", reason="standby", now=now)
            return
        except ActivityFull:
            pass
        for seat in self._no_show_seats(session, checkpoint)[:1]:
            # After the start nobody on the waiting list gets an offer: the seat comes free.
            release_seat(session, seat, reason="no_show", now=now)
            session.flush()
            take_seat(session, registration, act, source="standby", reason="standby", now=now)
            return
        raise ActivityFull(_l("Er is geen vrije plaats meer."))

    def _leave_overlapping(
        self, session: Session, act: Activity, reg: Registration, now: datetime
    ) -> None:
        """Someone taking a seat here gives up an unvisited seat in the same block elsewhere."""
        block_ids = [b.id for b in act.blocks]
        others = session.scalars(
            select(Seat)
            .join(SeatBlock, SeatBlock.seat_id == Seat.id)
            .where(
                SeatBlock.registration_id == reg.id,
                SeatBlock.block_id.in_(block_ids or [-1]),
                Seat.activity_id != act.id,
            )
        ).unique()
        for seat in others:
            visited = session.scalar(
                select(Presence.id).where(
                    Presence.registration_id == reg.id,
                    Presence.checkpoint == str(seat.activity_id),
                    Presence.first_entry_at.is_not(None),
                )
            )
            if visited is not None:
                raise BlockTaken(_l("Deze persoon zit al in een andere activiteit."))
            release_seat(session, seat, reason="standby_move", now=now)
        session.flush()

    def release_no_shows(self, session: Session, conference: Conference, now: datetime) -> dict:
        """Release no-shows' seats of activities past their release moment (off by default)."""
        report = {"enabled": conference.setting("no_show_release_minutes") is not None}
        report.update(activities=0, released=0)
        if not report["enabled"]:
            return report
        for checkpoint in self.checkpoints(conference):
            if not checkpoint.standby_open(now):
                continue
            released = self._no_show_seats(session, checkpoint)
            for seat in released:
                release_seat(session, seat, reason="no_show", now=now)
            report["activities"] += bool(released)
            report["released"] += len(released)
        return report


# The one provider, handed to the check-in service through `conference.hooks`.
CHECKPOINTS = SessionsCheckpoints()


def provide_checkpoints(_sender: object) -> SessionsCheckpoints:
    """`hooks.activity_checkpoints` receiver: the check-in service asks for its provider."""
    return CHECKPOINTS
