"""The allocation problem, its result, and the model both solvers index it into.

Pure (no Flask, no database). `engine` (the fast path and the public entry points) and `milp`
(the exact program) both build on `Model`; see `engine` for the shared objective.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field

# A seat's parts: (block index, cost, rank) per block it occupies; rank 0 = unranked.
Parts = tuple[tuple[int, int, int], ...]


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
    proven_optimal: bool = False  # HiGHS proved this assignment optimal


def lottery(problem: Problem, seed: int) -> list[Applicant]:
    """Applicants in a seeded random order: ties go by lottery, not registration time."""
    order = list(problem.applicants)
    random.Random(seed).shuffle(order)
    return order


class Model:
    """The problem indexed for solving: options by block, candidate seats and their costs."""

    def __init__(self, problem: Problem, order: list[Applicant]) -> None:
        self.problem = problem
        self.order = order
        self.bidx = {b: k for k, b in enumerate(problem.blocks)}
        if len(self.bidx) != len(problem.blocks):
            raise ValueError("duplicate block ids")
        self.nb = len(self.bidx)
        self.blocks: list[tuple[int, ...]] = []  # option -> block indices it occupies
        self.run: dict[tuple[int, int], int] = {}  # (block index, activity id) -> option index
        self.by_block: list[list[int]] = [[] for _ in range(self.nb)]
        self._index_options()
        self.acts = [opt.activity_id for opt in problem.options]
        n = len(order)
        self.caps = [n if opt.capacity is None else opt.capacity for opt in problem.options]
        self.cand: list[dict[int, Parts]] = []  # per person: candidate option -> its parts
        self.cand_in: list[list[list[int]]] = []  # per block: candidate options touching it
        self.seat_cost: list[dict[int, int]] = []  # candidate option -> its cost, all blocks
        self.look: list[list[list[tuple[int, bool, int]]]] = []  # block -> (cost, unranked, o)
        # (person, block, fixed seats) -> flow arcs (option, head node, cost), see flow.py
        self.memo: dict[tuple[int, int, tuple[int, ...]], list[tuple[int, int, int]]] = {}
        self.ranked: list[set[int]] = []  # options the person ranked (in any block)
        self.rblocks: list[frozenset[int]] = []  # blocks where the person ranked something
        self.prefs: list[list[list[int]]] = []  # per block: ranked options, then fill-ins
        wanted: defaultdict[str, Counter[int]] = defaultdict(Counter)  # profile -> option
        quotas = any(opt.quotas for opt in problem.options)
        for a in order:
            ranked = self._add_applicant(a)
            if quotas:
                wanted[a.profile].update(ranked)
        # Reserved seats shrink to the number of such applicants: the rest is released.
        self.reserved: list[dict[str, int]] = [
            {
                prof: min(q, wanted[prof][o])
                for prof, q in opt.quotas.items()
                if q > 0 and opt.capacity is not None and wanted[prof][o]
            }
            for o, opt in enumerate(problem.options)
        ]

    def _index_options(self) -> None:
        """Each option's blocks, and the options held in each block (checked for sense)."""
        for o, opt in enumerate(self.problem.options):
            if not opt.block_ids or any(b not in self.bidx for b in opt.block_ids):
                raise ValueError(f"activity {opt.activity_id}: unknown or no blocks")
            bs = tuple(sorted({self.bidx[b] for b in opt.block_ids}))
            self.blocks.append(bs)
            for b in bs:
                if (b, opt.activity_id) in self.run:
                    raise ValueError(f"activity {opt.activity_id} twice in one block")
                self.run[b, opt.activity_id] = o
                self.by_block[b].append(o)
            if opt.capacity is not None and sum(opt.quotas.values()) > opt.capacity:
                raise ValueError(f"activity {opt.activity_id}: quotas exceed capacity")

    def _add_applicant(self, a: Applicant) -> set[int]:
        """Index one person's candidate seats and costs; the options they ranked."""
        pos, prefs = self._positions(a)
        rblocks = frozenset(b for b in range(self.nb) if prefs[b])
        cand = self._ranked_parts(pos, rblocks)
        ranked = set(cand)
        if self.problem.fill_unranked:
            self._fill_in(cand, prefs, rblocks)
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
        return ranked

    def _positions(self, a: Applicant) -> tuple[dict[int, dict[int, int]], list[list[int]]]:
        """option -> block -> place in the ranking, and the ranked options per block."""
        rc = self.problem.rank_costs
        pos: dict[int, dict[int, int]] = {}
        prefs: list[list[int]] = [[] for _ in range(self.nb)]
        for b_id, acts in a.ranking.items():
            if b_id not in self.bidx:
                raise ValueError(f"person {a.person_id}: unknown block {b_id}")
            if len(acts) > len(rc) or len(set(acts)) != len(acts):
                raise ValueError(f"person {a.person_id}: ranking too long or repeated")
            b = self.bidx[b_id]
            for k, act in enumerate(acts):
                if (b, act) not in self.run:
                    raise ValueError(f"person {a.person_id}: {act} not held in block {b_id}")
                o = self.run[b, act]
                pos.setdefault(o, {})[b] = k
                prefs[b].append(o)
        return pos, prefs

    def _ranked_parts(
        self, pos: dict[int, dict[int, int]], rblocks: frozenset[int]
    ) -> dict[int, Parts]:
        """The ranked candidate seats, with their cost and rank in every block they occupy."""
        rc = self.problem.rank_costs
        cand: dict[int, Parts] = {}
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
        return cand

    def _fill_in(
        self, cand: dict[int, Parts], prefs: list[list[int]], rblocks: frozenset[int]
    ) -> None:
        """Unranked one-block seats of the theme of the person's first choice, at a high cost."""
        p = self.problem
        for b in rblocks:
            theme = p.options[prefs[b][0]].theme_id
            for o in self.by_block[b] if theme is not None else ():
                opt = p.options[o]
                if o not in cand and opt.theme_id == theme and len(self.blocks[o]) == 1:
                    cand[o] = ((b, p.unranked_cost, 0),)
                    prefs[b].append(o)

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
        bidx = self.bidx
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
        return Result(assignment, total, stats(self, seats), method, bound)


def stats(m: Model, seats: list[list[int]]) -> Stats:
    """Key figures overall and per profile."""
    groups: dict[str, list[int]] = {}
    for i, a in enumerate(m.order):
        groups.setdefault(a.profile, []).append(i)
    overall = _figures(m, seats, range(len(m.order)))
    overall.per_profile = {k: _figures(m, seats, v) for k, v in sorted(groups.items())}
    return overall


def _figures(m: Model, seats: list[list[int]], people: range | list[int]) -> Stats:
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
