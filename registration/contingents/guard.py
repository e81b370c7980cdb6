"""Guessing codes: beside the request limits, a count of wrong codes per network address.

From the fifth wrong code within a day an address must wait before its next try (30 seconds,
doubling, at most an hour), counted as the staff logins' refused passwords are
(`conference.login_guard`: Redis when REDIS_URL is set, else the database; only a keyed hash
of the address is kept). A right code does not clear the count: a guesser who finds one code
must not win more tries.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from conference.clock import utcnow
from conference.login_guard import address_key, counts
from registration.contingents.errors import CodeRefused, TooManyCodeFailures


def _key(client: str) -> str:
    return address_key(f"contingent-code:{client}")


def with_code_guard(client: str | None, data: dict[str, Any], run: Callable[[], Any]) -> Any:
    """Run a registration; with a code, refuse while `client` must wait and count a wrong one."""
    if not data.get("code"):
        return run()
    key = _key(client or "unknown")
    store = counts()
    if store.wait(key, utcnow()):
        raise TooManyCodeFailures()
    try:
        return run()
    except CodeRefused:
        store.fail(key, utcnow())
        raise
