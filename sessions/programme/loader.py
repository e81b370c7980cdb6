"""Load the programme data file (YAML) into the database, by slug, all or nothing."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from conference import hooks
from conference.clock import at_local, utcnow
from conference.db import write_transaction
from conference.errors import Invalid
from conference.extensions import db
from conference.models import Conference
from sessions.programme.changes import announce_change, watched
from sessions.programme.errors import Problem, ProgrammeError
from sessions.programme.models import Activity, ActivitySpeaker, Block, Room, Speaker, Theme
from sessions.programme.questions_file import load_questions
from sessions.programme.schema import (
    ActivityIn,
    BlockIn,
    ConferenceIn,
    ProgrammeIn,
    RoomIn,
    SpeakerIn,
    ThemeIn,
)
from sessions.seats.models import Seat

# How far ahead of today a demo puts the event, so registration is open and the day upcoming.
DEMO_LEAD_DAYS = 42


def _to_python(node: Node, path: tuple, lines: dict[tuple, int], loader: yaml.SafeLoader) -> Any:
    """Turn a YAML node into plain data, remembering the line of every path."""
    lines[path] = node.start_mark.line + 1
    if isinstance(node, MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node)
            if not isinstance(key, str | int | float | bool | type(None)):
                raise ProgrammeError(
                    [Problem(key_node.start_mark.line + 1, _dotted(path), "a key must be a word")]
                )
            if key in result:
                raise ProgrammeError(
                    [Problem(key_node.start_mark.line + 1, _dotted((*path, key)), "given twice")]
                )
            result[key] = _to_python(value_node, (*path, key), lines, loader)
        return result
    if isinstance(node, SequenceNode):
        return [_to_python(item, (*path, i), lines, loader) for i, item in enumerate(node.value)]
    assert isinstance(node, ScalarNode)
    return loader.construct_object(node)


def _dotted(path: tuple) -> str:
    return ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in path).replace(".[", "[")


def _line_of(path: tuple, lines: dict[tuple, int]) -> int | None:
    """The line of the deepest part of `path` that the file has."""
    for end in range(len(path), -1, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return None


def parse_programme(text: str) -> ProgrammeIn:
    """Parse and validate the file's text; raise ProgrammeError with line, field and reason."""
    try:
        loader = yaml.SafeLoader(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        if isinstance(exc, yaml.reader.ReaderError):  # a character YAML does not allow
            line = text.count("\n", 0, exc.position) + 1
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ProgrammeError([Problem(line, "(file)", f"not valid YAML: {reason}")]) from exc
    if root is None:
        raise ProgrammeError([Problem(None, "(file)", "the file is empty")])
    lines: dict[tuple, int] = {}
    try:
        data = _to_python(root, (), lines, yaml.SafeLoader(""))
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        # e.g. a date that does not exist (2022-02-30) or a list used as a key
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else _line_of(max(lines, key=len, default=()), lines)
        raise ProgrammeError([Problem(line, "(file)", f"not valid YAML: {exc}")]) from exc
    try:
        programme = ProgrammeIn.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            path = tuple(p for p in error["loc"] if not (isinstance(p, str) and "[" in p))
            # pydantic names union branches in the loc; drop them to keep the data path
            path = tuple(p for p in path if p not in ("function-before[_slug()]",))
            reason = error["msg"].removeprefix("Value error, ")
            problems.append(Problem(_line_of(path, lines), _dotted(path) or "(file)", reason))
        raise ProgrammeError(problems) from exc
    _check_references(programme, lines)
    return programme


def _check_references(programme: ProgrammeIn, lines: dict[tuple, int]) -> None:
    """Slugs are unique per list and every reference points at something in the file."""
    problems: list[Problem] = []
    known: dict[str, set[str]] = {}
    for section in ("themes", "blocks", "rooms", "speakers", "activities"):
        seen: set[str] = set()
        for i, item in enumerate(getattr(programme, section)):
            if item.slug in seen:
                path = (section, i, "slug")
                problems.append(Problem(_line_of(path, lines), _dotted(path), "slug used twice"))
            seen.add(item.slug)
        known[section] = seen
    for i, act in enumerate(programme.activities):
        refs = [("theme", act.theme, "themes"), ("room", act.room, "rooms")]
        refs += [(("blocks", j), slug, "blocks") for j, slug in enumerate(act.blocks)]
        for j, ref in enumerate(act.speakers):
            slug = ref if isinstance(ref, str) else ref.speaker
            refs.append((("speakers", j), slug, "speakers"))
        for field, slug, section in refs:
            if slug is not None and slug not in known[section]:
                path = ("activities", i, *(field if isinstance(field, tuple) else (field,)))
                reason = f"no {section[:-1]} with slug '{slug}' in this file"
                problems.append(Problem(_line_of(path, lines), _dotted(path), reason))
    if problems:
        raise ProgrammeError(problems)


def demo_shift_days(event_day: date, today: date) -> int:
    """Whole weeks to move a past event so it lies about six weeks ahead (same weekday)."""
    behind = (today + timedelta(days=DEMO_LEAD_DAYS) - event_day).days
    return max(0, math.ceil(behind / 7)) * 7


@dataclass
class LoadReport:
    """What a load created or updated, and the activities whose time, place or links changed."""

    conference: Conference
    counts: dict[str, int]
    shift_days: int
    moved: list[str]


@dataclass(frozen=True)
class FileTimes:
    """The file's wall-clock times as stored moments, on the (for a demo: moved) day."""

    day: date
    tz: str
    shift: int

    @classmethod
    def of(cls, conf_in: ConferenceIn, demo: bool) -> FileTimes:
        """The times of this file; a demo moves them whole weeks ahead of today."""
        shift = demo_shift_days(conf_in.date, utcnow().date()) if demo else 0
        return cls(day=conf_in.date + timedelta(days=shift), tz=conf_in.timezone, shift=shift)

    def at(self, clock: time) -> datetime:
        """A clock time on the conference's day."""
        return at_local(self.day, clock, self.tz)

    def moment(self, value: datetime | None) -> datetime | None:
        """A local moment of the file, moved with the day."""
        if value is None:
            return None
        return at_local(value.date() + timedelta(days=self.shift), value.time(), self.tz)


def load_programme_file(path: str | Path, *, demo: bool = False) -> LoadReport:
    """Read, validate and load a data file; raise ProgrammeError and change nothing if bad."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProgrammeError([Problem(None, "(file)", f"cannot read {path}: {exc}")]) from exc
    return load_programme(parse_programme(text), demo=demo)


def load_programme(programme: ProgrammeIn, *, demo: bool = False) -> LoadReport:
    """Upsert the programme by slug in one transaction (mailing nobody: see `apply_programme`)."""
    with write_transaction(db.session) as session:
        return apply_programme(session, programme, demo=demo)


def apply_programme(
    session: Session, programme: ProgrammeIn, *, demo: bool = False, tell: bool = False
) -> LoadReport:
    """Upsert the programme by slug in the caller's transaction; `tell`: mail about moves too."""
    # Only the back office's import tells people of moved activities; a file loaded from the
    # command line mails nobody (a demo's dates move every week), as before.
    times = FileTimes.of(programme.conference, demo)
    conf = _load_conference(session, programme.conference, times, demo)
    rows = _Rows(session, conf)
    refs = _Refs(
        themes=_load_themes(rows, programme.themes),
        blocks=_load_blocks(rows, programme.blocks, times),
        rooms=_load_rooms(rows, programme.rooms),
        speakers=_load_speakers(rows, programme.speakers),
    )
    session.flush()
    problems, before = _load_activities(rows, programme.activities, refs, times)
    problems += _drop_stale(session, conf, {a.slug for a in programme.activities})
    problems += load_questions(session, conf, programme.registration_questions, times.moment)
    if problems:
        raise ProgrammeError(problems)
    session.flush()
    _announce(session, conf, programme)
    moved = [
        act.slug
        for act, seen in sorted(before, key=lambda pair: pair[0].slug)
        if announce_change(session, act, seen, tell=tell)
    ]
    counts = {
        "themes": len(refs.themes), "blocks": len(refs.blocks), "rooms": len(refs.rooms),
        "speakers": len(refs.speakers), "activities": len(programme.activities),
    }  # fmt: skip
    return LoadReport(conference=conf, counts=counts, shift_days=times.shift, moved=moved)


def _announce(session: Session, conf: Conference, programme: ProgrammeIn) -> None:
    """Tell higher packages the programme is in, with their section; their Invalid is ours."""
    section = programme.evaluation.model_dump() if programme.evaluation else None
    try:
        hooks.programme_loaded.send(conf, session=session, evaluation=section)
    except Invalid as exc:
        problems = [Problem(None, where, str(message)) for where, message in exc.fields.items()]
        raise ProgrammeError(problems) from None


CONFERENCE_FIELDS = (
    "name", "name_en", "tagline", "tagline_en", "description", "description_en", "organiser",
    "website", "timezone", "venue_info", "venue_info_en", "allocation_mode", "profile_quotas",
    "settings",
)  # fmt: skip


def _load_conference(
    session: Session, conf_in: ConferenceIn, times: FileTimes, demo: bool
) -> Conference:
    conf = session.scalar(select(Conference).filter_by(slug=conf_in.slug))
    conf = conf or Conference(slug=conf_in.slug)
    session.add(conf)
    for name in CONFERENCE_FIELDS:
        setattr(conf, name, getattr(conf_in, name))
    conf.venue, conf.venue_address = conf_in.venue, conf_in.address
    conf.starts_at, conf.ends_at = times.at(conf_in.starts), times.at(conf_in.ends)
    conf.registration_opens_at = times.moment(conf_in.registration_opens)
    conf.registration_closes_at = times.moment(conf_in.registration_closes)
    conf.choice_opens_at = times.moment(conf_in.choice_opens)
    conf.choice_closes_at = times.moment(conf_in.choice_closes)
    if conf.id is not None and conf_in.onsite_capacity < conf.onsite_taken:
        raise ProgrammeError(
            [Problem(None, "conference.onsite_capacity", "lower than the places taken")]
        )
    conf.onsite_capacity = conf_in.onsite_capacity
    conf.is_demo, conf.demo_shift_days = demo, times.shift
    session.flush()
    return conf


@dataclass
class _Rows:
    """Finds a programme row of the conference by slug, or adds a new one."""

    session: Session
    conf: Conference

    def upsert(self, model: type, slug: str) -> Any:
        row = self.session.scalar(select(model).filter_by(conference_id=self.conf.id, slug=slug))
        if row is None:
            row = model(conference_id=self.conf.id, slug=slug)
            self.session.add(row)
        return row


@dataclass
class _Refs:
    """The rows an activity refers to, by slug."""

    themes: dict[str, Theme]
    blocks: dict[str, Block]
    rooms: dict[str, Room]
    speakers: dict[str, Speaker]


def _load_themes(rows: _Rows, items: list[ThemeIn]) -> dict[str, Theme]:
    themes = {}
    for pos, t in enumerate(items):
        row = themes[t.slug] = rows.upsert(Theme, t.slug)
        row.name, row.name_en, row.position = t.name, t.name_en, pos
        row.description, row.description_en = t.description, t.description_en
    return themes


def _load_blocks(rows: _Rows, items: list[BlockIn], times: FileTimes) -> dict[str, Block]:
    blocks = {}
    for pos, b in enumerate(items):
        row = blocks[b.slug] = rows.upsert(Block, b.slug)
        row.name, row.name_en, row.position = b.name, b.name_en, pos
        row.starts_at, row.ends_at = times.at(b.starts), times.at(b.ends)
    return blocks


def _load_rooms(rows: _Rows, items: list[RoomIn]) -> dict[str, Room]:
    rooms = {}
    for r in items:
        row = rooms[r.slug] = rows.upsert(Room, r.slug)
        row.name, row.floor, row.capacity, row.step_free = r.name, r.floor, r.capacity, r.step_free
        row.directions, row.directions_en = r.directions, r.directions_en
    return rooms


def _load_speakers(rows: _Rows, items: list[SpeakerIn]) -> dict[str, Speaker]:
    speakers = {}
    for s in items:
        row = speakers[s.slug] = rows.upsert(Speaker, s.slug)
        row.name, row.organisation, row.bio, row.bio_en = s.name, s.organisation, s.bio, s.bio_en
    return speakers


def _load_activities(
    rows: _Rows, items: list[ActivityIn], refs: _Refs, times: FileTimes
) -> tuple[list[Problem], list[tuple[Activity, dict[str, Any]]]]:
    """Upsert the activities; the problems found, and what the existing ones looked like before."""
    problems: list[Problem] = []
    before = []
    for pos, a in enumerate(items):
        row = rows.upsert(Activity, a.slug)
        if row.id is not None:
            before.append((row, watched(row)))
        capacity = a.capacity
        if a.capacity is not None and (row.taken or 0) > a.capacity:
            reason = f"lower than the {row.taken} seats already taken"
            problems.append(Problem(None, f"activities[{pos}].capacity", reason))
            capacity = row.capacity  # keep the row valid; the load is refused below
        _fill_activity(row, a, pos, capacity, refs, times)
    return problems, before


def _fill_activity(
    row: Activity, a: ActivityIn, pos: int, capacity: int | None, refs: _Refs, times: FileTimes
) -> None:
    act_blocks = [refs.blocks[slug] for slug in a.blocks]
    row.starts_at = times.at(a.starts) if a.starts else min(b.starts_at for b in act_blocks)
    row.ends_at = times.at(a.ends) if a.ends else max(b.ends_at for b in act_blocks)
    row.kind, row.mode, row.position = a.kind, a.mode, pos
    row.title, row.title_en, row.summary, row.summary_en = (
        a.title, a.title_en, a.summary, a.summary_en
    )  # fmt: skip
    row.theme = refs.themes[a.theme] if a.theme else None
    row.room = refs.rooms[a.room] if a.room else None
    row.location, row.capacity = a.location, capacity
    row.stream_url, row.join_url = a.stream_url, a.join_url
    row.is_example, row.published = a.example, a.published
    row.blocks = act_blocks
    # Reuse existing links: a new row with the same key would clash in the flush.
    existing = {link.speaker_id: link for link in row.speaker_links}
    links = []
    for spos, ref in enumerate(a.speakers):
        slug, role = (ref, "speaker") if isinstance(ref, str) else (ref.speaker, ref.role)
        speaker = refs.speakers[slug]
        link = existing.get(speaker.id) or ActivitySpeaker(speaker=speaker)
        link.role, link.position = role, spos
        links.append(link)
    row.speaker_links = links


def _drop_stale(session: Session, conf: Conference, wanted: set[str]) -> list[Problem]:
    """Delete the activities the file no longer has; refuse where people hold seats."""
    problems = []
    stale = session.scalars(
        select(Activity).where(Activity.conference_id == conf.id, Activity.slug.not_in(wanted))
    ).all()
    for act in stale:
        seats = session.scalar(select(func.count()).select_from(Seat).filter_by(activity_id=act.id))
        if seats:
            reason = f"'{act.slug}' is missing from the file but {seats} people hold a seat there"
            problems.append(Problem(None, "activities", reason))
        else:
            session.delete(act)
    return problems
