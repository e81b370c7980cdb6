"""The draw's rows: the committed seed with the dry run and published result, and name merges."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from conference.clock import utcnow
from conference.extensions import db


class VenueDraw(db.Model):
    """One conference's draw: the secret seed, its public hash, the last dry run, the result.

    The seed stays secret until the draw is published; its SHA-256 (`commitment`) is public
    from the moment the conference is in draw mode, so nobody can pick a seed afterwards.
    """

    __tablename__ = "venue_draws"

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id"), unique=True)
    # A 128-bit random number, in decimal (too large for a BIGINT column).
    seed: Mapped[str] = mapped_column(String(40))
    commitment: Mapped[str] = mapped_column(String(64))
    committed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The last dry run: its figures and drawn numbers (the review page shows what changed).
    dry_run: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    dry_run_at: Mapped[datetime | None]
    # The published draw: its whole input and result, as the public page shows them.
    published: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    published_at: Mapped[datetime | None]


class OrganisationMerge(db.Model):
    """An organiser's merge: an organisation key the normaliser missed -> the one it means."""

    __tablename__ = "organisation_merges"
    __table_args__ = (UniqueConstraint("conference_id", "alias", name="uq_organisation_merge"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id"), index=True)
    alias: Mapped[str] = mapped_column(String(200))
    canonical: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
