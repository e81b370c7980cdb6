"""Contingents, their codes and the uses of those codes (one per registration)."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.clock import utcnow
from conference.extensions import db
from conference.models import Conference


def new_seed() -> str:
    """The random part a contingent's codes are derived from (with the app's secret key)."""
    return secrets.token_hex(16)


class Contingent(db.Model):
    """Places set aside for a partner; `used` counts the places its codes took.

    While not released, its `places` are counted in `Conference.onsite_taken` as one block, so
    the general pool never sells them; a code then takes one with `used < places`.
    """

    __tablename__ = "contingents"
    __table_args__ = (
        CheckConstraint("places >= 0", name="places_nonnegative"),
        CheckConstraint("used >= 0", name="used_nonnegative"),
        CheckConstraint("used <= places", name="used_within_places"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    places: Mapped[int]
    used: Mapped[int] = mapped_column(default=0)
    release_at: Mapped[datetime | None]
    released_at: Mapped[datetime | None]
    seed: Mapped[str] = mapped_column(String(64), default=new_seed)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    conference: Mapped[Conference] = relationship()
    codes: Mapped[list[ContingentCode]] = relationship(
        back_populates="contingent", order_by="ContingentCode.number"
    )

    @property
    def left(self) -> int:
        """Places not taken yet (0 once released)."""
        return 0 if self.released_at else self.places - self.used


class ContingentCode(db.Model):
    """A code of a contingent: personal (one use) or shared (`max_uses`); only a keyed hash."""

    __tablename__ = "contingent_codes"
    __table_args__ = (
        CheckConstraint("uses >= 0", name="uses_nonnegative"),
        CheckConstraint("uses <= max_uses", name="uses_within_max"),
        Index("uq_contingent_codes_number", "contingent_id", "number", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contingent_id: Mapped[int] = mapped_column(
        ForeignKey("contingents.id", ondelete="CASCADE"), index=True
    )
    # The code is derived from the contingent's seed and this number (see codes.py).
    number: Mapped[int]
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    max_uses: Mapped[int]
    uses: Mapped[int] = mapped_column(default=0)
    revoked_at: Mapped[datetime | None]

    contingent: Mapped[Contingent] = relationship(back_populates="codes")


class ContingentUse(db.Model):
    """A registration that took a contingent place with a code; `returned_at` when given back."""

    __tablename__ = "contingent_uses"
    __table_args__ = (
        # A registration holds at most one contingent place at a time.
        Index(
            "uq_contingent_uses_active",
            "registration_id",
            unique=True,
            sqlite_where=text("returned_at IS NULL"),
            postgresql_where=text("returned_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contingent_id: Mapped[int] = mapped_column(
        ForeignKey("contingents.id", ondelete="CASCADE"), index=True
    )
    code_id: Mapped[int] = mapped_column(ForeignKey("contingent_codes.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    returned_at: Mapped[datetime | None]
