"""Benchmark of the seat allocation on the realistic 2022-like instance.

Run from the repository root: `python -m bench.bench_allocation [--quick] [--attendees N]`.
Times are wall-clock on this machine; ratios are against first come, first served measured in
the same run, so they survive a slower or busier machine.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from sessions.seats.allocation.baselines import (
    first_come_first_served,
    generate_instance,
    serial_dictatorship,
)
from sessions.seats.allocation.engine import (
    Problem,
    Result,
    allocate,
    allocate_best,
    solve_exact,
    validate,
)
from sessions.seats.allocation.service import PROOF_SECONDS

SEED = 2022  # instance and lottery seed: fixed so runs are comparable


def timed(run: Callable[[], Result]) -> tuple[Result, float]:
    """The result of `run` and its wall time in seconds."""
    start = time.perf_counter()
    result = run()
    return result, time.perf_counter() - start


def quarter_shares(problem: Problem, result: Result) -> str:
    """First-choice share of the first and the last quarter in registration order."""
    quarter = max(1, len(problem.applicants) // 4)
    shares = []
    for people in (problem.applicants[:quarter], problem.applicants[-quarter:]):
        asked = got = 0
        for a in people:
            for b, ranking in a.ranking.items():
                if ranking:
                    asked += 1
                    got += result.assignment[a.person_id].get(b) == ranking[0]
        shares.append(got / asked if asked else 0.0)
    return f"{shares[0]:.0%} / {shares[1]:.0%}"


def describe(problem: Problem) -> str:
    """One line on the instance: persons, activities, seats per block, spanning ones."""
    per_block = {
        b: sum(o.capacity or 0 for o in problem.options if b in o.block_ids) for b in problem.blocks
    }
    spanning = sum(len(o.block_ids) > 1 for o in problem.options)
    seats = ", ".join(f"block {b}: {s}" for b, s in per_block.items())
    ratio = sum(per_block.values()) / len(per_block) / len(problem.applicants)
    return (
        f"{len(problem.applicants):,} attendees, {len(problem.options)} activities "
        f"({spanning} spanning both blocks), seats {seats} ({ratio:.2f} per attendee per block)"
    )


def bench(n: int, exact_limit: float | None) -> list[dict]:
    """Generate the instance with n attendees, run every method, print a table, return rows."""
    problem = generate_instance(n, SEED)
    print(f"\n## {describe(problem)}\n")
    registration = [a.person_id for a in problem.applicants]
    runs: list[tuple[str, Result, float]] = []
    for name, run in (
        (
            "first come, first served (registration order)",
            lambda: first_come_first_served(problem, registration),
        ),
        ("random serial dictatorship (lottery)", lambda: serial_dictatorship(problem, SEED)),
        ("allocate(): min-cost flow per block", lambda: allocate(problem, SEED)),
        (
            f"allocate_best(): proven optimum within {PROOF_SECONDS:.0f} s, else allocate()",
            lambda: allocate_best(problem, SEED, PROOF_SECONDS),
        ),
    ):
        result, seconds = timed(run)
        runs.append((name, result, seconds))
    best_name, best, best_s = runs[3]
    runs[3] = (f"{best_name} [{'proven' if best.proven_optimal else 'NOT proven'}]", best, best_s)
    exact: Result | None = None
    if exact_limit is not None:
        exact, seconds = timed(lambda: solve_exact(problem, SEED, time_limit=exact_limit))
        runs.append((f"solve_exact(): HiGHS MILP, limit {exact_limit:.0f} s", exact, seconds))
    fcfs_time = runs[0][2]
    print(
        "| method | time | x FCFS time | first choice | top 3 | none of their choices "
        "| mean rank | worst rank | 1st choice Q1 / Q4 | objective | gap to optimum |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, r, seconds in runs:
        errors = validate(problem, r.assignment)
        if errors:
            name += f" (INVALID: {errors[0]} ...)"
        if exact is not None and exact.method == "milp (optimal)":
            diff = r.objective - exact.objective
            gap = f"{100 * diff / exact.objective:+.3f}% ({diff:+,})"
        elif exact is not None and exact.lower_bound:
            gap = f"<= {100 * (r.objective - exact.lower_bound) / exact.lower_bound:+.3f}% (bound)"
        else:
            gap = "n/a"
        s = r.stats
        print(
            f"| {name} | {seconds:.2f} s | {seconds / fcfs_time:.1f} | {s.first_choice_share:.1%} "
            f"| {s.top3_share:.1%} | {s.none_of_choices_share:.1%} | {s.mean_rank:.2f} "
            f"| {s.worst_rank} | {quarter_shares(problem, r)} | {r.objective:,} | {gap} |"
        )
    rows = _rows(n, runs, exact)
    print(
        f"\nTime to the proven optimum (tight MILP, what a run publishes): {best_s:.2f} s, "
        f"{'proven optimal' if best.proven_optimal else 'not proven: the fast path is published'}."
    )
    if exact is None:
        print("\nsolve_exact() skipped at this size (tens of seconds to minutes); no gap shown.")
    else:
        print(f"\nsolve_exact(): {exact.method}; proven lower bound {exact.lower_bound}.")
        if exact.method != "milp (optimal)":
            print("It hit the time limit: gaps are measured against the proven lower bound.")
    print(
        "Shares of person-blocks with a ranking (first choice, top 3) or of persons (none of "
        "their choices); objective = the shared cost, lower is better; it includes the "
        "no-seat cost of the person-blocks no method can seat, which dilutes relative gaps."
    )
    return rows


def _rows(n: int, runs: list[tuple[str, Result, float]], exact: Result | None) -> list[dict]:
    """Summary rows for `python -m bench`: allocate() against FCFS (and the optimum)."""
    (_, fcfs, fcfs_s), (_, _rsd, _), (_, ours, ours_s), (_, best, best_s) = runs[:4]
    name = f"allocation ({n:,} attendees)"
    rows = [
        {"benchmark": name, "metric": "allocate() wall time", "value": round(ours_s, 3),
         "unit": "s", "baseline": round(fcfs_s, 3), "ratio": round(ours_s / fcfs_s, 2)},
        {"benchmark": name, "metric": "first-choice share (vs FCFS)",
         "value": round(ours.stats.first_choice_share, 3), "unit": "",
         "baseline": round(fcfs.stats.first_choice_share, 3),
         "ratio": round(ours.stats.first_choice_share / fcfs.stats.first_choice_share, 2)},
        {"benchmark": name, "metric": "share with none of their choices (vs FCFS)",
         "value": round(ours.stats.none_of_choices_share, 3), "unit": "",
         "baseline": round(fcfs.stats.none_of_choices_share, 3), "ratio": None},
        {"benchmark": name, "metric": "time to the proven optimum (0 = not proven)",
         "value": round(best_s, 3) if best.proven_optimal else 0, "unit": "s",
         "baseline": round(ours_s, 3), "ratio": round(best_s / ours_s, 2)},
    ]  # fmt: skip
    if exact is not None:
        rows.append(
            {"benchmark": name, "metric": "objective (vs exact MILP optimum)",
             "value": ours.objective, "unit": "", "baseline": exact.objective,
             "ratio": round(ours.objective / exact.objective, 5)}
        )  # fmt: skip
    return rows


def run(quick: bool = False) -> list[dict]:
    """Rows for `python -m bench`: 2,500 attendees with the exact optimum, then 10,000."""
    rows = bench(500 if quick else 2500, exact_limit=20.0 if quick else 120.0)
    rows += bench(2000 if quick else 10_000, exact_limit=None)
    return rows


def main() -> None:
    """Parse the options and run the benchmark (about a minute; --quick for a smoke test)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small instances, short limits")
    parser.add_argument("--attendees", type=int, default=None, help="size of the main instance")
    parser.add_argument("--large", type=int, default=None, help="size of the large instance")
    args = parser.parse_args()
    main_n = args.attendees or (500 if args.quick else 2500)
    large_n = args.large if args.large is not None else (2000 if args.quick else 10_000)
    print(f"# Seat allocation benchmark (seed {SEED})")
    started = time.perf_counter()
    bench(main_n, exact_limit=20.0 if args.quick else 120.0)
    if large_n:
        bench(large_n, exact_limit=None)
    print(f"\nTotal benchmark time: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
