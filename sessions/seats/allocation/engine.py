"""Seat allocation for the preference round: optimal, fair and reproducible.

A pure module (no Flask, no database): the sessions services turn rows into a `Problem`, call
`allocate()`, let organisers review the `Result`, then write the seats.

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

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np
from ortools.graph.python import min_cost_flow

# Block re-optimisation rounds after the first pass; in practice 1-3 rounds reach a fixed point.
MAX_ROUNDS = 8


@dataclass(frozen=True)
class Option:
    """An activity run that occupies one or more blocks, with optional profile reservations."""

    activity_id: int
    block_ids: tuple[int, ...]
    capacity: int | None  # None = unlimited
    theme_id: int | None = None
    quotas: dict[str, int] = field(default_factory=dict)  # profile -> seats reserved

    def __hash__(self) -> int:  # the quotas dict is not hashable; equal options share these
        return hash((self.activity_id, self.block_ids))


@dataclass(frozen=True)
class Applicant:
    """A person with a ranking per block: block_id -> activity ids, best first."""

    person_id: int
    profile: str
    ranking: dict[int, list[int]]

    def __hash__(self) -> int:  # the ranking dict is not hashable
        return hash(self.person_id)


@dataclass
class Problem:
    """Everything the allocation needs: options, applicants, blocks and the cost model."""

    options: list[Option]
    applicants: list[Applicant]
    blocks: list[int]
    rank_costs: tuple[int, ...] = (0, 1, 3, 7, 15)
    unranked_cost: int = 40
    no_seat_cost: int = 100
    nothing_ranked_penalty: int = 200
    fill_unranked: bool = False


@dataclass
class Stats:
    """Key figures of an allocation; shares are fractions in [0, 1]."""

    assigned: int  # person-blocks with a seat
    unassigned: int  # person-blocks without a seat although the person ranked something there
    first_choice_share: float  # of person-blocks with a ranking
    top3_share: float
    none_of_choices_share: float  # of persons who ranked something: got nothing they ranked
    mean_rank: float  # over person-blocks seated in a ranked activity
    worst_rank: int
    per_profile: dict[str, Stats] = field(default_factory=dict)


@dataclass
class Result:
    """An allocation: person_id -> block_id -> activity_id, with its objective and figures."""

    assignment: dict[int, dict[int, int]]
    objective: int
    stats: Stats
    method: str
    lower_bound: float | None = None  # proven bound on the optimum (exact solver only)


class _Model:
    """The problem indexed for solving: options by block, candidate seats and their costs."""

    def __init__(self, problem: Problem, order: list[Applicant]) -> None:
        p = self.problem = problem
        self.order = order
        bidx = {b: k for k, b in enumerate(problem.blocks)}
        if len(bidx) != len(problem.blocks):
            raise ValueError("duplicate block ids")
        self.nb = len(bidx)
        self.blocks: list[tuple[int, ...]] = []
        self.run: dict[tuple[int, int], int] = {}  # (block index, activity id) -> option index
        self.by_block: list[list[int]] = [[] for _ in range(self.nb)]
        for o, opt in enumerate(problem.options):
            if not opt.block_ids or any(b not in bidx for b in opt.block_ids):
                raise ValueError(f"activity {opt.activity_id}: unknown or no blocks")
            bs = tuple(sorted({bidx[b] for b in opt.block_ids}))
            self.blocks.append(bs)
            for b in bs:
                if (b, opt.activity_id) in self.run:
                    raise ValueError(f"activity {opt.activity_id} twice in one block")
                self.run[b, opt.activity_id] = o
                self.by_block[b].append(o)
            if opt.capacity is not None and sum(opt.quotas.values()) > opt.capacity:
                raise ValueError(f"activity {opt.activity_id}: quotas exceed capacity")
        self.acts = [opt.activity_id for opt in problem.options]
        n = len(order)
        self.caps = [n if opt.capacity is None else opt.capacity for opt in problem.options]
        # cand[i][o] = ((block, cost, rank), ...) for each block o occupies; rank 0 = unranked.
        self.cand: list[dict[int, tuple[tuple[int, int, int], ...]]] = []
        self.cand_in: list[list[list[int]]] = []  # per block: candidate options touching it
        self.seat_cost: list[dict[int, int]] = []  # candidate option -> its cost, all blocks
        self.look: list[list[list[tuple[int, bool, int]]]] = []  # block -> (cost, unranked, o)
        # (person, block, fixed seats) -> flow arcs (option, head node, cost), see _solve_block
        self.memo: dict[tuple[int, int, tuple[int, ...]], list[tuple[int, int, int]]] = {}
        self.ranked: list[set[int]] = []  # options the person ranked (in any block)
        self.rblocks: list[frozenset[int]] = []  # blocks where the person ranked something
        self.prefs: list[list[list[int]]] = []  # per block: ranked options, then fill-ins
        applicants: defaultdict[str, Counter[int]] = defaultdict(Counter)  # profile -> option
        quotas = any(opt.quotas for opt in problem.options)
        rc = p.rank_costs
        for a in order:
            pos: dict[int, dict[int, int]] = {}  # option -> block -> position
            prefs: list[list[int]] = [[] for _ in range(self.nb)]
            for b_id, acts in a.ranking.items():
                if b_id not in bidx:
                    raise ValueError(f"person {a.person_id}: unknown block {b_id}")
                if len(acts) > len(rc) or len(set(acts)) != len(acts):
                    raise ValueError(f"person {a.person_id}: ranking too long or repeated")
                b = bidx[b_id]
                for k, act in enumerate(acts):
                    if (b, act) not in self.run:
                        raise ValueError(f"person {a.person_id}: {act} not held in block {b_id}")
                    o = self.run[b, act]
                    pos.setdefault(o, {})[b] = k
                    prefs[b].append(o)
            rblocks = frozenset(b for b in range(self.nb) if prefs[b])
            cand: dict[int, tuple[tuple[int, int, int], ...]] = {}
            for o, where in pos.items():
                best = min(where.values())
                # A spanning seat ranked in one block stands in for the other blocks too: the
                # person chose the long walk knowing it takes the afternoon.
                cand[o] = tuple(
                    (b, rc[where[b]], where[b] + 1)
                    if b in where
                    else ((b, 0, 0) if b not in rblocks else (b, rc[best], best + 1))
                    for b in self.blocks[o]
                )
            ranked = set(cand)
            if p.fill_unranked:
                for b in rblocks:
                    theme = problem.options[prefs[b][0]].theme_id
                    for o in self.by_block[b] if theme is not None else ():
                        opt = problem.options[o]
                        if o not in cand and opt.theme_id == theme and len(self.blocks[o]) == 1:
                            cand[o] = ((b, p.unranked_cost, 0),)
                            prefs[b].append(o)
            if quotas:
                applicants[a.profile].update(ranked)
            per_block: list[list[int]] = [[] for _ in range(self.nb)]
            for o in cand:
                for b in self.blocks[o]:
                    per_block[b].append(o)
            self.cand_in.append(per_block)
            # Later-block seats by cost, for the first pass's optimistic lookahead.
            self.look.append(
                [
                    sorted(
                        (c, o not in ranked, o)
                        for o in per_block[b]
                        if self.caps[o] > 0
                        for x, c, _ in cand[o]
                        if x == b
                    )
                    for b in range(self.nb)
                ]
            )
            self.seat_cost.append({o: sum(c for _, c, _ in parts) for o, parts in cand.items()})
            self.cand.append(cand)
            self.ranked.append(ranked)
            self.rblocks.append(rblocks)
            self.prefs.append(prefs)
        # Reserved seats shrink to the number of such applicants: the rest is released.
        self.reserved: list[dict[str, int]] = [
            {
                prof: min(q, applicants[prof][o])
                for prof, q in opt.quotas.items()
                if q > 0 and opt.capacity is not None and applicants[prof][o]
            }
            for o, opt in enumerate(problem.options)
        ]

    def cost(self, i: int, seats: list[int], undecided: frozenset[int] = frozenset()) -> int:
        """The objective share of person i holding `seats`, later blocks priced optimistically."""
        p, seat_cost = self.problem, self.seat_cost[i]
        total, covered, got_ranked = 0, set(), False
        for o in seats:
            total += seat_cost.get(o, p.unranked_cost * len(self.blocks[o]))
            covered.update(self.blocks[o])
            got_ranked = got_ranked or o in self.ranked[i]
        for b in self.rblocks[i]:
            if b in covered:
                continue
            if b not in undecided:
                total += p.no_seat_cost
                continue
            # A later pass decides this block: count the best seat still compatible with
            # `seats` (ignoring others), so taking a run now prices in losing its repeat later.
            acts = {self.acts[o] for o in seats}
            extra = p.no_seat_cost
            for c, unranked, o in self.look[i][b]:
                if covered.isdisjoint(self.blocks[o]) and self.acts[o] not in acts:
                    extra = min(extra, c)
                    if not unranked:
                        got_ranked = True
                        break
            total += extra
        if self.rblocks[i] and not got_ranked:
            total += p.nothing_ranked_penalty
        return total

    def fits(self, o: int, counts: Counter[str], profile: str) -> bool:
        """Whether one more person of `profile` fits in option o given its reserved seats."""
        reserved = self.reserved[o]
        after = counts.copy()
        after[profile] += 1
        if not reserved:
            return after.total() <= self.caps[o]
        # Others use only the open part; a profile spills into it beyond its reserved seats.
        spill = sum(max(0, after[q] - r) for q, r in reserved.items())
        others = after.total() - sum(after[q] for q in reserved)
        return others + spill <= self.caps[o] - sum(reserved.values())

    def seats_of(self, assignment: dict[int, dict[int, int]]) -> list[list[int]]:
        """Option indices held by each person of `order`."""
        bidx = {b: k for k, b in enumerate(self.problem.blocks)}
        out = []
        for a in self.order:
            mine = assignment.get(a.person_id, {})
            if any((bidx.get(b), act) not in self.run for b, act in mine.items()):
                raise ValueError(f"person {a.person_id}: activity not held in that block")
            out.append(sorted({self.run[bidx[b], act] for b, act in mine.items()}))
        return out

    def result(self, seats: list[list[int]], method: str, bound: float | None = None) -> Result:
        """Package seats (indexed like `order`) as a Result in applicant order."""
        by_id = {a.person_id: s for a, s in zip(self.order, seats, strict=True)}
        bl = self.problem.blocks
        assignment = {
            a.person_id: {bl[b]: self.acts[o] for o in by_id[a.person_id] for b in self.blocks[o]}
            for a in self.problem.applicants
        }
        total = sum(self.cost(i, s) for i, s in enumerate(seats))
        return Result(assignment, total, _stats(self, seats), method, bound)


def _stats(m: _Model, seats: list[list[int]]) -> Stats:
    """Key figures overall and per profile."""
    groups: dict[str, list[int]] = {}
    for i, a in enumerate(m.order):
        groups.setdefault(a.profile, []).append(i)
    overall = _figures(m, seats, range(len(m.order)))
    overall.per_profile = {k: _figures(m, seats, v) for k, v in sorted(groups.items())}
    return overall


def _figures(m: _Model, seats: list[list[int]], people: range | list[int]) -> Stats:
    """Key figures for a group of persons (indices into `order`)."""
    assigned = unassigned = asked = first = top3 = persons = nothing = 0
    ranks: list[int] = []
    for i in people:
        by_block = {b: r for o in seats[i] for b, _, r in m.cand[i].get(o, ())}
        assigned += sum(len(m.blocks[o]) for o in seats[i])
        if m.rblocks[i]:
            persons += 1
            nothing += not any(o in m.ranked[i] for o in seats[i])
        for b in m.rblocks[i]:
            asked += 1
            r = by_block.get(b)
            unassigned += r is None
            if r:
                ranks.append(r)
                first += r == 1
                top3 += r <= 3
    return Stats(
        assigned=assigned,
        unassigned=unassigned,
        first_choice_share=first / asked if asked else 0.0,
        top3_share=top3 / asked if asked else 0.0,
        none_of_choices_share=nothing / persons if persons else 0.0,
        mean_rank=sum(ranks) / len(ranks) if ranks else 0.0,
        worst_rank=max(ranks, default=0),
    )


def _lottery(problem: Problem, seed: int) -> list[Applicant]:
    """Applicants in a seeded random order: ties go by lottery, not registration time."""
    order = list(problem.applicants)
    random.Random(seed).shuffle(order)
    return order


def _solve_block(m: _Model, seats: list[list[int]], b: int, undecided: frozenset[int]) -> int:
    """Re-seat all seats touching block b optimally, other seats fixed; returns the gain."""
    sink = len(m.order)  # person i is node i; option nodes follow the sink
    nodes: dict[tuple[int, str], int] = {}  # (option, "" = open part | reserved profile) -> node
    for o in m.by_block[b]:
        nodes[o, ""] = sink + 1 + len(nodes)
        for prof in m.reserved[o]:
            nodes[o, prof] = sink + 1 + len(nodes)
    rows: list[tuple[int, int, int]] = []  # (option or -1 for no seat, head node, cost)
    people: list[int] = []
    counts: list[int] = []
    fixed_of: dict[int, list[int]] = {}
    before = 0  # current cost of the people in this subproblem
    for i, mine in enumerate(seats):
        if not m.cand_in[i][b]:
            continue
        fixed = [o for o in mine if b not in m.blocks[o]]
        key = (i, b, tuple(fixed))
        arcs = None if undecided else m.memo.get(key)
        if arcs is None:
            busy = {x for o in fixed for x in m.blocks[o]}
            acts = {m.acts[o] for o in fixed}
            prof = m.order[i].profile
            arcs = [(-1, sink, m.cost(i, fixed, undecided))]
            for o in m.cand_in[i][b]:
                if busy.isdisjoint(m.blocks[o]) and m.acts[o] not in acts:
                    c = m.cost(i, [*fixed, o], undecided)
                    arcs.append((o, nodes[o, ""], c))
                    if prof in m.reserved[o]:  # a reserved seat is a second, parallel arc
                        arcs.append((o, nodes[o, prof], c))
            if not undecided:  # exact costs only depend on the fixed seats: reuse them
                m.memo[key] = arcs
        if len(arcs) == 1:
            continue
        here = next((o for o in mine if b in m.blocks[o]), -1)
        before += next(c for o, _, c in arcs if o == here)
        rows += arcs
        people.append(i)
        counts.append(len(arcs))
        fixed_of[i] = fixed
    if not people:
        return 0
    arr = np.array(rows, dtype=np.int64).reshape(-1, 3)
    tails = np.repeat(np.array(people, dtype=np.int64), counts)
    pos = np.array([(node, o, part) for (o, part), node in nodes.items()], dtype=object)
    room = [m.reserved[o][p] if p else m.caps[o] - sum(m.reserved[o].values()) for _, o, p in pos]
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        np.concatenate([tails, pos[:, 0].astype(np.int64)]),
        np.concatenate([arr[:, 1], np.full(len(pos), sink)]),
        np.concatenate([np.ones(len(arr), dtype=np.int64), np.array(room, dtype=np.int64)]),
        np.concatenate([arr[:, 2], np.zeros(len(pos), dtype=np.int64)]),
    )
    supplies = np.zeros(sink + 1 + len(nodes), dtype=np.int64)
    supplies[people] = 1
    supplies[sink] = -len(people)
    flow.set_nodes_supplies(np.arange(len(supplies)), supplies)
    if flow.solve() != flow.OPTIMAL:  # cannot happen: the no-seat arcs keep it feasible
        raise RuntimeError("min-cost flow failed")
    chosen = np.flatnonzero(flow.flows(np.arange(len(arr))))  # one arc per person
    for i, o in zip(tails[chosen].tolist(), arr[chosen, 0].tolist(), strict=True):
        seats[i] = fixed_of[i] if o < 0 else [*fixed_of[i], o]
    return before - flow.optimal_cost()


def allocate(problem: Problem, seed: int) -> Result:
    """Fast near-optimal allocation: exact min-cost flow per block, re-optimised in rounds."""
    m = _Model(problem, _lottery(problem, seed))
    return m.result(_fast(m), "min-cost flow per block")


def _fast(m: _Model) -> list[list[int]]:
    """Seats from the fast path (see allocate)."""
    # Two starts, blocks forwards and backwards: the order decides which coupled choices
    # (repeats, long walks) the first pass commits to; the better local optimum wins.
    forward = list(range(m.nb))
    starts = [forward, forward[::-1]] if m.nb > 1 else [forward]
    return min((_descend(m, order) for order in starts), key=lambda cs: cs[0])[1]


def _descend(m: _Model, order: list[int]) -> tuple[int, list[list[int]]]:
    """First pass over the blocks in `order`, then block re-optimisation to a fixed point."""
    seats: list[list[int]] = [[] for _ in m.order]
    # Blocks still to come are priced optimistically (best compatible seat), so the
    # nothing-ranked penalty bites in the last block each person ranked in.
    for k, b in enumerate(order):
        _solve_block(m, seats, b, frozenset(order[k + 1 :]))
    best = sum(m.cost(i, s) for i, s in enumerate(seats))
    # Then each block again with all other seats fixed: each step is an exact flow on a
    # neighbourhood containing the current solution, so the objective never rises. The block
    # solved last is already optimal given the others, so stop after nb - 1 idle solves.
    idle = 0
    for step in range(MAX_ROUNDS * m.nb if m.nb > 1 else 0):
        gain = _solve_block(m, seats, order[step % m.nb], frozenset())
        best -= gain
        idle = idle + 1 if gain <= 0 else 0
        if idle >= m.nb - 1:
            break
    return best, seats


def solve_exact(problem: Problem, seed: int, time_limit: float | None = None) -> Result:
    """The joint 0-1 program over all blocks (HiGHS); optimal unless the time limit hits."""
    from sessions.seats.allocation.milp import solve_milp

    return solve_milp(_Model(problem, _lottery(problem, seed)), time_limit)


def objective(problem: Problem, assignment: dict[int, dict[int, int]]) -> int:
    """The shared objective of any assignment (lower is better); seats need not be valid."""
    m = _Model(problem, list(problem.applicants))
    return sum(m.cost(i, s) for i, s in enumerate(m.seats_of(assignment)))


def validate(problem: Problem, assignment: dict[int, dict[int, int]]) -> list[str]:
    """Every constraint the assignment violates, as readable messages (empty = valid)."""
    m = _Model(problem, list(problem.applicants))
    errors: list[str] = []
    bidx = {b: k for k, b in enumerate(problem.blocks)}
    known = {a.person_id for a in problem.applicants}
    errors += [f"unknown person {pid}" for pid in assignment if pid not in known]
    counts = [Counter[str]() for _ in problem.options]
    for i, a in enumerate(m.order):
        mine = assignment.get(a.person_id, {})
        held: set[int] = set()
        for b_id, act in mine.items():
            if b_id not in bidx or (bidx[b_id], act) not in m.run:
                errors.append(f"person {a.person_id}: activity {act} not held in block {b_id}")
                continue
            held.add(m.run[bidx[b_id], act])
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
