"""An organiser's programme edit is one transaction: all of it or nothing, one notice, an actor."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from conference.clock import local
from conference.extensions import db
from conference.models import AuditEntry, MailMessage
from conference.services import current_conference
from sessions.programme import editing, entities
from sessions.programme.models import Activity, Block
from tests.factories import activity, give_seat, register, staff
from tests.helpers import audit_entries, login


@pytest.fixture
def app(any_db_app):
    """Every test here on SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""
    return any_db_app


def _count(model, **where) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model).filter_by(**where))


def _state(act: Activity) -> tuple:
    return (act.starts_at, act.ends_at, act.room_id, act.title, act.capacity, act.sequence)


def _values(act: Activity, **overrides) -> dict:
    """The activity form's data (the file's vocabulary), with some fields changed."""
    data = editing.activity_values(current_conference(), act)
    data.pop("slug")
    return {**data, **overrides}


def _form(act: Activity, **overrides) -> dict:
    """The same as a posted form: blanks left out, ticked boxes as "y"."""
    posted = {}
    for key, value in _values(act, **overrides).items():
        if isinstance(value, bool):
            value = "y" if value else None
        if value not in (None, "", []):
            posted[key] = value if isinstance(value, list) else str(value)
    return posted


def _later(act: Activity, minutes: int = 15) -> str:
    return local(act.starts_at + timedelta(minutes=minutes)).strftime("%H:%M")


def test_an_edit_that_fails_half_way_leaves_nothing_and_queues_no_mail(app, tokens, monkeypatch):
    # Someone the change would be mailed to.
    give_seat(register(1).id, "ws-diversiteit-1", by=staff())
    act = activity("ws-diversiteit-1")
    before = _state(act)
    audits, mails = _count(AuditEntry), _count(MailMessage)
    seen_inside: list[int] = []
    announce = editing.announce_change

    def announce_then_fail(session, *args, **kwargs):
        announce(session, *args, **kwargs)
        seen_inside.append(
            session.scalar(
                select(func.count()).select_from(MailMessage).filter_by(kind="activity_changed")
            )
        )
        raise RuntimeError("a later step fails")

    monkeypatch.setattr(editing, "announce_change", announce_then_fail)
    data = _values(act, starts=_later(act), room="zaal-7", title="Nieuwe titel", capacity=120)
    with pytest.raises(RuntimeError, match="a later step fails"):
        editing.edit_activity(current_conference(), act.id, data, actor=staff(), reason="test")
    assert seen_inside == [1]  # the mail was queued inside the edit's transaction ...
    assert _state(activity("ws-diversiteit-1")) == before  # ... and left with it
    assert _count(AuditEntry) == audits
    assert _count(MailMessage) == mails


def test_a_block_move_that_fails_half_way_moves_nothing(app, tokens, monkeypatch):
    block = db.session.scalar(select(Block).filter_by(slug="blok-2"))
    span = (block.starts_at, block.ends_at)
    follower = _state(activity("ws-diversiteit-2"))
    audits = _count(AuditEntry)

    def fail(*args, **kwargs):
        raise RuntimeError("a later step fails")

    monkeypatch.setattr(entities, "announce_change", fail)
    with pytest.raises(RuntimeError):
        entities.save_entity(
            current_conference(), "block", block.id,
            {"name": block.name, "starts": "13:45", "ends": "15:15"}, actor=staff(),
        )  # fmt: skip
    db.session.rollback()
    db.session.refresh(block)
    assert (block.starts_at, block.ends_at) == span
    assert _state(activity("ws-diversiteit-2")) == follower
    assert _count(AuditEntry) == audits


def test_one_edit_of_several_fields_sends_one_notice(app, client, tokens, changes):
    reg = register(1)
    give_seat(reg.id, "ws-diversiteit-1", by=staff())
    act = activity("ws-diversiteit-1")
    sequence, old_start = act.sequence, act.starts_at
    login(client)
    response = client.post(
        f"/beheer/programma/activiteiten/{act.id}",
        data=_form(act, starts=_later(act), room="zaal-7", title="Nieuwe titel", capacity=120),
    )
    assert response.status_code == 302
    [(slug, changed)] = changes
    assert slug == "ws-diversiteit-1"
    assert changed["starts_at"] == (old_start, old_start + timedelta(minutes=15))
    assert changed["location"] == ("Zaal 3", "Zaal 7")
    assert activity("ws-diversiteit-1").sequence == sequence + 1
    assert _count(MailMessage, kind="activity_changed", registration_id=reg.id) == 1
    # Both parts of the edit are audited, in the same transaction, with the organiser as actor.
    [update] = audit_entries("activity.update")
    [edit] = audit_entries("activity.edit")
    assert set(update.after) == {"starts_at", "title", "capacity"}
    assert edit.after == {"room": "zaal-7"}
    assert {update.actor_email, edit.actor_email} == {"organiser@example.org"}


def test_a_capacity_change_on_the_seat_screen_names_the_organiser(app, client, tokens):
    act = activity("ws-diversiteit-1")
    login(client)
    response = client.post(f"/beheer/capaciteit/{act.id}", data={"capacity": "120"})
    assert response.status_code == 302
    assert activity("ws-diversiteit-1").capacity == 120
    [entry] = audit_entries("activity.update")
    assert entry.before == {"capacity": 100} and entry.after == {"capacity": 120}
    assert entry.actor_email == "organiser@example.org"
    assert entry.actor_id == staff().id
