"""The 2018 rush, simulated: first come, first served against the venue draw.

Run alone: `python -m bench.bench_draw [--quick] [--seed N]` (or `python -m bench --only
bench_draw`). No database: the draw is a pure function (registration/draw/lottery.py), and the
rush is the order of arrival.

3,000 applicants for 1,200 places, about 60% practitioners, but managers, policy people and
academics register earlier on average (their arrival time is drawn from a distribution leaning
to the start); organisations have Zipf-like sizes (a few large ones, many small ones). On the
same applicants we compare:

- fcfs: the first 1,200 to arrive get a place;
- draw: the lottery, no quotas, no cap;
- draw+: the lottery with a practitioners' quota of 60% and at most 25 places per organisation.

Per scheme: the practitioners' share of the places (against their share of the applicants),
the largest organisation's share of the places, the chance of a place in the first and in the
last quarter of arrivals, and the time the draw takes (median of a few runs).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections import Counter
from dataclasses import dataclass

from registration.draw.lottery import Applicant, DrawInput, run_draw

# Profile, share of the audience, and how early they arrive (beta distribution parameters).
AUDIENCE = (
    ("practitioner", 0.60, (2.0, 1.4)),
    ("manager", 0.15, (1.0, 3.0)),
    ("research_education", 0.10, (1.0, 3.0)),
    ("policy", 0.05, (1.0, 2.5)),
    ("student", 0.05, (1.6, 1.6)),
    ("other", 0.05, (1.6, 1.6)),
)


@dataclass(frozen=True)
class Person:
    """A simulated applicant: number, profile, organisation and arrival moment (0..1)."""

    number: int
    profile: str
    organisation: str
    arrival: float


def rush(n: int, organisations: int, rng: random.Random) -> list[Person]:
    """`n` applicants, in order of arrival."""
    weights = [1 / (k**1.1) for k in range(1, organisations + 1)]
    orgs = rng.choices([f"org{k}" for k in range(1, organisations + 1)], weights, k=n)
    profiles = rng.choices([p for p, _, _ in AUDIENCE], [s for _, s, _ in AUDIENCE], k=n)
    shape = {p: ab for p, _, ab in AUDIENCE}
    people = [
        Person(i + 1, profiles[i], orgs[i], rng.betavariate(*shape[profiles[i]])) for i in range(n)
    ]
    return sorted(people, key=lambda p: p.arrival)


def figures(people: list[Person], placed: set[int]) -> dict[str, float]:
    """The fairness figures of one scheme."""
    quarter = len(people) // 4
    orgs = Counter(p.organisation for p in people if p.number in placed)
    practitioners = sum(1 for p in people if p.number in placed and p.profile == "practitioner")
    return {
        "practitioners_places": practitioners / len(placed),
        "largest_org": max(orgs.values()) / len(placed),
        "q1_chance": sum(p.number in placed for p in people[:quarter]) / quarter,
        "q4_chance": sum(p.number in placed for p in people[-quarter:]) / quarter,
    }


def timed_draw(inp: DrawInput, repeat: int) -> tuple[set[int], float]:
    """The drawn numbers and the median time of the draw in ms."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = run_draw(inp)
        times.append((time.perf_counter() - t0) * 1000)
    return set(result.drawn), statistics.median(times)


def simulate(n: int = 3000, places: int = 1200, seed: int = 2018, repeat: int = 5):
    """The three schemes on one simulated rush: {scheme: figures}, plus the audience."""
    rng = random.Random(seed)
    people = rush(n, organisations=max(n // 8, 10), rng=rng)
    applicants = [Applicant(p.number, p.profile, p.organisation) for p in people]
    results = {"fcfs": figures(people, {p.number for p in people[:places]}) | {"ms": 0.0}}
    plain = DrawInput(seed=seed, places=places, applicants=applicants)
    drawn, ms = timed_draw(plain, repeat)
    results["draw"] = figures(people, drawn) | {"ms": ms}
    fair = DrawInput(
        seed=seed, places=places, applicants=applicants,
        quotas={"practitioner": int(0.6 * places)}, organisation_cap=25,
    )  # fmt: skip
    drawn, ms = timed_draw(fair, repeat)
    results["draw+"] = figures(people, drawn) | {"ms": ms}
    share = sum(p.profile == "practitioner" for p in people) / n
    return results, share


METRICS = (
    ("practitioners_places", "practitioners' share of places", "share"),
    ("largest_org", "largest organisation's share of places", "share"),
    ("q1_chance", "chance of a place, first quarter to arrive", "share"),
    ("q4_chance", "chance of a place, last quarter to arrive", "share"),
    ("ms", "draw time", "ms"),
)


def table(results: dict, share: float) -> str:
    """The comparison as a Markdown table."""
    lines = [
        f"practitioners' share of applicants: {share:.1%}",
        "",
        "| metric | fcfs | draw | draw + 60% quota + cap 25 |",
        "| --- | ---: | ---: | ---: |",
    ]
    for key, text, unit in METRICS:
        cells = [
            f"{results[s][key]:.1%}" if unit == "share" else f"{results[s][key]:.1f}"
            for s in ("fcfs", "draw", "draw+")
        ]
        lines.append(f"| {text} | {' | '.join(cells)} |")
    return "\n".join(lines)


def run(quick: bool = False) -> list[dict]:
    """Rows for `python -m bench`: each draw figure against first come, first served."""
    n, places = (600, 240) if quick else (3000, 1200)
    results, share = simulate(n, places, repeat=1 if quick else 5)
    print(table(results, share))
    rows = []
    for key, text, unit in METRICS[:-1]:
        for scheme in ("draw", "draw+"):
            base = results["fcfs"][key]
            value = results[scheme][key]
            rows.append({
                "benchmark": f"venue {scheme} vs fcfs ({n} for {places})", "metric": text,
                "value": round(value, 3), "unit": unit, "baseline": round(base, 3),
                "ratio": round(value / base, 2) if base else None,
            })  # fmt: skip
    for scheme in ("draw", "draw+"):
        rows.append({
            "benchmark": f"venue {scheme} ({n} for {places})", "metric": "draw time",
            "value": round(results[scheme]["ms"], 1), "unit": "ms", "baseline": None, "ratio": None,
        })  # fmt: skip
    return rows


def main() -> None:
    """Print the comparison table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seed", type=int, default=2018)
    args = parser.parse_args()
    n, places = (600, 240) if args.quick else (3000, 1200)
    results, share = simulate(n, places, seed=args.seed)
    print(table(results, share))


if __name__ == "__main__":
    main()
