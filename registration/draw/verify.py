"""Re-run a published draw and compare: `flask --app conference draw-verify [FILE]`.

Anyone can check the draw: download the public page's data (`/loting/gegevens.json`), then
run this with the file. It checks that the seed matches the hash published before the draw,
re-runs the draw from the published applications and compares the result.
"""

from __future__ import annotations

import json
from typing import Any

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from conference.extensions import db
from conference.services import current_conference
from registration.draw.applying import commitment_of
from registration.draw.lottery import from_record, run_draw
from registration.draw.models import VenueDraw


def verify(record: dict[str, Any], commitment: str | None = None) -> list[str]:
    """What does not match in a published draw; an empty list when it all checks out."""
    problems = []
    if commitment is not None and commitment_of(str(record["seed"])) != commitment:
        problems.append("the seed does not match the published hash")
    result = run_draw(from_record(record))
    if list(result.drawn) != list(record["drawn"]):
        problems.append("the drawn list differs")
    if list(result.waitlist) != list(record["waitlist"]):
        problems.append("the waiting list differs")
    return problems


@click.command("draw-verify")
@click.argument("path", required=False, type=click.Path(dir_okay=False, exists=True))
@click.option("--commitment", default=None, help="The hash published before the draw.")
@with_appcontext
def draw_verify_command(path: str | None, commitment: str | None) -> None:
    """Re-run the published venue draw (from FILE, else this database's) and compare."""
    if path:
        with open(path, encoding="utf-8") as handle:
            record = json.load(handle)
    else:
        conf = current_conference()
        row = db.session.scalar(select(VenueDraw).where(VenueDraw.conference_id == conf.id))
        if row is None or row.published is None:
            raise click.ClickException("No draw has been published.")
        record, commitment = row.published, commitment or row.commitment
    problems = verify(record, commitment)
    for problem in problems:
        click.echo(f"MISMATCH: {problem}", err=True)
    if problems:
        raise SystemExit(1)
    click.echo(
        f"OK: {len(record['drawn'])} drawn and {len(record['waitlist'])} waiting, "
        f"from {len(record['applicants'])} applications and seed {record['seed']}."
    )
