"""The person's next steps: a short task list that follows the state of their registration.

Shown on the thank-you page, in the confirmation mail and at the top of the personal page
("Ingeschreven ✓ → Kies je workshops vóór … → Je ticket"). The texts live in the template
macro `registration/_steps.html`; this module only decides which steps there are and their
state, from the conference's windows and the person's registration.

What the registration package cannot see itself (whether workshop choices were made) it asks
through the kernel's hook `next_step_facts` (seats answer `choices_made`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from conference import hooks
from conference.clock import utcnow
from registration.models import Registration

DONE, CURRENT, WAITING, LATER = "done", "current", "waiting", "later"


@dataclass(frozen=True)
class Step:
    """One line of the task list: what (`key`), how far (`state`), a date, where to go."""

    key: str
    state: str
    when: datetime | None = None
    until: datetime | None = None
    endpoint: str | None = None
    anchor: str | None = None


def _registration_steps(status: str, mode: str, waiting: bool, offer_until) -> list[Step]:
    if status == "waitlisted" and offer_until:
        return [Step("offer", CURRENT, until=offer_until, endpoint="registration.manage",
                     anchor="plaats-vrij")]  # fmt: skip
    if status == "waitlisted":
        return [Step("waitlisted", WAITING)]
    steps = [Step("registered_" + ("onsite" if mode == "onsite" else "online"), DONE)]
    if offer_until:
        steps.append(Step("offer", CURRENT, until=offer_until, endpoint="registration.manage",
                          anchor="plaats-vrij"))  # fmt: skip
    elif waiting:
        steps.append(Step("waiting", WAITING))
    return steps


def _choice_step(conf: Any, chosen: bool, now: datetime) -> Step | None:
    """The workshop step: choose (before the deadline), wait for the allocation, see the seats."""
    if conf.allocation_mode != "preferences":
        return Step("book", CURRENT, endpoint="seats.my_seats")
    if conf.allocation_published_at is not None:
        return Step("seats", CURRENT, endpoint="seats.my_seats")
    opens, closes = conf.choice_opens_at, conf.choice_closes_at
    if opens is None or closes is None:
        return None
    if now < opens:
        return Step("choose_later", LATER, when=opens, until=closes)
    if now < closes:
        if chosen:
            return Step("chosen", DONE, until=closes, endpoint="seats.choices")
        return Step("choose", CURRENT, until=closes, endpoint="seats.choices")
    return Step("allocating" if chosen else "missed", WAITING, when=closes)


def next_steps(
    conf: Any,
    *,
    status: str,
    mode: str,
    waiting: bool = False,
    offer_until: datetime | None = None,
    facts: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> list[Step]:
    """The task list of a person in this state (a canceled registration has none)."""
    if status == "applied":  # waiting for the venue draw, following online meanwhile
        return [
            Step("applied", WAITING, when=conf.draw_at),
            Step("online", LATER, when=conf.starts_at, endpoint="streaming.now"),
        ]
    if status not in ("registered", "waitlisted"):
        return []
    now = now or utcnow()
    facts = facts or {}
    steps = _registration_steps(status, mode, waiting, offer_until)
    if status == "registered" and not offer_until:
        choice = _choice_step(conf, bool(facts.get("choices_made")), now)
        if choice is not None:
            steps.append(choice)
    if status == "registered" and mode == "onsite":
        steps.append(Step("ticket", LATER, when=conf.starts_at, anchor="ticket-titel"))
    elif status == "registered":
        steps.append(Step("online", LATER, when=conf.starts_at, endpoint="streaming.now"))
    return steps


def steps_for(reg: Registration, now: datetime | None = None) -> list[Step]:
    """The task list of a registration, with the facts the higher packages add."""
    facts: dict[str, Any] = {}
    for answer in hooks.collect(hooks.next_step_facts, reg):
        facts.update(answer)
    offer = reg.venue_offer_expires_at if reg.holds_venue_place else None
    return next_steps(
        reg.conference,
        status=reg.status,
        mode=reg.mode,
        waiting=reg.venue_waitlisted_at is not None and not reg.holds_venue_place,
        offer_until=offer,
        facts=facts,
        now=now,
    )
