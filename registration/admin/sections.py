"""The parts of a person's page that higher packages draw (seats, choices, online presence).

Registration may not import `sessions` or `streaming`: they answer the kernel's
`hooks.person_sections` with these sections, and the search's seat filter through
`hooks.seated_activities` and `hooks.seat_holders`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Where a section sits on a person's page: after the facts, or after the ticket scans.
SLOTS = ("activities", "attendance")


@dataclass(frozen=True)
class PersonSection:
    """A part of a person's page: a template, drawn with `context`, in one of the `SLOTS`."""

    slot: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
