"""The draw itself: a pure function from the applications, places and seed to the result.

No database and no clock: the same input always gives the same output, so anyone can re-run a
published draw (`registration/draw/verify.py`). The lottery order is the SHA-256 of the seed and
the application number. Places kept per profile (the quotas) are filled first in lottery order;
where organisation caps make that a puzzle, a small flow search (augmenting paths between
profiles and organisations) still meets every quota that can be met. The other places go in
lottery order, the organisation cap always holding; everyone else waits, in lottery order.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict, deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

# Applications without an organisation (or a draw without a cap) count under no cap.
FREE = ""


@dataclass(frozen=True)
class Applicant:
    """One application: its number, the profile and the organisation key (None: none given)."""

    number: int
    profile: str
    organisation: str | None = None


@dataclass(frozen=True)
class DrawInput:
    """Everything the draw depends on; published after the draw so it can be re-run."""

    seed: int
    places: int
    applicants: Sequence[Applicant]
    quotas: Mapping[str, int] = field(default_factory=dict)
    organisation_cap: int | None = None
    # Places an organisation already holds outside the draw (they count against the cap).
    taken_per_organisation: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class DrawResult:
    """The application numbers that got a place and the waiting list, both in lottery order."""

    drawn: tuple[int, ...]
    waitlist: tuple[int, ...]


def lottery_key(seed: int, number: int) -> str:
    """The lottery rank of an application: lower goes first."""
    return hashlib.sha256(f"{seed}:{number}".encode()).hexdigest()


def quota_places(shares: Mapping[str, float], capacity: int) -> dict[str, int]:
    """Places kept per profile: the share of the capacity, rounded down."""
    return {p: int(share * capacity + 1e-9) for p, share in shares.items() if share > 0}


def _organisation(draw: DrawInput, person: Applicant) -> str:
    if draw.organisation_cap is None or not person.organisation:
        return FREE
    return person.organisation


def _room(draw: DrawInput, ordered: Sequence[Applicant]) -> dict[str, float]:
    """Places each organisation may still get (FREE: no limit)."""
    room: dict[str, float] = {FREE: float("inf")}
    for person in ordered:
        org = _organisation(draw, person)
        if org not in room:
            taken = draw.taken_per_organisation.get(org, 0)
            room[org] = max((draw.organisation_cap or 0) - taken, 0)
    return room


def _augment(start: str, pairs: Mapping[str, Mapping[str, int]], flow, room) -> bool:
    """One more quota place for `start` by moving places between profiles; False if none."""
    came_from: dict[tuple[str, str], tuple[str, str] | None] = {("p", start): None}
    queue = deque([("p", start)])
    while queue:
        kind, node = queue.popleft()
        if kind == "p":
            steps = [("o", o) for o, n in pairs[node].items() if flow[node, o] < n]
        elif room[node] > 0:
            # A free place at this organisation: walk the path back and shift the flow.
            room[node] -= 1
            here: tuple[str, str] | None = (kind, node)
            while came_from[here] is not None:
                prev = came_from[here]
                if here[0] == "o":
                    flow[prev[1], here[1]] += 1
                else:
                    flow[here[1], prev[1]] -= 1
                here = prev
            return True
        else:
            steps = [("p", p) for p in pairs if flow[p, node] > 0]
        for step in steps:
            if step not in came_from:
                came_from[step] = (kind, node)
                queue.append(step)
    return False


def _quota_flow(draw: DrawInput, ordered: Sequence[Applicant], room) -> Counter:
    """How many quota places go to each (profile, organisation): greedy, then augmented."""
    need = {p: n for p, n in draw.quotas.items() if n > 0}
    pairs: dict[str, dict[str, int]] = defaultdict(dict)
    flow: Counter = Counter()
    total = 0
    for person in ordered:
        org = _organisation(draw, person)
        if person.profile not in need:
            continue
        pairs[person.profile][org] = pairs[person.profile].get(org, 0) + 1
        if need[person.profile] > 0 and room[org] > 0 and total < draw.places:
            flow[person.profile, org] += 1
            need[person.profile] -= 1
            room[org] -= 1
            total += 1
    for profile in need:
        while need[profile] > 0 and total < draw.places and _augment(profile, pairs, flow, room):
            need[profile] -= 1
            total += 1
    return flow


def run_draw(draw: DrawInput) -> DrawResult:
    """Draw the places: quotas first, then the rest, organisation caps always; the rest waits."""
    ordered = sorted(draw.applicants, key=lambda a: (lottery_key(draw.seed, a.number), a.number))
    room = _room(draw, ordered)
    flow = _quota_flow(draw, ordered, room)
    chosen: set[int] = set()
    for person in ordered:  # the quota places, first in lottery order within each pair
        pair = (person.profile, _organisation(draw, person))
        if flow[pair] > 0:
            flow[pair] -= 1
            chosen.add(person.number)
    for person in ordered:
        if len(chosen) >= draw.places:
            break
        org = _organisation(draw, person)
        if person.number not in chosen and room[org] > 0:
            room[org] -= 1
            chosen.add(person.number)
    drawn = tuple(a.number for a in ordered if a.number in chosen)
    waitlist = tuple(a.number for a in ordered if a.number not in chosen)
    return DrawResult(drawn=drawn, waitlist=waitlist)


def to_record(inp: DrawInput, result: DrawResult) -> dict[str, Any]:
    """Everything the public page shows: the input (no names) and the result."""
    return {
        "seed": str(inp.seed),
        "places": inp.places,
        "quotas": dict(inp.quotas),
        "organisation_cap": inp.organisation_cap,
        "taken_per_organisation": dict(inp.taken_per_organisation),
        "applicants": [[a.number, a.profile, a.organisation] for a in inp.applicants],
        "drawn": list(result.drawn),
        "waitlist": list(result.waitlist),
    }


def from_record(record: dict[str, Any]) -> DrawInput:
    """The draw's input from a published record (the public page's JSON)."""
    return DrawInput(
        seed=int(record["seed"]),
        places=int(record["places"]),
        applicants=tuple(Applicant(int(n), p, o) for n, p, o in record["applicants"]),
        quotas={p: int(n) for p, n in record["quotas"].items()},
        organisation_cap=record["organisation_cap"],
        taken_per_organisation={k: int(v) for k, v in record["taken_per_organisation"].items()},
    )
