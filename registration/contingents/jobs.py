"""Scheduled job of contingents: return unused places to the general pool at `release_at`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from registration.contingents.services import release_due


def release_contingents(now: datetime) -> dict[str, Any]:
    """Release the contingents whose moment has come; the waiting list gets the places."""
    return release_due(now)
