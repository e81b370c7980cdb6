"""`flask --app conference allocate [--dry-run] [--seed N]`."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from conference.errors import DomainError
from conference.services import current_conference
from sessions.seats.allocation.service import run_allocation, summary


@click.command("allocate")
@with_appcontext
@click.option(
    "--dry-run", is_flag=True, help="Run and store the result for review; publish nothing."
)
@click.option("--seed", type=int, default=None, help="Lottery seed (same seed, same result).")
@click.option("--exact", is_flag=True, help="Solve the joint program exactly (HiGHS; slower).")
@click.option("--time-limit", type=float, default=60.0, help="Seconds for --exact.")
@click.option("--no-fill", is_flag=True, help="Leave people unassigned rather than fill in.")
def allocate_command(
    dry_run: bool, seed: int | None, exact: bool, time_limit: float, no_fill: bool
) -> None:
    """Allocate workshop and visit seats from the preference round; publish unless --dry-run."""
    conf = current_conference()
    options = {"fill_unranked": False} if no_fill else None
    try:
        run = run_allocation(
            conf, seed=seed, dry_run=dry_run, trigger="cli", options=options,
            exact=exact, time_limit=time_limit,
        )  # fmt: skip
    except DomainError as exc:
        click.echo(f"Not done: {exc.message} ({exc.code})", err=True)
        sys.exit(1)
    s = summary(run)
    click.echo(f"Run {s['run_id']} (seed {s['seed']}, {s['method']}, {run.duration_ms} ms):")
    click.echo(
        f"  {s['applicants']} people ranked choices; {s['assigned']} seats per block assigned,"
        f" {s['unassigned']} without a seat in a block they ranked."
    )
    click.echo(
        f"  first choice {s['first_choice_share']:.1%}, top 3 {s['top3_share']:.1%},"
        f" none of their choices {s['none_of_choices_share']:.1%},"
        f" mean rank {s['mean_rank']:.2f}, worst rank {s['worst_rank']}."
    )
    for profile, p in s["per_profile"].items():
        click.echo(
            f"  {profile}: first choice {p['first_choice_share']:.1%},"
            f" mean rank {p['mean_rank']:.2f}, unassigned {p['unassigned']}"
        )
    click.echo(
        "Published: seats written and mails queued."
        if s["published"]
        else "Dry run: nothing published."
    )
