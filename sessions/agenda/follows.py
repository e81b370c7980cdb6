"""Following streams: a followed stream (or the radio) joins the person's agenda and feed."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from conference.db import write_transaction
from conference.errors import NotFound
from conference.extensions import db
from registration.models import Registration
from sessions.agenda.errors import NotFollowable
from sessions.agenda.models import Follow
from sessions.agenda.services import FOLLOWABLE_KINDS
from sessions.programme.models import Activity


def can_follow(activity: Activity) -> bool:
    """Whether people can follow this activity (published streams and the radio)."""
    return activity.kind in FOLLOWABLE_KINDS and activity.published


def _followable(registration: Registration, activity_id: int) -> Activity:
    act = db.session.get(Activity, activity_id)
    if act is None or act.conference_id != registration.conference_id or not act.published:
        raise NotFound()
    if not can_follow(act):
        raise NotFollowable()
    return act


def follow(registration: Registration, activity_id: int) -> bool:
    """Follow a stream; True if it is new, False if the person already followed it."""
    _followable(registration, activity_id)
    registration_id = registration.id
    with write_transaction(db.session) as session:
        try:
            # A UNIQUE pair: a double click or two tabs cannot make two rows.
            with session.begin_nested():
                session.add(Follow(registration_id=registration_id, activity_id=activity_id))
        except IntegrityError:
            return False
    return True


def unfollow(registration: Registration, activity_id: int) -> bool:
    """Stop following; True if the person followed it. The feed then shows it as cancelled."""
    registration_id = registration.id
    with write_transaction(db.session) as session:
        row = session.scalar(
            select(Follow).filter_by(registration_id=registration_id, activity_id=activity_id)
        )
        if row is None:
            return False
        # An ORM delete, so sessions.agenda_history records the mark in this transaction.
        session.delete(row)
    return True


def is_following(registration: Registration, activity_id: int) -> bool:
    """Whether the registration follows the activity."""
    return (
        db.session.scalar(
            select(Follow.id).filter_by(registration_id=registration.id, activity_id=activity_id)
        )
        is not None
    )


def followed_ids(registration: Registration) -> set[int]:
    """The activities the registration follows."""
    return set(
        db.session.scalars(select(Follow.activity_id).filter_by(registration_id=registration.id))
    )
