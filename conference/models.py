"""Kernel models: the conference and its settings, accounts, API tokens and the mail outbox."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from conference.clock import utcnow
from conference.extensions import db

ROLES = ("attendee", "organiser", "checkin", "moderator")
STAFF_ROLES = ("organiser", "checkin", "moderator")
ALLOCATION_MODES = ("preferences", "fcfs")
# How on-site places are given: first come, first served, or a draw at `draw_at` (issue 15).
VENUE_MODES = ("fcfs", "draw")
# Who a registration is (quotas and figures count per profile): one list for every package.
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


class Conference(db.Model):
    """One edition of the conference, with its windows, venue cap and settings."""

    __tablename__ = "conferences"
    __table_args__ = (
        CheckConstraint("onsite_taken >= 0", name="onsite_taken_nonnegative"),
        CheckConstraint("onsite_taken <= onsite_capacity", name="onsite_within_capacity"),
        CheckConstraint("allocation_mode IN ('preferences', 'fcfs')", name="allocation_mode"),
        CheckConstraint("venue_mode IN ('fcfs', 'draw')", name="venue_mode_known"),
        CheckConstraint(
            "organisation_cap IS NULL OR organisation_cap >= 1", name="org_cap_positive"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    tagline: Mapped[str | None] = mapped_column(String(200))
    tagline_en: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)
    organiser: Mapped[str | None] = mapped_column(String(200))
    website: Mapped[str | None] = mapped_column(String(300))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Brussels")
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    venue: Mapped[str] = mapped_column(String(200))
    venue_address: Mapped[str | None] = mapped_column(String(300))
    venue_info: Mapped[str | None] = mapped_column(Text)
    venue_info_en: Mapped[str | None] = mapped_column(Text)
    registration_opens_at: Mapped[datetime]
    registration_closes_at: Mapped[datetime]
    choice_opens_at: Mapped[datetime | None]
    choice_closes_at: Mapped[datetime | None]
    allocation_mode: Mapped[str] = mapped_column(String(20), default="preferences")
    allocation_published_at: Mapped[datetime | None]
    onsite_capacity: Mapped[int] = mapped_column(default=0)
    # A counter kept by one conditional UPDATE per change, so the cap holds under a rush.
    onsite_taken: Mapped[int] = mapped_column(default=0)
    # profile -> minimum share (0..1) of on-site places kept for that profile.
    profile_quotas: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    quota_release_at: Mapped[datetime | None]
    # Reconfirmation (registration/reconfirm/): asked from `opens`, unanswered places after
    # `closes` go to the waiting list when `release`, else are only flagged.
    reconfirm_opens_at: Mapped[datetime | None]
    reconfirm_closes_at: Mapped[datetime | None]
    reconfirm_release: Mapped[bool] = mapped_column(default=False)
    # --- the venue draw (registration/draw) ---
    venue_mode: Mapped[str] = mapped_column(String(10), default="fcfs", server_default="fcfs")
    # When the scheduler draws, if the organiser has not published a draw before.
    draw_at: Mapped[datetime | None]
    # At most this many on-site places per (normalised) organisation in the draw; None: no cap.
    organisation_cap: Mapped[int | None]
    # Set once, by the transaction that publishes the draw: from then on fcfs again.
    draw_published_at: Mapped[datetime | None]
    # Free-form settings with defaults in `setting()`: join-link lead time, offer hours, …
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    is_demo: Mapped[bool] = mapped_column(default=False)
    demo_shift_days: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    DEFAULT_SETTINGS = {
        "join_link_lead_minutes": 15,
        "venue_offer_hours": 48,
        "seat_offer_hours": 24,
        "no_show_release_minutes": None,
        "reminder_hours_before": 24,
        "colleague_hold_hours": 48,
    }

    def setting(self, key: str) -> Any:
        """A setting, falling back to its default."""
        return (self.settings or {}).get(key, self.DEFAULT_SETTINGS.get(key))

    @property
    def onsite_left(self) -> int:
        """On-site places not yet taken."""
        return max(self.onsite_capacity - self.onsite_taken, 0)

    def registration_open(self, now: datetime | None = None) -> bool:
        """Whether registration is open at `now`."""
        now = now or utcnow()
        return self.registration_opens_at <= now < self.registration_closes_at

    def choice_open(self, now: datetime | None = None) -> bool:
        """Whether the preference round accepts choices at `now`."""
        now = now or utcnow()
        if self.choice_opens_at is None or self.choice_closes_at is None:
            return False
        return self.choice_opens_at <= now < self.choice_closes_at


class User(UserMixin, db.Model):
    """An account: an attendee (passwordless, one per e-mail) or a staff member."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "role IN ('attendee', 'organiser', 'checkin', 'moderator')", name="role_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default="attendee")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped to log out every browser session of this account at once.
    session_version: Mapped[int] = mapped_column(default=1)
    language: Mapped[str] = mapped_column(String(5), default="nl")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # When the person last proved they read this address (a login or manage link from a mail).
    # A browser logged in without that proof (right after registering) stops working from then.
    email_proven_at: Mapped[datetime | None]
    # Set when a staff member turned off non-essential mails (see conference/mail_policy.py).
    news_opt_out_at: Mapped[datetime | None]

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user")

    def get_id(self) -> str:
        """Flask-Login id that stops matching when the session version changes."""
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    @property
    def is_staff(self) -> bool:
        """Whether this account has a staff role."""
        return self.role in STAFF_ROLES

    def has_role(self, *roles: str) -> bool:
        """Whether the account has one of the roles; organisers may do everything staff may."""
        return self.role in roles or (
            self.role == "organiser" and bool(set(roles) & set(STAFF_ROLES))
        )

    def set_password(self, password: str) -> None:
        """Store a salted hash of the password."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        """Whether the password matches the stored hash."""
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)


def hash_token(token: str) -> str:
    """The SHA-256 of a bearer token: tokens are stored only as hashes."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """A random URL-safe token of 256 bits."""
    return secrets.token_urlsafe(32)


class ApiToken(db.Model):
    """A revocable bearer token of an account; only its hash is stored."""

    __tablename__ = "api_tokens"
    __table_args__ = (CheckConstraint("kind IN ('attendee', 'staff')", name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # "attendee" or "staff", fixed when issued: a token works only while its account is of
    # that kind, so an attendee's token never turns into a staff token (issue 20).
    kind: Mapped[str] = mapped_column(String(10))
    label: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="tokens")

    @classmethod
    def issue(cls, user: User, label: str | None = None) -> tuple[ApiToken, str]:
        """A new token row for `user` and the raw token (shown once, never stored)."""
        raw = new_token()
        kind = "staff" if user.is_staff else "attendee"
        row = cls(user=user, token_hash=hash_token(raw), kind=kind, label=label)
        return row, raw


class LoginFailure(db.Model):
    """Refused staff passwords per address (a keyed hash) when REDIS_URL is not set."""

    __tablename__ = "login_failures"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    first_failed_at: Mapped[datetime] = mapped_column(index=True)
    locked_until: Mapped[datetime | None]


def new_message_id() -> str:
    """A Message-ID for an outbox row, fixed when the row is written (on MAIL_FROM's domain)."""
    sender = current_app.config.get("MAIL_FROM", "") if has_app_context() else ""
    domain = sender.rsplit("@", 1)[-1].strip("> ") or "localhost"
    # From `secrets`, not `make_msgid`: its part from `random` repeats where `random` is seeded.
    return f"<{secrets.token_hex(16)}.outbox@{domain}>"


class MailMessage(db.Model):
    """The transactional outbox: a row per message, written in the transaction of the change."""

    __tablename__ = "mail_outbox"
    __table_args__ = (
        Index("ix_mail_outbox_due", "status", "next_attempt_at"),
        UniqueConstraint("dedupe_key", name="uq_mail_outbox_dedupe_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # One message per (kind, subject of it): writing the same key twice is a no-op.
    dedupe_key: Mapped[str | None] = mapped_column(String(200))
    # Made with the row, so every send of it (delivery is at least once) has the same id and
    # receivers and relays can drop a copy.
    message_id: Mapped[str] = mapped_column(String(250), unique=True, default=new_message_id)
    kind: Mapped[str] = mapped_column(String(50))
    to_address: Mapped[str] = mapped_column(String(254))
    registration_id: Mapped[int | None] = mapped_column(index=True)
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    # [{"filename", "content_type", "data" (base64), "cid"?}]
    attachments: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    # pending -> sent | failed; `suppressed`: a non-essential message whose person opted out
    # after it was queued (kept, not deleted, so the outbox tells what happened).
    status: Mapped[str] = mapped_column(String(20), default="pending")
    # Set on non-essential messages only: the signed unsubscribe token (conference/mail_policy.py)
    # behind the footer link and the List-Unsubscribe headers.
    unsubscribe_token: Mapped[str | None] = mapped_column(String(200))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class ScheduledJob(db.Model):
    """A job the scheduler process runs, with when it runs next (shown to organisers)."""

    __tablename__ = "scheduled_jobs"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    description: Mapped[str] = mapped_column(String(300), default="")
    interval_seconds: Mapped[int] = mapped_column(default=60)
    next_run_at: Mapped[datetime | None]
    last_run_at: Mapped[datetime | None]
    last_status: Mapped[str | None] = mapped_column(String(20))
    paused: Mapped[bool] = mapped_column(default=False)


class JobRun(db.Model):
    """One run of a job: when, how it was started, what it did or why it failed."""

    __tablename__ = "job_runs"
    __table_args__ = (
        CheckConstraint("status IN ('running', 'ok', 'failed')", name="status_known"),
        Index("ix_job_runs_job_started", "job", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(80))
    trigger: Mapped[str] = mapped_column(String(20), default="schedule")
    status: Mapped[str] = mapped_column(String(10), default="running")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    host: Mapped[str | None] = mapped_column(String(120))


class SchedulerLease(db.Model):
    """Who runs the jobs: one row, taken by a conditional UPDATE; one scheduler at a time."""

    __tablename__ = "scheduler_lease"

    id: Mapped[int] = mapped_column(primary_key=True)
    holder: Mapped[str] = mapped_column(String(120))
    expires_at: Mapped[datetime]


class AuditEntry(db.Model):
    """One staff action that changed data: who, when, what, the values before and after, why."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_target", "target_type", "target_id"),
        Index("ix_audit_entries_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The account may be deleted or renamed later: the e-mail is a snapshot of who it was.
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    actor_email: Mapped[str | None] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(80), index=True)
    target_type: Mapped[str] = mapped_column(String(50))
    target_id: Mapped[str | None] = mapped_column(String(80))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)
