"""Baselines and a realistic instance generator for the seat allocation.

First come, first served and random serial dictatorship are what ticketing tools do; the
benchmark and the tests compare `engine.allocate` against them. The generator makes
instances shaped like the 2022 programme with Zipf-skewed popularity.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from sessions.seats.allocation.model import Applicant, Model, Option, Problem, Result, lottery


def first_come_first_served(problem: Problem, order: list[int]) -> Result:
    """Baseline: in `order` (person ids; others last), each takes their best free choices."""
    rank = {pid: k for k, pid in enumerate(order)}
    people = sorted(problem.applicants, key=lambda a: rank.get(a.person_id, len(rank)))
    return _greedy(Model(problem, people), "first come, first served")


def serial_dictatorship(problem: Problem, seed: int) -> Result:
    """Baseline: random serial dictatorship, the greedy rule in a seeded lottery order."""
    return _greedy(Model(problem, lottery(problem, seed)), "random serial dictatorship")


def _greedy(m: Model, method: str) -> Result:
    """Each person in order takes, block by block, the best option that still fits."""
    counts = [Counter[str]() for _ in m.problem.options]
    seats: list[list[int]] = []
    for i, a in enumerate(m.order):
        mine: list[int] = []
        for b in range(m.nb):
            busy = {x for o in mine for x in m.blocks[o]}
            if b in busy:
                continue
            fill = [o for o in m.prefs[i][b] if o not in m.ranked[i]]
            # "Nearest" free seat for fill-ins: the one with most room left, to spread people.
            fill.sort(key=lambda o: counts[o].total() - m.caps[o])
            for o in [o for o in m.prefs[i][b] if o in m.ranked[i]] + fill:
                ok = busy.isdisjoint(m.blocks[o]) and m.acts[o] not in {m.acts[x] for x in mine}
                if ok and m.fits(o, counts[o], a.profile):
                    mine.append(o)
                    counts[o][a.profile] += 1
                    break
        seats.append(mine)
    return m.result(seats, method)


# The 2022 programme per block: nine workshops (seats below) and nine visits of 15-25 seats.
WORKSHOP_SEATS = (250, 200, 150, 120, 100, 100, 80, 60, 60)
PROFILES = {
    "practitioner": 0.55,
    "manager": 0.15,
    "student": 0.10,
    "volunteer": 0.08,
    "academic": 0.07,
    "experience_expert": 0.05,
}


def generate_instance(
    n_attendees: int,
    seed: int,
    *,
    n_blocks: int = 2,
    choices: int = 5,
    zipf_exponent: float = 1.0,
    seats_per_attendee: float = 0.8,
    practitioner_quota: float = 0.0,
    repeated_workshops: int = 0,
    fill_unranked: bool = False,
) -> Problem:
    """A realistic synthetic instance modelled on the 2022 programme (seeded)."""
    rng = np.random.default_rng(seed)
    blocks = list(range(1, n_blocks + 1))
    # Drafts: [activity id, blocks, base seats, theme, is workshop].
    drafts: list[tuple[int, tuple[int, ...], int, int, bool]] = []
    n_span = int(rng.integers(1, 3)) if n_blocks > 1 else 0  # one or two long walks
    for k, b in enumerate(blocks):
        for w, seats in enumerate(WORKSHOP_SEATS):
            repeat = k > 0 and w >= len(WORKSHOP_SEATS) - repeated_workshops
            aid = 100 + w if repeat else 100 * (k + 1) + w  # a repeat reuses block 1's id
            theme = (w if repeat else 9 * k + w) % 6 + 1  # three workshops per theme
            drafts.append((aid, (b,), seats, theme, True))
        for v in range(9 - n_span):
            drafts.append((1000 + 100 * k + v, (b,), int(rng.integers(15, 26)), 0, False))
    for v in range(n_span):
        drafts.append((9000 + v, tuple(blocks[:2]), int(rng.integers(15, 26)), 0, False))
    drafts = [(a, bs, s, t or int(rng.integers(1, 7)), w) for a, bs, s, t, w in drafts]
    # Scale every capacity so that seats per block ~ seats_per_attendee x attendees.
    per_block = sum(s * len(bs) for _, bs, s, _, _ in drafts) / n_blocks
    scale = seats_per_attendee * n_attendees / per_block
    options = []
    for aid, bs, s, theme, workshop in drafts:
        cap = max(1, round(s * scale))
        quota = int(practitioner_quota * cap) if workshop else 0
        options.append(Option(aid, bs, cap, theme, {"practitioner": quota} if quota else {}))
    names = list(PROFILES)
    profiles = rng.choice(names, size=n_attendees, p=np.array(list(PROFILES.values())))
    rankings: list[dict[int, list[int]]] = [{} for _ in range(n_attendees)]
    for b in blocks:
        here = [o for o in options if b in o.block_ids]
        # Zipf popularity, loosely following room size (organisers guess demand, imperfectly).
        score = np.log([o.capacity or 1 for o in here]) + rng.normal(0, 1.0, len(here))
        weight = np.empty(len(here))
        weight[np.argsort(-score)] = 1.0 / np.arange(1, len(here) + 1) ** zipf_exponent
        # Ranking by Plackett-Luce = top-k of Gumbel-perturbed log weights, vectorised.
        keys = np.log(weight) + rng.gumbel(size=(n_attendees, len(here)))
        top = np.argsort(-keys, axis=1)[:, : min(choices, len(here))]
        ids = np.array([o.activity_id for o in here])
        for person, row in enumerate(ids[top].tolist()):
            rankings[person][b] = row
    applicants = [Applicant(k + 1, str(profiles[k]), rankings[k]) for k in range(n_attendees)]
    return Problem(options, applicants, blocks, fill_unranked=fill_unranked)
