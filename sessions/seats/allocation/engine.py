"""Seat allocation for the preference round: optimal, fair and reproducible.

A pure package (no Flask, no database): the seats services turn rows into a `Problem`, call
`allocate()`, let organisers review the `Result`, then write the seats. This module is its
public face; `model` holds the problem and its index, `flow` the fast path, `milp` the exact one.

Every method shares one objective, so their numbers are comparable:
- a seat costs `rank_costs[r]` for each block it occupies (r = its place in that block's
  ranking). The costs are convex, so lifting someone from 5th to 4th choice is worth more than
  lifting someone else from 2nd to 1st: the worst-off come first;
- an unranked seat (only with `fill_unranked`) costs `unranked_cost`, and no seat in a block
  where the person ranked something costs `no_seat_cost`;
- a person who ranked something but gets nothing they ranked all day costs
  `nothing_ranked_penalty` on top.
An activity held in several blocks is either one `Option` spanning them (one seat occupies the
person in all of them) or several `Option`s with the same `activity_id` (repeated runs; nobody
gets two runs of the same activity).
"""

from __future__ import annotations

from collections import Counter

from sessions.seats.allocation.flow import fast_seats
from sessions.seats.allocation.milp import OPTIMAL, solve_milp
from sessions.seats.allocation.model import (
    Applicant,
    Model,
    Option,
    Problem,
    Result,
    Stats,
    lottery,
)

HEURISTIC = "min-cost flow per block"

__all__ = [
    "OPTIMAL",
    "Applicant",
    "Option",
    "Problem",
    "Result",
    "Stats",
    "allocate",
    "allocate_best",
    "objective",
    "solve_exact",
    "validate",
]


def allocate(problem: Problem, seed: int) -> Result:
    """Fast near-optimal allocation: exact min-cost flow per block, re-optimised in rounds."""
    m = Model(problem, lottery(problem, seed))
    return m.result(fast_seats(m), HEURISTIC)


def allocate_best(problem: Problem, seed: int, time_limit: float) -> Result:
    """The proven optimum when HiGHS proves it within `time_limit` seconds, else the fast path.

    `Result.proven_optimal` says which; past the limit HiGHS's incumbent is kept only when it
    beats the fast path, so this is never worse than `allocate()`.
    """
    m = Model(problem, lottery(problem, seed))
    if time_limit <= 0:
        return m.result(fast_seats(m), HEURISTIC)
    # The program first: when it is proven (the usual case) the fast path is not needed.
    return solve_milp(m, time_limit)


def solve_exact(problem: Problem, seed: int, time_limit: float | None = None) -> Result:
    """The joint 0-1 program over all blocks (HiGHS); optimal unless the time limit hits."""
    return solve_milp(Model(problem, lottery(problem, seed)), time_limit)


def objective(problem: Problem, assignment: dict[int, dict[int, int]]) -> int:
    """The shared objective of any assignment (lower is better); seats need not be valid."""
    m = Model(problem, list(problem.applicants))
    return sum(m.cost(i, s) for i, s in enumerate(m.seats_of(assignment)))


def validate(problem: Problem, assignment: dict[int, dict[int, int]]) -> list[str]:
    """Every constraint the assignment violates, as readable messages (empty = valid)."""
    m = Model(problem, list(problem.applicants))
    errors: list[str] = []
    known = {a.person_id for a in problem.applicants}
    errors += [f"unknown person {pid}" for pid in assignment if pid not in known]
    counts = [Counter[str]() for _ in problem.options]
    for i, a in enumerate(m.order):
        mine = assignment.get(a.person_id, {})
        held: set[int] = set()
        for b_id, act in mine.items():
            if b_id not in m.bidx or (m.bidx[b_id], act) not in m.run:
                errors.append(f"person {a.person_id}: activity {act} not held in block {b_id}")
                continue
            held.add(m.run[m.bidx[b_id], act])
        for o in sorted(held):
            for b in m.blocks[o]:
                if mine.get(problem.blocks[b]) != m.acts[o]:
                    errors.append(f"person {a.person_id}: activity {m.acts[o]} spans blocks")
            if o not in m.cand[i]:
                errors.append(f"person {a.person_id}: activity {m.acts[o]} not allowed")
            if not m.fits(o, counts[o], a.profile):
                errors.append(f"activity {m.acts[o]}: over capacity or reserved seats")
            counts[o][a.profile] += 1
        for act, n in Counter(m.acts[o] for o in held).items():
            if n > 1:
                errors.append(f"person {a.person_id}: activity {act} twice")
    return errors
