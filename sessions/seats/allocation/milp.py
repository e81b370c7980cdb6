"""The exact allocation: one 0-1 program over all blocks, solved by HiGHS (scipy.optimize.milp).

Same objective as sessions.allocation, so its optimum measures the fast path's gap. The program
is nearly a flow (its LP bound has equalled the optimum in every measured run), which is why
HiGHS solves thousands of persons exactly.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

from sessions.seats.allocation.engine import Result, _fast, _Model


def solve_milp(m: _Model, time_limit: float | None = None) -> Result:
    """Solve the joint program for a prepared model; past the time limit, the best one found."""
    p = m.problem
    cost: list[float] = []
    integer: list[int] = []
    upper: list[float] = []
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    lo: list[float] = []
    hi: list[float] = []

    def var(c: float, is_int: bool = True, ub: float = 1.0) -> int:
        cost.append(c)
        integer.append(int(is_int))
        upper.append(ub)
        return len(cost) - 1

    def row(entries: list[tuple[int, float]], low: float, high: float) -> None:
        r = len(lo)
        for col, v in entries:
            rows.append(r)
            cols.append(col)
            vals.append(v)
        lo.append(low)
        hi.append(high)

    # Constant part: every ranked person-block starts as "no seat"; a seat's coefficient is its
    # cost minus the no-seat cost it saves. That keeps the LP tight and the objective integral.
    constant = sum(p.no_seat_cost * len(rb) for rb in m.rblocks)
    x: dict[tuple[int, int], int] = {}
    by_option: list[list[tuple[int, int]]] = [[] for _ in p.options]  # (person, variable)
    for i, cand in enumerate(m.cand):
        for o, parts in cand.items():
            saved = p.no_seat_cost * sum(b in m.rblocks[i] for b, _, _ in parts)
            x[i, o] = var(sum(c for _, c, _ in parts) - saved)
            by_option[o].append((i, x[i, o]))
        for b in range(m.nb):  # one seat per block, spanning seats in every block they cover
            here = [(x[i, o], 1.0) for o in cand if b in m.blocks[o]]
            if len(here) > 1:
                row(here, 0, 1)
        runs: dict[int, list[tuple[int, float]]] = {}
        for o in cand:  # never two runs of the same activity
            runs.setdefault(m.acts[o], []).append((x[i, o], 1.0))
        for same in runs.values():
            if len(same) > 1:
                row(same, 0, 1)
        if m.rblocks[i]:  # z = 1 when nothing ranked is held all day
            z = var(p.nothing_ranked_penalty)
            row([(z, 1.0)] + [(x[i, o], 1.0) for o in m.ranked[i]], 1, np.inf)
    for o, holders in enumerate(by_option):
        if not holders:
            continue
        reserved = m.reserved[o]
        if m.caps[o] < len(holders) and not reserved:
            row([(v, 1.0) for _, v in holders], 0, m.caps[o])
        elif reserved:
            # Others use the open part only; a profile's excess over its reserve (e >= n - r)
            # also comes out of the open part. Same rule as _Model.fits and the flow arcs.
            spill: list[tuple[int, float]] = []
            for prof, r in reserved.items():
                e = var(0.0, is_int=False, ub=np.inf)
                mine = [(v, 1.0) for i, v in holders if m.order[i].profile == prof]
                row([*mine, (e, -1.0)], -np.inf, r)
                spill.append((e, 1.0))
            others = [(v, 1.0) for i, v in holders if m.order[i].profile not in reserved]
            row(others + spill, 0, m.caps[o] - sum(reserved.values()))
    n = len(cost)
    if not n:  # nobody can be seated anywhere: the empty allocation is the optimum
        return m.result([[] for _ in m.order], "milp (optimal)", float(constant))
    options: dict[str, object] = {"disp": False, "mip_rel_gap": 0.0}
    if time_limit is not None:
        options["time_limit"] = float(time_limit)
    if lo:
        a = coo_array((vals, (rows, cols)), shape=(len(lo), n)).tocsr()
        constraints = [LinearConstraint(a, np.array(lo), np.array(hi))]
    else:
        constraints = []
    res = milp(
        np.array(cost),
        integrality=np.array(integer),
        bounds=Bounds(np.zeros(n), np.array(upper)),
        constraints=constraints,
        options=options,
    )
    if res.status == 0:
        seats = [[o for o in cand if res.x[x[i, o]] > 0.5] for i, cand in enumerate(m.cand)]
        return m.result(seats, "milp (optimal)", float(res.fun) + constant)
    bound = getattr(res, "mip_dual_bound", None)
    bound = None if bound is None or not np.isfinite(bound) else float(bound) + constant
    # Stopped early (time limit): keep the better of HiGHS's incumbent and the fast path, so
    # the exact path is never worse than allocate().
    why = "time limit" if res.status == 1 else res.message
    fast = m.result(_fast(m), f"min-cost flow per block (milp stopped: {why})", bound)
    if res.x is None:
        return fast
    seats = [[o for o in cand if res.x[x[i, o]] > 0.5] for i, cand in enumerate(m.cand)]
    found = m.result(seats, f"milp (stopped: {why})", bound)
    return found if found.objective <= fast.objective else fast
