"""A whole programme data file uploaded in the back office: all or nothing, in one transaction.

The load, the notices to the people of moved activities and the audit row commit together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from conference import audit
from conference.db import write_transaction
from conference.extensions import db
from conference.models import Conference
from sessions.programme.errors import Problem, ProgrammeError
from sessions.programme.loader import LoadReport, apply_programme, parse_programme
from sessions.programme.schema import ProgrammeIn

MAX_BYTES = 2 * 1024 * 1024


@dataclass
class ImportResult:
    """What an import did: the loader's counts and the activities whose time or place changed."""

    report: LoadReport
    moved: list[str]


def import_programme(
    conf: Conference, raw: bytes, *, actor: Any, filename: str | None = None
) -> ImportResult:
    """Validate and load a data file of this conference; on ProgrammeError nothing changed."""
    programme = _read(conf, raw)
    with write_transaction(db.session) as session:
        report = apply_programme(session, programme, demo=conf.is_demo, tell=True)
        audit.record(
            session,
            actor=actor,
            action="programme.import",
            target_type="conference",
            target_id=conf.id,
            after={"file": filename, **report.counts, "moved": report.moved},
        )
    return ImportResult(report=report, moved=report.moved)


def _read(conf: Conference, raw: bytes) -> ProgrammeIn:
    """The uploaded file parsed and checked: small enough, UTF-8, and for this conference."""
    if len(raw) > MAX_BYTES:
        raise ProgrammeError([Problem(None, "(file)", "the file is larger than 2 MB")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ProgrammeError([Problem(None, "(file)", "the file is not UTF-8 text")]) from exc
    programme = parse_programme(text)
    if programme.conference.slug != conf.slug:
        reason = f"the file is for '{programme.conference.slug}', this site runs '{conf.slug}'"
        raise ProgrammeError([Problem(None, "conference.slug", reason)])
    return programme
