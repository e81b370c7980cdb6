"""Organisers' edits of themes, blocks, rooms and speakers, validated like the data file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from conference import audit
from conference.db import write_transaction
from conference.extensions import db
from conference.models import Conference
from sessions.programme.changes import announce_change, apply_patch, watched
from sessions.programme.editing import get_row, next_position
from sessions.programme.errors import SlugTaken
from sessions.programme.models import Block, Room, Speaker, Theme
from sessions.programme.schema import BlockIn, RoomIn, SpeakerIn, ThemeIn
from sessions.programme.validation import at, clock, validate


@dataclass(frozen=True)
class EntitySpec:
    """How one kind of programme item maps from the file's fields to its table."""

    kind: str
    model: type
    schema: type[BaseModel]
    fields: tuple[str, ...]
    positioned: bool = False


SPECS = {
    "theme": EntitySpec(
        "theme",
        Theme,
        ThemeIn,
        ("name", "name_en", "description", "description_en"),
        positioned=True,
    ),
    "block": EntitySpec(
        "block", Block, BlockIn, ("name", "name_en", "starts", "ends"), positioned=True
    ),
    "room": EntitySpec(
        "room",
        Room,
        RoomIn,
        ("name", "floor", "directions", "directions_en", "capacity", "step_free"),
    ),
    "speaker": EntitySpec("speaker", Speaker, SpeakerIn, ("name", "organisation", "bio", "bio_en")),
}


def rows_by_kind(conf: Conference) -> dict[str, list[Any]]:
    """Every theme, block, room and speaker of the conference, in the overview's order."""
    return {
        kind: list(
            db.session.scalars(
                select(spec.model)
                .filter_by(conference_id=conf.id)
                .order_by(*((spec.model.position,) if spec.positioned else ()), spec.model.id)
            )
        )
        for kind, spec in SPECS.items()
    }


def by_name(conf: Conference, model: type) -> list[Any]:
    """The conference's rooms or speakers by name (the form's choices)."""
    return list(
        db.session.scalars(select(model).filter_by(conference_id=conf.id).order_by(model.name))
    )


def entity_values(conf: Conference, kind: str, row: Any) -> dict[str, Any]:
    """A row in the file's vocabulary (what the form shows)."""
    spec = SPECS[kind]
    values: dict[str, Any] = {"slug": row.slug}
    for name in spec.fields:
        if name in ("starts", "ends"):
            values[name] = clock(getattr(row, f"{name}_at"), conf)
        else:
            values[name] = getattr(row, name)
    return values


def _apply_entity(conf: Conference, spec: EntitySpec, row: Any, item: BaseModel) -> None:
    for name in spec.fields:
        value = getattr(item, name)
        if name in ("starts", "ends"):
            setattr(row, f"{name}_at", at(conf, value))
        else:
            setattr(row, name, value)


def save_entity(
    conf: Conference,
    kind: str,
    row_id: int | None,
    data: dict[str, Any],
    *,
    actor: Any,
    reason: str | None = None,
) -> Any:
    """Create (row_id None) or edit a theme, block, room or speaker, moved activities included."""
    spec = SPECS[kind]
    row = None if row_id is None else get_row(conf, spec.model, row_id)
    item = validate(spec.schema, data if row is None else {**data, "slug": row.slug})
    with write_transaction(db.session) as session:
        if row is None:
            row, before = spec.model(conference_id=conf.id, slug=item.slug), None
            if spec.positioned:
                row.position = next_position(session, spec.model, conf)
        else:
            session.refresh(row)
            before = entity_values(conf, kind, row)
        old_span = (row.starts_at, row.ends_at) if kind == "block" and before else None
        _apply_entity(conf, spec, row, item)
        _flush_new_slug(session, row)
        _audit(session, kind, row, before, entity_values(conf, kind, row), actor, reason)
        if old_span is not None and old_span != (row.starts_at, row.ends_at):
            _follow_block(session, row, old_span, actor=actor)
    return row


def _flush_new_slug(session: Session, row: Any) -> None:
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError as exc:
        raise SlugTaken() from exc


def _audit(
    session: Session, kind: str, row: Any, before: Any, after: dict, actor: Any, reason: Any
) -> None:
    if before is None:
        audit.record(
            session, actor=actor, action=f"{kind}.create", target_type=kind, target_id=row.id,
            after=after, reason=reason,
        )  # fmt: skip
        return
    audit.record_changes(
        session, actor=actor, action=f"{kind}.update", target_type=kind, target_id=row.id,
        before=before, after=after, reason=reason,
    )  # fmt: skip


def _follow_block(
    session: Session, block: Block, old: tuple[datetime, datetime], *, actor: Any
) -> None:
    """Activities that ran exactly over a moved block move with it (and their people hear of it)."""
    for act in list(block.activities):
        spans_old = [old if b.id == block.id else (b.starts_at, b.ends_at) for b in act.blocks]
        old_span = (min(s for s, _ in spans_old), max(e for _, e in spans_old))
        if (act.starts_at, act.ends_at) != old_span:
            continue  # the activity has its own times: leave them
        before = watched(act)
        new_span = {
            "starts_at": min(b.starts_at for b in act.blocks),
            "ends_at": max(b.ends_at for b in act.blocks),
        }
        apply_patch(session, act, new_span, actor=actor, reason=f"block {block.slug} moved")
        announce_change(session, act, before)
