"""The exact allocation: one 0-1 program over all blocks, solved by HiGHS (scipy.optimize.milp).

Same objective as the fast path (see `engine`), so its optimum measures the fast path's gap.
The tight formulation (`tight_program`) is nearly a flow: its LP bound has equalled the optimum
in every measured run, which is why HiGHS proves 2,500 persons optimal in about a second.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sessions.seats.allocation.flow import fast_seats
from sessions.seats.allocation.model import Model, Result

OPTIMAL = "milp (optimal)"


class Program:
    """A mixed 0-1 program being written: variables with cost and bounds, sparse rows."""

    def __init__(self) -> None:
        self.cost: list[float] = []
        self.integer: list[int] = []
        self.upper: list[float] = []
        self.rows: list[int] = []
        self.cols: list[int] = []
        self.vals: list[float] = []
        self.lo: list[float] = []
        self.hi: list[float] = []

    def var(self, c: float, is_int: bool = True, ub: float = 1.0) -> int:
        """A new variable with cost c; its column."""
        self.cost.append(c)
        self.integer.append(int(is_int))
        self.upper.append(ub)
        return len(self.cost) - 1

    def row(self, entries: list[tuple[int, float]], low: float, high: float) -> None:
        """A constraint low <= sum(v * x[col]) <= high."""
        r = len(self.lo)
        for col, v in entries:
            self.rows.append(r)
            self.cols.append(col)
            self.vals.append(v)
        self.lo.append(low)
        self.hi.append(high)

    def solve(self, time_limit: float | None) -> Any:
        """HiGHS's answer (scipy's OptimizeResult), optimal to a zero gap unless time runs out."""
        # scipy takes half a second to import and only the exact solver needs it.
        from scipy.optimize import Bounds, LinearConstraint, milp
        from scipy.sparse import coo_array

        n = len(self.cost)
        options: dict[str, object] = {"disp": False, "mip_rel_gap": 0.0}
        if time_limit is not None:
            options["time_limit"] = float(time_limit)
        constraints = []
        if self.lo:
            a = coo_array((self.vals, (self.rows, self.cols)), shape=(len(self.lo), n)).tocsr()
            constraints = [LinearConstraint(a, np.array(self.lo), np.array(self.hi))]
        return milp(
            np.array(self.cost),
            integrality=np.array(self.integer),
            bounds=Bounds(np.zeros(n), np.array(self.upper)),
            constraints=constraints,
            options=options,
        )


def solve_milp(m: Model, time_limit: float | None = None) -> Result:
    """Solve the joint program for a prepared model; past the time limit, the best one found."""
    prog, x = tight_program(m)
    if not prog.cost:  # nobody ranked anything: the empty allocation is the optimum
        return _proven(m.result([[] for _ in m.order], OPTIMAL, 0.0))
    res = prog.solve(time_limit)
    if res.status == 0:
        return _proven(m.result(_seats(m, res, x), OPTIMAL, float(res.fun)))
    return _stopped_early(m, res, x)


def _proven(result: Result) -> Result:
    """Mark a result HiGHS proved optimal."""
    result.proven_optimal = True
    return result


def tight_program(m: Model) -> tuple[Program, dict[tuple[int, int], int]]:
    """The tight formulation: seat variables only for candidate seats, no-seat slacks.

    Per person and ranked block one equality row (seats there + a no-seat slack = 1); one row
    per repeated activity; one capacity row per option (two with reserved seats). The objective
    is the shared one, written out term by term, so `res.fun` is the objective itself.
    """
    prog = Program()
    x: dict[tuple[int, int], int] = {}
    by_option: list[list[tuple[int, int]]] = [[] for _ in m.problem.options]  # (person, var)
    for i in range(len(m.cand)):
        _person_rows(prog, m, i, x, by_option)
    for o, holders in enumerate(by_option):
        _capacity_rows(prog, m, o, holders)
    return prog, x


def _person_rows(
    prog: Program,
    m: Model,
    i: int,
    x: dict[tuple[int, int], int],
    by_option: list[list[tuple[int, int]]],
) -> None:
    """Person i's seat variables and rows: a seat or the no-seat slack per block, one run each."""
    p, cand = m.problem, m.cand[i]
    for o in cand:
        x[i, o] = prog.var(m.seat_cost[i][o])
        by_option[o].append((i, x[i, o]))
    for b in range(m.nb):
        here = [(x[i, o], 1.0) for o in cand if b in m.blocks[o]]
        if b in m.rblocks[i]:
            # The slack is continuous: the row makes it 0 or 1 once the seats are integral.
            slack = prog.var(p.no_seat_cost, is_int=False)
            prog.row([*here, (slack, 1.0)], 1, 1)
        elif len(here) > 1:  # a block only a spanning seat reaches: at most one seat there
            prog.row(here, 0, 1)
    runs: dict[int, list[tuple[int, float]]] = {}
    for o in cand:  # never two runs of the same activity
        runs.setdefault(m.acts[o], []).append((x[i, o], 1.0))
    for same in runs.values():
        if len(same) > 1:
            prog.row(same, 0, 1)
    if m.rblocks[i]:  # z = 1 when nothing ranked is held all day (continuous, like the slack)
        z = prog.var(p.nothing_ranked_penalty, is_int=False)
        prog.row([(z, 1.0)] + [(x[i, o], 1.0) for o in m.ranked[i]], 1, np.inf)


def _capacity_rows(prog: Program, m: Model, o: int, holders: list[tuple[int, int]]) -> None:
    """Option o's capacity, with its reserved seats per profile."""
    if not holders:
        return
    reserved = m.reserved[o]
    if m.caps[o] < len(holders) and not reserved:
        prog.row([(v, 1.0) for _, v in holders], 0, m.caps[o])
    elif reserved:
        # Others use the open part only; a profile's excess over its reserve (e >= n - r)
        # also comes out of the open part. Same rule as Model.fits and the flow arcs.
        spill: list[tuple[int, float]] = []
        for prof, r in reserved.items():
            e = prog.var(0.0, is_int=False, ub=np.inf)
            mine = [(v, 1.0) for i, v in holders if m.order[i].profile == prof]
            prog.row([*mine, (e, -1.0)], -np.inf, r)
            spill.append((e, 1.0))
        others = [(v, 1.0) for i, v in holders if m.order[i].profile not in reserved]
        prog.row(others + spill, 0, m.caps[o] - sum(reserved.values()))


def _seats(m: Model, res: Any, x: dict[tuple[int, int], int]) -> list[list[int]]:
    """The seats a solution picks, indexed like `m.order`."""
    return [[o for o in cand if res.x[x[i, o]] > 0.5] for i, cand in enumerate(m.cand)]


def _stopped_early(m: Model, res: Any, x: dict[tuple[int, int], int]) -> Result:
    """Stopped early (time limit): the better of HiGHS's incumbent and the fast path.

    So the exact path is never worse than `allocate()`.
    """
    bound = getattr(res, "mip_dual_bound", None)
    bound = None if bound is None or not np.isfinite(bound) else float(bound)
    why = "time limit" if res.status == 1 else res.message
    fast = m.result(fast_seats(m), f"min-cost flow per block (milp stopped: {why})", bound)
    if res.x is None:
        return fast
    found = m.result(_seats(m, res, x), f"milp (stopped: {why})", bound)
    return found if found.objective <= fast.objective else fast
