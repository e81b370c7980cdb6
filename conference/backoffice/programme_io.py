"""Import of a whole programme data file from the back office (all or nothing), with notices."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from conference import audit
from conference.db import write_transaction
from conference.extensions import db
from conference.models import Conference
from sessions.programme.loader import (
    LoadReport,
    Problem,
    ProgrammeError,
    load_programme,
    parse_programme,
)
from sessions.programme.models import Activity
from sessions.programme.signals import activity_changed

MAX_BYTES = 2 * 1024 * 1024


@dataclass
class ImportResult:
    """What an import did: the loader's counts and the activities whose time or place changed."""

    report: LoadReport
    moved: list[str]


def _snapshot(conf: Conference) -> dict[str, tuple[Any, ...]]:
    acts = db.session.scalars(select(Activity).filter_by(conference_id=conf.id)).all()
    return {a.slug: (a.starts_at, a.ends_at, a.place) for a in acts}


def import_programme(
    conf: Conference, raw: bytes, *, actor: Any, filename: str | None = None
) -> ImportResult:
    """Validate and load a data file of this conference; on ProgrammeError nothing changed."""
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
    before = _snapshot(conf)
    report = load_programme(programme, demo=conf.is_demo)
    after = _snapshot(conf)
    moved = sorted(
        slug
        for slug, (s, e, place) in after.items()
        if slug in before and before[slug] != (s, e, place)
    )
    # The loader only writes; the people of a moved activity hear of it here, like after an edit.
    with write_transaction(db.session) as session:
        for slug in moved:
            act = session.scalar(select(Activity).filter_by(conference_id=conf.id, slug=slug))
            old_s, old_e, old_place = before[slug]
            changes = {
                key: (old, new)
                for key, old, new in (
                    ("starts_at", old_s, act.starts_at),
                    ("ends_at", old_e, act.ends_at),
                    ("location", old_place, act.place),
                )
                if old != new
            }
            activity_changed.send(act, changes=changes, session=session)
        audit.record(
            session,
            actor=actor,
            action="programme.import",
            target_type="conference",
            target_id=conf.id,
            after={"file": filename, **report.counts, "moved": moved},
        )
    return ImportResult(report=report, moved=moved)
