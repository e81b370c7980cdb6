"""Registration models: registrations and their tickets."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.clock import utcnow
from conference.extensions import db
from conference.models import Conference, User

PROFILES = (
    "practitioner",
    "manager",
    "student",
    "volunteer",
    "experience_expert",
    "policy",
    "research_education",
    "other",
)
MODES = ("onsite", "online")
STATUSES = ("registered", "waitlisted", "canceled")


class Registration(db.Model):
    """A person's registration for one conference, on site or online."""

    __tablename__ = "registrations"
    __table_args__ = (
        CheckConstraint("mode IN ('onsite', 'online')", name="mode_known"),
        CheckConstraint("status IN ('registered', 'waitlisted', 'canceled')", name="status_known"),
        # One active registration per e-mail per conference, also under a rush.
        Index(
            "uq_registrations_active_email",
            "conference_id",
            "email",
            unique=True,
            sqlite_where=text("status != 'canceled'"),
            postgresql_where=text("status != 'canceled'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))  # lower-cased
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    organisation: Mapped[str | None] = mapped_column(String(200))
    profile: Mapped[str] = mapped_column(String(30))
    sector: Mapped[str | None] = mapped_column(String(100))
    mode: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(12))
    language: Mapped[str] = mapped_column(String(5), default="nl")
    accessibility_needs: Mapped[str | None] = mapped_column(Text)
    diet: Mapped[str | None] = mapped_column(String(200))
    consent_at: Mapped[datetime]
    waitlist_ok: Mapped[bool] = mapped_column(default=True)
    # Whether this registration holds one of the counted on-site places (Conference.onsite_taken).
    holds_venue_place: Mapped[bool] = mapped_column(default=False)
    # Set while the person waits for an on-site place (also when following online meanwhile).
    venue_waitlisted_at: Mapped[datetime | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    canceled_at: Mapped[datetime | None]
    anonymized_at: Mapped[datetime | None]

    conference: Mapped[Conference] = relationship()
    user: Mapped[User] = relationship()
    tickets: Mapped[list[Ticket]] = relationship(
        back_populates="registration", order_by="Ticket.id"
    )

    @property
    def full_name(self) -> str:
        """First and last name."""
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def active(self) -> bool:
        """Whether the registration is not canceled."""
        return self.status != "canceled"

    @property
    def ticket(self) -> Ticket | None:
        """The valid ticket, if any."""
        return next((t for t in self.tickets if t.status == "active"), None)


def new_ticket_secret() -> str:
    """A random ticket secret of 192 bits, URL-safe; it carries no personal data."""
    return secrets.token_urlsafe(24)


class Ticket(db.Model):
    """A QR ticket of an on-site registration; revocable and reissuable."""

    __tablename__ = "tickets"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'revoked')", name="status_known"),
        Index(
            "uq_tickets_one_active",
            "registration_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    secret: Mapped[str] = mapped_column(String(64), unique=True, default=new_ticket_secret)
    status: Mapped[str] = mapped_column(String(10), default="active")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    registration: Mapped[Registration] = relationship(back_populates="tickets")
