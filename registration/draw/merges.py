"""Organisers' merges of organisation names: stored, listed, removed (with the audit log)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from conference import audit
from conference.db import write_transaction
from conference.errors import Invalid
from conference.extensions import db
from registration.draw.models import OrganisationMerge
from registration.draw.names import normalise


def merge_list(conference_id: int) -> list[OrganisationMerge]:
    """The merges of a conference, by name."""
    return list(
        db.session.scalars(
            select(OrganisationMerge)
            .where(OrganisationMerge.conference_id == conference_id)
            .order_by(OrganisationMerge.alias)
        )
    )


def add_merge(conference_id: int, alias: str, canonical: str, actor: Any = None) -> None:
    """Count `alias` as `canonical` from now on (both normalised; a later merge replaces)."""
    key, target = normalise(alias), normalise(canonical)
    if key is None:
        raise Invalid(fields={"alias": _l("Die naam is leeg na het opkuisen.")})
    if target is None or target == key:
        raise Invalid(fields={"canonical": _l("Kies een andere organisatie.")})
    with write_transaction(db.session) as session:
        # A chain (a -> b, b -> c) is followed now, so a key needs one look-up in the draw.
        target = (
            session.scalar(
                select(OrganisationMerge.canonical).where(
                    OrganisationMerge.conference_id == conference_id,
                    OrganisationMerge.alias == target,
                )
            )
            or target
        )
        session.execute(
            delete(OrganisationMerge).where(
                OrganisationMerge.conference_id == conference_id, OrganisationMerge.alias == key
            )
        )
        session.add(OrganisationMerge(conference_id=conference_id, alias=key, canonical=target))
        session.execute(
            OrganisationMerge.__table__.update()
            .where(
                OrganisationMerge.conference_id == conference_id,
                OrganisationMerge.canonical == key,
            )
            .values(canonical=target)
        )
        audit.record(
            session, actor=actor, action="venue.organisation_merged", target_type="conference",
            target_id=conference_id, after={"alias": key, "canonical": target},
        )  # fmt: skip


def remove_merge(conference_id: int, merge_id: int, actor: Any = None) -> None:
    """Undo a merge."""
    with write_transaction(db.session) as session:
        row = session.get(OrganisationMerge, merge_id)
        if row is None or row.conference_id != conference_id:
            return
        audit.record(
            session, actor=actor, action="venue.organisation_unmerged", target_type="conference",
            target_id=conference_id, before={"alias": row.alias, "canonical": row.canonical},
        )  # fmt: skip
        session.delete(row)
