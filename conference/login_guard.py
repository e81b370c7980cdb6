"""Staff password logins: a limit per account beside the per-IP limit, with growing delays.

Every refused password for an address counts, whether or not an account has that address, so
the limit says nothing about which accounts exist. From the fifth refusal within a day, the
address must wait before its next try: 30 seconds, twice as long after each further refusal,
at most an hour; a correct password clears the count. The first time an account reaches the
limit in a day, its holder gets a notice by mail. The counts live in Redis when REDIS_URL is
set (shared by every worker and process), else in the database; both count atomically.
Addresses are kept only as a keyed hash.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from datetime import datetime, timedelta
from functools import cache
from typing import Any

import redis
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, delete, func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from conference.clock import utcnow
from conference.db import dialect_insert, write_transaction
from conference.errors import DomainError
from conference.extensions import db
from conference.mail.outbox import queue_mail
from conference.models import LoginFailure, User

FREE_TRIES = 5
FIRST_DELAY = 30  # seconds
MAX_DELAY = 3600
WINDOW = timedelta(days=1)


def delay_after(failures: int) -> int:
    """Seconds to wait after `failures` refusals in a row (0 while under the limit)."""
    if failures < FREE_TRIES:
        return 0
    return min(FIRST_DELAY * 2 ** (failures - FREE_TRIES), MAX_DELAY)


def address_key(address: str) -> str:
    """The keyed hash an address is counted under (no address in Redis or the database)."""
    secret = current_app.secret_key.encode()
    return hmac.new(secret, address.strip().lower().encode(), hashlib.sha256).hexdigest()


@cache
def _redis(url: str) -> redis.Redis:
    # One client (and its connection pool) per URL for the life of the process.
    return redis.Redis.from_url(url, socket_timeout=2)


class RedisCounts:
    """Counts in Redis: an INCR with a day's expiry, and a key that lives as long as the wait."""

    def __init__(self, url: str, namespace: str):
        self.client = _redis(url)
        self.namespace = namespace

    def _keys(self, key: str) -> tuple[str, str]:
        return f"{self.namespace}:fails:{key}", f"{self.namespace}:wait:{key}"

    def wait(self, key: str, now: datetime) -> int:
        """Seconds left to wait (0: may try)."""
        milliseconds = self.client.pttl(self._keys(key)[1])
        return math.ceil(milliseconds / 1000) if milliseconds > 0 else 0

    def fail(self, key: str, now: datetime) -> int:
        """Count a refusal; the number of refusals in the window."""
        fails, wait = self._keys(key)
        pipe = self.client.pipeline()
        pipe.incr(fails)
        pipe.expire(fails, int(WINDOW.total_seconds()), nx=True)
        failures = int(pipe.execute()[0])
        if seconds := delay_after(failures):
            self.client.set(wait, failures, ex=seconds)
        return failures

    def clear(self, key: str) -> None:
        """A correct password: start again."""
        self.client.delete(*self._keys(key))


class DatabaseCounts:
    """Counts in the `login_failures` table: one upsert that increments, under any race."""

    def wait(self, key: str, now: datetime) -> int:
        """Seconds left to wait (0: may try)."""
        until = db.session.scalar(select(LoginFailure.locked_until).filter_by(key=key))
        db.session.rollback()  # a read only: release the snapshot at once
        return math.ceil((until - now).total_seconds()) if until and until > now else 0

    def fail(self, key: str, now: datetime) -> int:
        """Count a refusal; the number of refusals in the window."""
        with write_transaction(db.session) as session:
            conn = session.connection()
            table = LoginFailure.__table__
            fresh = table.c.first_failed_at < now - WINDOW
            statement = (
                dialect_insert(session, table)
                .values(key=key, failures=1, first_failed_at=now)
                .on_conflict_do_update(
                    index_elements=["key"],
                    set_={
                        "failures": case((fresh, 1), else_=table.c.failures + 1),
                        "first_failed_at": case((fresh, now), else_=table.c.first_failed_at),
                    },
                )
                .returning(table.c.failures)
            )
            failures = conn.execute(statement).scalar_one()
            seconds = delay_after(failures)
            conn.execute(
                update(table)
                .where(table.c.key == key)
                .values(locked_until=now + timedelta(seconds=seconds) if seconds else None)
            )
            # Counts of a past day mean nothing: addresses tried once do not pile up.
            conn.execute(delete(table).where(table.c.first_failed_at < now - WINDOW))
        return failures

    def clear(self, key: str) -> None:
        """A correct password: start again."""
        with write_transaction(db.session) as session:
            session.execute(delete(LoginFailure).where(LoginFailure.key == key))


def counts() -> Any:
    """Redis when REDIS_URL is set, else the database."""
    url = current_app.config.get("REDIS_URL")
    if url:
        namespace = current_app.config.get("LOGIN_LIMIT_NAMESPACE", "swc:login")
        return RedisCounts(url, namespace)
    return DatabaseCounts()


class LoginRefused(DomainError):
    """No staff account with that address and password (one message for every case)."""

    code, status = "unauthenticated", 401
    message = _l("Dat e-mailadres en wachtwoord horen niet bij een medewerker.")


class LoginWait(DomainError):
    """Too many refused passwords for this address: wait before the next try."""

    code, status = "rate_limited", 429

    def __init__(self, seconds: int):
        minutes = max(1, math.ceil(seconds / 60))
        super().__init__(
            _l(
                "Te veel mislukte pogingen met dit e-mailadres. Probeer opnieuw over "
                "%(minutes)d minuten.",
                minutes=minutes,
            )
        )
        self.seconds = seconds


@cache
def _dummy_hash() -> str:
    """A password hash made as the real ones are (same method and cost), checked in vain."""
    return generate_password_hash(secrets.token_urlsafe(16))


def authenticate_staff(email: str, password: str, now: datetime | None = None) -> User:
    """The active staff account with this address and password; LoginRefused or LoginWait."""
    now = now or utcnow()
    address = email.strip().lower()
    key = address_key(address)
    store = counts()
    if seconds := store.wait(key, now):
        raise LoginWait(seconds)
    user = db.session.scalar(select(User).where(func.lower(User.email) == address))
    staff = user is not None and user.is_staff and user.active and bool(user.password_hash)
    if not staff:
        # The same work as for an account: an unknown address must not answer faster.
        check_password_hash(_dummy_hash(), password)
    elif user.check_password(password):
        store.clear(key)
        with write_transaction(db.session) as session:
            session.get(User, user.id).last_login_at = now
        return user
    failures = store.fail(key, now)
    if staff and failures == FREE_TRIES:
        _notify_holder(user, failures, now)
    raise LoginRefused()


def _notify_holder(user: User, failures: int, now: datetime) -> None:
    """Tell the account holder that someone is guessing their password (once a day)."""
    with write_transaction(db.session) as session:
        queue_mail(
            to=user.email,
            template="staff_login_notice",
            language=user.language or "nl",
            context={"name": user.name, "failures": failures, "email": user.email},
            kind="staff_login_notice",
            dedupe_key=f"staff_login_notice:{user.id}:{now.date().isoformat()}",
            session=session,
        )
