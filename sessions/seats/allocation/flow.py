"""The fast path: an exact min-cost flow per block, re-optimised block by block in rounds.

Each block's subproblem (every seat touching it re-chosen, other seats fixed) is a flow from
people to option nodes (an open part, plus one node per reserved profile) to a sink.
"""

from __future__ import annotations

import numpy as np
from ortools.graph.python import min_cost_flow

from sessions.seats.allocation.model import Model

# Block re-optimisation rounds after the first pass; in practice 1-3 rounds reach a fixed point.
MAX_ROUNDS = 8

Arc = tuple[int, int, int]  # (option or -1 for no seat, head node, cost)


def fast_seats(m: Model) -> list[list[int]]:
    """Seats from the fast path, indexed like `m.order`."""
    # Two starts, blocks forwards and backwards: the order decides which coupled choices
    # (repeats, long walks) the first pass commits to; the better local optimum wins.
    forward = list(range(m.nb))
    starts = [forward, forward[::-1]] if m.nb > 1 else [forward]
    return min((_descend(m, order) for order in starts), key=lambda cs: cs[0])[1]


def _descend(m: Model, order: list[int]) -> tuple[int, list[list[int]]]:
    """First pass over the blocks in `order`, then block re-optimisation to a fixed point."""
    seats: list[list[int]] = [[] for _ in m.order]
    # Blocks still to come are priced optimistically (best compatible seat), so the
    # nothing-ranked penalty bites in the last block each person ranked in.
    for k, b in enumerate(order):
        solve_block(m, seats, b, frozenset(order[k + 1 :]))
    best = sum(m.cost(i, s) for i, s in enumerate(seats))
    # Then each block again with all other seats fixed: each step is an exact flow on a
    # neighbourhood containing the current solution, so the objective never rises. The block
    # solved last is already optimal given the others, so stop after nb - 1 idle solves.
    idle = 0
    for step in range(MAX_ROUNDS * m.nb if m.nb > 1 else 0):
        gain = solve_block(m, seats, order[step % m.nb], frozenset())
        best -= gain
        idle = idle + 1 if gain <= 0 else 0
        if idle >= m.nb - 1:
            break
    return best, seats


def solve_block(m: Model, seats: list[list[int]], b: int, undecided: frozenset[int]) -> int:
    """Re-seat all seats touching block b optimally, other seats fixed; returns the gain."""
    sink = len(m.order)  # person i is node i; option nodes follow the sink
    nodes = _option_nodes(m, b, sink)
    rows: list[Arc] = []
    people: list[int] = []
    counts: list[int] = []
    fixed_of: dict[int, list[int]] = {}
    before = 0  # current cost of the people in this subproblem
    for i, mine in enumerate(seats):
        if not m.cand_in[i][b]:
            continue
        fixed = [o for o in mine if b not in m.blocks[o]]
        arcs = _person_arcs(m, i, b, fixed, nodes, sink, undecided)
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
    chosen, cost = _min_cost_flow(m, rows, people, counts, nodes, sink)
    for i, o in chosen:
        seats[i] = fixed_of[i] if o < 0 else [*fixed_of[i], o]
    return before - cost


def _option_nodes(m: Model, b: int, sink: int) -> dict[tuple[int, str], int]:
    """(option, "" = open part | reserved profile) -> node, for the options held in block b."""
    nodes: dict[tuple[int, str], int] = {}
    for o in m.by_block[b]:
        nodes[o, ""] = sink + 1 + len(nodes)
        for prof in m.reserved[o]:
            nodes[o, prof] = sink + 1 + len(nodes)
    return nodes


def _person_arcs(
    m: Model,
    i: int,
    b: int,
    fixed: list[int],
    nodes: dict[tuple[int, str], int],
    sink: int,
    undecided: frozenset[int],
) -> list[Arc]:
    """Person i's choices in block b, other seats fixed: no seat, or each compatible seat."""
    key = (i, b, tuple(fixed))
    arcs = None if undecided else m.memo.get(key)
    if arcs is not None:
        return arcs
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
    return arcs


def _min_cost_flow(
    m: Model,
    rows: list[Arc],
    people: list[int],
    counts: list[int],
    nodes: dict[tuple[int, str], int],
    sink: int,
) -> tuple[list[tuple[int, int]], int]:
    """Solve the block's flow; each person's chosen option (-1 = none) and the total cost."""
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
    picks = list(zip(tails[chosen].tolist(), arr[chosen, 0].tolist(), strict=True))
    return picks, flow.optimal_cost()
