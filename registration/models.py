"""Registration models: registrations and their tickets."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.clock import utcnow
from conference.extensions import db
from conference.models import Conference, User

MODES = ("onsite", "online")
# `invited`: made by a colleague (registration.colleagues), waiting for the person's own consent.
# `applied`: an on-site application waiting for the venue draw (no place held, online access).
STATUSES = ("registered", "waitlisted", "applied", "invited", "canceled")
# Not (or not yet) an attendee: lists, figures, seats and streams leave these out.
NOT_ATTENDING = ("canceled", "invited")


# The columns that keep a whole name (User.name, Certificate.full_name) hold 200 characters;
# a first and a last name of 100 each and the space between make 201.
FULL_NAME_MAX = 200


def full_name(first_name: str, last_name: str) -> str:
    """First and last name, cut to what a name column holds."""
    return f"{first_name} {last_name}".strip()[:FULL_NAME_MAX].rstrip()


class Registration(db.Model):
    """A person's registration for one conference, on site or online."""

    __tablename__ = "registrations"
    __table_args__ = (
        CheckConstraint("mode IN ('onsite', 'online')", name="mode_known"),
        CheckConstraint(
            "status IN ('registered', 'waitlisted', 'applied', 'invited', 'canceled')",
            name="status_known",
        ),
        # Nobody consents for another person: only an invitation not yet answered goes without.
        CheckConstraint(
            "consent_at IS NOT NULL OR status IN ('invited', 'canceled')", name="consent_given"
        ),
        # One active registration per e-mail per conference, also under a rush (invited ones too).
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
    consent_at: Mapped[datetime | None]
    waitlist_ok: Mapped[bool] = mapped_column(default=True)
    # Set when the person turned off non-essential mails (news); essential ones still come.
    news_opt_out_at: Mapped[datetime | None]
    # Whether this registration holds one of the counted on-site places (Conference.onsite_taken).
    holds_venue_place: Mapped[bool] = mapped_column(default=False)
    # Set while the person waits for an on-site place (also when following online meanwhile).
    venue_waitlisted_at: Mapped[datetime | None] = mapped_column(index=True)
    # A promoted person holds a place but must confirm it before this moment (see venue.py).
    venue_offer_expires_at: Mapped[datetime | None]
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
        return full_name(self.first_name, self.last_name)

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


class VenueProfileCount(db.Model):
    """On-site places held and kept per profile: the counter rows behind the profile quotas.

    `reserved` is the share of the venue kept for the profile while quotas apply (0 otherwise);
    `taken` counts the registrations of that profile holding a place. Both are refreshed under
    the conference lock before every quota decision; the conditional UPDATE in
    `registration.venue` then refuses a place to a profile when the free places are all kept.
    """

    __tablename__ = "venue_profile_counts"
    __table_args__ = (
        CheckConstraint("taken >= 0", name="taken_nonnegative"),
        CheckConstraint("reserved >= 0", name="reserved_nonnegative"),
    )

    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id"), primary_key=True)
    profile: Mapped[str] = mapped_column(String(30), primary_key=True)
    reserved: Mapped[int] = mapped_column(default=0)
    taken: Mapped[int] = mapped_column(default=0)


class LoginLink(db.Model):
    """A passwordless login link sent by e-mail: short-lived and usable once."""

    __tablename__ = "login_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Random id signed into the link (itsdangerous); the row makes the link single use.
    jti: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class ManageLink(db.Model):
    """The personal link in a mail: it opens a session, as a login link does; no API token.

    Only a hash of its random token is stored. A new mail with a link revokes the older ones
    (one live link per person); cancelling, erasing and "log out everywhere" revoke all.
    """

    __tablename__ = "manage_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
