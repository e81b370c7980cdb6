"""The published allocation: the optimum HiGHS proves within the time limit, else the fast path."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from conference.cli import create_staff
from conference.extensions import db
from sessions.seats.allocation.baselines import generate_instance
from sessions.seats.allocation.engine import (
    HEURISTIC,
    OPTIMAL,
    allocate,
    allocate_best,
    objective,
    validate,
)
from sessions.seats.allocation.service import run_allocation, summary
from tests.factories import conference
from tests.helpers import login
from tests.sessions.seats.allocation.test_allocation import PROPERTY, brute_force, tiny_problem
from tests.sessions.seats.allocation.test_allocation_service import scenario


@PROPERTY
@given(st.randoms(use_true_random=False), st.integers(0, 1000))
def test_the_proven_optimum_equals_brute_force_and_beats_the_fast_path(
    rnd: random.Random, seed: int
) -> None:
    problem = tiny_problem(rnd, max_persons=5)
    best = allocate_best(problem, seed, time_limit=5.0)
    assert (best.method, best.proven_optimal) == (OPTIMAL, True)
    assert validate(problem, best.assignment) == []
    assert best.objective == objective(problem, best.assignment) == brute_force(problem)
    assert best.objective <= allocate(problem, seed).objective


def test_proven_on_a_realistic_instance_with_repeats_spans_and_quotas() -> None:
    problem = generate_instance(400, seed=7, repeated_workshops=2, practitioner_quota=0.2)
    best, fast = allocate_best(problem, 3, time_limit=30.0), allocate(problem, 3)
    assert best.proven_optimal and best.method == OPTIMAL
    assert validate(problem, best.assignment) == []
    assert best.objective == objective(problem, best.assignment) <= fast.objective
    assert best.lower_bound == best.objective


def test_no_time_gives_the_fast_path_labelled_unproven() -> None:
    problem = generate_instance(300, seed=5)
    fast = allocate(problem, 2)
    for limit in (0.0, 1e-9):
        result = allocate_best(problem, 2, time_limit=limit)
        assert not result.proven_optimal
        assert result.method.startswith(HEURISTIC) and result.method != OPTIMAL
        assert validate(problem, result.assignment) == []
        assert result.objective == fast.objective  # the fast path's own assignment
        assert result.assignment == fast.assignment
    assert "milp stopped: time limit" in allocate_best(problem, 2, time_limit=1e-9).method


def _review_page(client, run_id: int) -> str:
    login(client, "organiser")
    return client.get(f"/beheer/verdeling/{run_id}").get_data(as_text=True)


def test_a_run_stores_and_shows_whether_it_is_proven(any_db_app):
    create_staff("organiser@example.org", "organiser", "Organisator", "wachtwoord-organiser")
    scenario(20)
    client = any_db_app.test_client()
    run = run_allocation(conference(), seed=4)
    assert run.method == OPTIMAL
    assert run.stats["proven_optimal"] is True and run.stats["proof_time_limit"] == 5.0
    assert summary(run)["proven_optimal"] is True
    assert "Ja, bewezen: geen andere verdeling is beter" in _review_page(client, run.id)

    conf = conference()
    conf.settings = {**(conf.settings or {}), "allocation_proof_seconds": 0}
    db.session.commit()
    quick = run_allocation(conference(), seed=4)
    assert quick.method == HEURISTIC and quick.stats["proven_optimal"] is False
    assert summary(quick)["proven_optimal"] is False
    assert quick.objective >= run.objective
    page = _review_page(client, quick.id)
    assert "Niet bewezen binnen 0 seconden" in page
