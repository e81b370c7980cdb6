"""Tests of the seat allocation engine (pure: no Flask, no database)."""

from __future__ import annotations

import dataclasses
import itertools
import math
import random
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sessions.seats.allocation.baselines import (
    first_come_first_served,
    generate_instance,
    serial_dictatorship,
)
from sessions.seats.allocation.engine import (
    Applicant,
    Option,
    Problem,
    Result,
    allocate,
    objective,
    solve_exact,
    validate,
)


@pytest.fixture(scope="module")
def realistic() -> Problem:
    return generate_instance(600, seed=11, repeated_workshops=2, practitioner_quota=0.2)


@pytest.fixture(scope="module")
def realistic_result(realistic: Problem) -> Result:
    return allocate(realistic, seed=5)


def seats_per_option(problem: Problem, result: Result) -> Counter[tuple[int, int]]:
    """Persons per (activity, first block), counting a spanning seat once."""
    held = Counter()
    for mine in result.assignment.values():
        for key in {
            (act, min(o.block_ids))
            for b, act in mine.items()
            for o in problem.options
            if o.activity_id == act and b in o.block_ids
        }:
            held[key] += 1
    return held


# ---------------------------------------------------------------- invariants, realistic size


def test_valid_and_objective_consistent(realistic: Problem, realistic_result: Result) -> None:
    assert validate(realistic, realistic_result.assignment) == []
    assert realistic_result.objective == objective(realistic, realistic_result.assignment)


def test_capacities_respected(realistic: Problem, realistic_result: Result) -> None:
    held = seats_per_option(realistic, realistic_result)
    for o in realistic.options:
        if o.capacity is not None:
            assert held[o.activity_id, min(o.block_ids)] <= o.capacity


def test_one_seat_per_block_and_spanning_in_both(
    realistic: Problem, realistic_result: Result
) -> None:
    spanning = {o.activity_id for o in realistic.options if len(o.block_ids) > 1}
    assert spanning
    seen_spanning = 0
    for mine in realistic_result.assignment.values():
        assert set(mine) <= set(realistic.blocks)  # a dict: at most one seat per block
        for act in set(mine.values()) & spanning:
            assert list(mine.values()).count(act) == 2  # occupies both blocks
            seen_spanning += 1
    assert seen_spanning > 0


def test_no_repeat_of_a_repeated_workshop(realistic: Problem, realistic_result: Result) -> None:
    repeated = [a for a, n in Counter(o.activity_id for o in realistic.options).items() if n > 1]
    assert repeated
    for mine in realistic_result.assignment.values():
        for act in repeated:
            assert list(mine.values()).count(act) <= 1


def test_nobody_left_without_any_choice(realistic_result: Result) -> None:
    assert realistic_result.stats.none_of_choices_share == 0.0
    assert realistic_result.stats.worst_rank <= 5
    assert set(realistic_result.stats.per_profile) >= {"practitioner", "manager"}


def test_baselines_valid(realistic: Problem) -> None:
    order = [a.person_id for a in realistic.applicants]
    for r in (first_come_first_served(realistic, order), serial_dictatorship(realistic, 3)):
        assert validate(realistic, r.assignment) == []
        assert r.objective == objective(realistic, r.assignment)


def test_three_blocks_and_exact_agree() -> None:
    problem = generate_instance(150, seed=3, n_blocks=3, repeated_workshops=2)
    fast, exact = allocate(problem, 1), solve_exact(problem, 1)
    assert validate(problem, fast.assignment) == [] == validate(problem, exact.assignment)
    assert exact.objective <= fast.objective <= exact.objective * 1.005


def test_exact_time_limit_falls_back_to_a_valid_allocation() -> None:
    problem = generate_instance(600, seed=3)
    result = solve_exact(problem, 1, time_limit=0.001)
    assert "stopped: time limit" in result.method
    assert validate(problem, result.assignment) == []
    assert result.objective <= allocate(problem, 1).objective


def test_allocate_beats_baselines(realistic: Problem, realistic_result: Result) -> None:
    sd = serial_dictatorship(realistic, 5)
    assert realistic_result.objective < sd.objective
    assert realistic_result.stats.none_of_choices_share <= sd.stats.none_of_choices_share


# ---------------------------------------------------------------- quotas


def quota_problem(practitioners: int) -> Problem:
    """One 10-seat workshop with 4 seats reserved for practitioners, 20 managers want it too."""
    options = [Option(1, (1,), 10, quotas={"practitioner": 4}), Option(2, (2,), 50)]
    people = [Applicant(k, "manager", {1: [1], 2: [2]}) for k in range(20)]
    people += [Applicant(100 + k, "practitioner", {1: [1], 2: [2]}) for k in range(practitioners)]
    return Problem(options, people, [1, 2])


@pytest.mark.parametrize("seed", range(5))
def test_quota_honoured_with_enough_applicants(seed: int) -> None:
    problem = quota_problem(practitioners=6)
    for result in (allocate(problem, seed), solve_exact(problem, seed)):
        assert validate(problem, result.assignment) == []
        seated = [p for p, mine in result.assignment.items() if mine.get(1) == 1]
        assert len(seated) == 10
        assert sum(p >= 100 for p in seated) >= 4


def test_quota_released_without_enough_applicants() -> None:
    problem = quota_problem(practitioners=2)
    result = allocate(problem, 1)
    seated = [p for p, mine in result.assignment.items() if mine.get(1) == 1]
    assert len(seated) == 10  # the two unused reserved seats went to managers
    assert {100, 101} <= set(seated)


def test_quota_blocks_others_in_validate() -> None:
    problem = quota_problem(practitioners=6)
    managers_only = {k: {1: 1} for k in range(10)}
    assert any("reserved" in e for e in validate(problem, managers_only))


# ---------------------------------------------------------------- lottery and fairness


def test_same_seed_same_result_and_seeds_differ() -> None:
    problem = generate_instance(300, seed=4)
    a, b = allocate(problem, 42), allocate(problem, 42)
    assert a.assignment == b.assignment and a.objective == b.objective
    others = [allocate(problem, s).assignment for s in (1, 2, 3)]
    assert any(o != a.assignment for o in others)


def first_choice_share(problem: Problem, result: Result, people: list[Applicant]) -> float:
    got = asked = 0
    for a in people:
        for b, ranking in a.ranking.items():
            asked += 1
            got += result.assignment[a.person_id].get(b) == ranking[0]
    return got / asked


def test_registration_order_gives_no_advantage() -> None:
    problem = generate_instance(1200, seed=8)
    quarter = len(problem.applicants) // 4
    first, last = problem.applicants[:quarter], problem.applicants[-quarter:]
    fair = allocate(problem, seed=2022)
    gap = first_choice_share(problem, fair, first) - first_choice_share(problem, fair, last)
    assert abs(gap) < 0.07
    fcfs = first_come_first_served(problem, [a.person_id for a in problem.applicants])
    gap = first_choice_share(problem, fcfs, first) - first_choice_share(problem, fcfs, last)
    assert gap > 0.4


# ---------------------------------------------------------------- fill_unranked


def fill_problem(fill: bool) -> Problem:
    """Workshop 1 (theme 7) has one seat and two fans; workshop 2 has the same theme."""
    options = [
        Option(1, (1,), 1, theme_id=7),
        Option(2, (1,), 5, theme_id=7),
        Option(3, (1,), 5, theme_id=8),
    ]
    people = [Applicant(1, "student", {1: [1]}), Applicant(2, "student", {1: [1]})]
    return Problem(options, people, [1], fill_unranked=fill)


@pytest.mark.parametrize("method", ["allocate", "exact", "greedy"])
def test_fill_unranked_gives_same_theme_seat(method: str) -> None:
    problem = fill_problem(fill=True)
    result = {
        "allocate": lambda: allocate(problem, 0),
        "exact": lambda: solve_exact(problem, 0),
        "greedy": lambda: serial_dictatorship(problem, 0),
    }[method]()
    assert sorted(mine[1] for mine in result.assignment.values()) == [1, 2]
    assert validate(problem, result.assignment) == []
    assert result.stats.unassigned == 0 and result.stats.none_of_choices_share == 0.5


def test_without_fill_unranked_left_unassigned_and_reported() -> None:
    problem = fill_problem(fill=False)
    result = allocate(problem, 0)
    assert sorted(len(mine) for mine in result.assignment.values()) == [0, 1]
    assert result.stats.unassigned == 1 and result.stats.none_of_choices_share == 0.5
    assert any("not allowed" in e for e in validate(problem, {1: {1: 2}}))


# ---------------------------------------------------------------- validate and errors


def test_validate_reports_violations() -> None:
    options = [Option(1, (1,), 1), Option(2, (1, 2), 5), Option(3, (1,), 5), Option(3, (2,), 5)]
    people = [Applicant(k, "x", {1: [1, 2, 3], 2: [2, 3]}) for k in range(3)]
    problem = Problem(options, people, [1, 2])
    errors = validate(problem, {0: {1: 1}, 1: {1: 1, 2: 2}, 2: {1: 3, 2: 3}, 9: {}})
    text = "\n".join(errors)
    assert "over capacity" in text
    assert "spans" in text
    assert "twice" in text
    assert "unknown person 9" in text


def test_malformed_input_raises() -> None:
    options = [Option(1, (1,), 3)]
    with pytest.raises(ValueError, match="not held"):
        allocate(Problem(options, [Applicant(1, "x", {2: [1]})], [1, 2]), 0)
    with pytest.raises(ValueError, match="quotas exceed"):
        allocate(Problem([Option(1, (1,), 3, quotas={"x": 4})], [], [1]), 0)


# ---------------------------------------------------------------- property-based


def tiny_problem(rnd: random.Random, max_persons: int = 12) -> Problem:
    """2 blocks, 2-5 activities (some spanning or repeated), small capacities, two profiles."""
    options: list[Option] = []
    for act in range(1, rnd.randint(2, 5) + 1):
        kind = rnd.choice(["b1", "b2", "b1", "b2", "span", "repeat"])
        cap = rnd.choice([0, 1, 2, 3, 4, 0, 1, 2, 3, 4, None])
        quota = rnd.randint(0, min(cap or 0, 2))
        blocks = {"b1": [(1,)], "b2": [(2,)], "span": [(1, 2)], "repeat": [(1,), (2,)]}[kind]
        theme = rnd.choice([None, 1, 2])
        options += [Option(act, bs, cap, theme, {"p": quota} if quota else {}) for bs in blocks]
    people = []
    for pid in range(rnd.randint(3, max_persons)):
        ranking = {}
        for b in (1, 2):
            here = sorted({o.activity_id for o in options if b in o.block_ids})
            rnd.shuffle(here)
            ranking[b] = here[: rnd.randint(0, min(3, len(here)))]
        people.append(Applicant(pid, rnd.choice("pq"), ranking))
    return Problem(options, people, [1, 2], fill_unranked=rnd.random() < 0.5)


def fast_and_exact(problem: Problem, seed: int) -> tuple[Result, Result]:
    """Both solvers, checked for validity and a consistent objective."""
    fast, exact = allocate(problem, seed), solve_exact(problem, seed)
    for r in (fast, exact):
        assert validate(problem, r.assignment) == []
        assert r.objective == objective(problem, r.assignment)
    assert exact.method == "milp (optimal)"
    assert exact.lower_bound == pytest.approx(exact.objective)
    assert exact.objective <= fast.objective  # the exact optimum is never beaten
    return fast, exact


PROPERTY = settings(
    max_examples=150,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)


@PROPERTY
@given(st.randoms(use_true_random=False), st.integers(0, 2**16))
def test_allocate_always_valid_and_never_below_exact(rnd: random.Random, seed: int) -> None:
    fast_and_exact(tiny_problem(rnd), seed)


def test_allocate_close_to_exact_on_tiny_instances() -> None:
    """The known gap: block-by-block flows miss a few cross-block swaps on tiny instances."""
    rnd = random.Random(2022)
    total_fast = total_exact = optimal = 0
    worst = 0.0
    runs = 200
    for seed in range(runs):
        fast, exact = fast_and_exact(tiny_problem(rnd, max_persons=20), seed)
        total_fast += fast.objective
        total_exact += exact.objective
        optimal += fast.objective == exact.objective
        worst = max(worst, (fast.objective - exact.objective) / max(exact.objective, 1))
    gap = (total_fast - total_exact) / total_exact
    print(
        f"\nallocate vs exact, {runs} tiny instances: optimal in {optimal}, "
        f"aggregate gap {gap:.3%}, worst {worst:.1%}"
    )
    assert optimal >= 0.9 * runs
    assert gap <= 0.005


def brute_force(problem: Problem) -> int:
    """The optimum by branch and bound over every person's valid seat plans (tiny instances)."""
    plans: list[list[tuple[int, dict[int, int]]]] = []
    for a in problem.applicants:
        alone = dataclasses.replace(problem, applicants=[a])
        choices = [
            [None, *sorted({o.activity_id for o in problem.options if b in o.block_ids})]
            for b in problem.blocks
        ]
        mine = []
        for combo in itertools.product(*choices):
            plan = {b: act for b, act in zip(problem.blocks, combo, strict=True) if act}
            if not validate(alone, {a.person_id: plan}):  # single-person checks are a relaxation
                mine.append((objective(alone, {a.person_id: plan}), plan))
        plans.append(sorted(mine, key=lambda cp: cp[0]))
    bound = [sum(p[0][0] for p in plans[k:]) for k in range(len(plans) + 1)]
    best = [math.inf]
    chosen: dict[int, dict[int, int]] = {}

    def search(k: int, acc: int) -> None:
        if k == len(plans):
            if not validate(problem, chosen):
                best[0] = acc
            return
        for cost, plan in plans[k]:
            if acc + cost + bound[k + 1] >= best[0]:
                break
            chosen[problem.applicants[k].person_id] = plan
            search(k + 1, acc + cost)
        chosen.pop(problem.applicants[k].person_id, None)

    search(0, 0)
    return int(best[0])


@PROPERTY
@given(st.randoms(use_true_random=False), st.integers(0, 1000))
def test_exact_matches_brute_force(rnd: random.Random, seed: int) -> None:
    problem = tiny_problem(rnd, max_persons=5)
    assert solve_exact(problem, seed).objective == brute_force(problem)
