"""The person's task list (registration/journey.py): which steps, in which state."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace

from registration.journey import next_steps

NOW = datetime(2027, 1, 10, 12, 0)


def conf(**values):
    base = {
        "allocation_mode": "preferences",
        "allocation_published_at": None,
        "choice_opens_at": NOW - timedelta(days=1),
        "choice_closes_at": NOW + timedelta(days=1),
        "starts_at": NOW + timedelta(days=10),
    }
    return SimpleNamespace(**(base | values))


def keys(steps) -> list[tuple[str, str]]:
    return [(s.key, s.state) for s in steps]


def test_on_site_in_the_open_round():
    steps = next_steps(conf(), status="registered", mode="onsite", now=NOW)
    assert keys(steps) == [
        ("registered_onsite", "done"), ("choose", "current"), ("ticket", "later"),
    ]  # fmt: skip
    assert steps[1].until == NOW + timedelta(days=1) and steps[1].endpoint == "seats.choices"
    chosen = next_steps(
        conf(), status="registered", mode="onsite", facts={"choices_made": True}, now=NOW
    )
    assert keys(chosen)[1] == ("chosen", "done")


def test_before_after_and_published():
    later = conf(choice_opens_at=NOW + timedelta(days=1), choice_closes_at=NOW + timedelta(days=2))
    assert keys(next_steps(later, status="registered", mode="online", now=NOW)) == [
        ("registered_online", "done"), ("choose_later", "later"), ("online", "later"),
    ]  # fmt: skip
    closed = conf(choice_closes_at=NOW - timedelta(hours=1))
    chose = {"choices_made": True}
    assert keys(next_steps(closed, status="registered", mode="onsite", facts=chose, now=NOW))[
        1
    ] == ("allocating", "waiting")
    assert keys(next_steps(closed, status="registered", mode="onsite", now=NOW))[1] == (
        "missed",
        "waiting",
    )
    published = conf(allocation_published_at=NOW)
    assert keys(next_steps(published, status="registered", mode="onsite", now=NOW))[1] == (
        "seats",
        "current",
    )
    fcfs = conf(allocation_mode="fcfs")
    assert keys(next_steps(fcfs, status="registered", mode="onsite", now=NOW))[1] == (
        "book",
        "current",
    )


def test_waiting_list_and_offers():
    assert keys(next_steps(conf(), status="waitlisted", mode="onsite", now=NOW)) == [
        ("waitlisted", "waiting")
    ]
    until = NOW + timedelta(hours=48)
    offer = next_steps(conf(), status="waitlisted", mode="onsite", offer_until=until, now=NOW)
    assert keys(offer) == [("offer", "current")] and offer[0].until == until
    online_waiting = next_steps(conf(), status="registered", mode="online", waiting=True, now=NOW)
    assert keys(online_waiting) == [
        ("registered_online", "done"), ("waiting", "waiting"), ("choose", "current"),
        ("online", "later"),
    ]  # fmt: skip
    assert next_steps(conf(), status="canceled", mode="onsite", now=NOW) == []
