"""Write the programme in the database back out in the data-file format (YAML).

`parse_programme(export_programme(conf))` gives the same programme as the database holds, so an
organiser can download the programme, edit it, and load it again.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import yaml
from sqlalchemy import select

from conference import hooks
from conference.clock import local, utcnow
from conference.extensions import db
from conference.models import Conference
from sessions.programme.models import Activity, Block, Room, Speaker, Theme
from sessions.programme.questions_file import export_questions
from sessions.programme.schema import DEFAULT_MODE
from sessions.programme.services import activities

CLOCK_RE = re.compile(r"\d{1,2}:\d{2}")
HEADER = """\
# The programme of {name}, exported on {today}.
# Load it again with:  flask --app conference load-programme THIS_FILE
# or on the programme page of the back office (Programma > Importeren).
# Times are wall-clock times in {tz}, written "HH:MM"; moments are "YYYY-MM-DD HH:MM".
"""


class _Dumper(yaml.SafeDumper):
    """Block style for multi-line text, and lists of mappings indented like the shipped file."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> Any:
        return super().increase_indent(flow, False)


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    if CLOCK_RE.fullmatch(value):
        style = '"'  # "HH:MM" always quoted: unquoted, YAML 1.1 may read 10:45 as a number
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def _compact(data: dict[str, Any]) -> dict[str, Any]:
    """Drop keys whose value is None (the file leaves them out)."""
    return {k: v for k, v in data.items() if v is not None}


def _clock(moment: datetime, tz: str) -> str:
    return local(moment, tz).strftime("%H:%M")


def _moment(moment: datetime | None, tz: str) -> str | None:
    return None if moment is None else local(moment, tz).strftime("%Y-%m-%d %H:%M")


def _conference(conf: Conference) -> dict[str, Any]:
    tz = conf.timezone
    return _compact(
        {
            "slug": conf.slug,
            "name": conf.name,
            "name_en": conf.name_en,
            "tagline": conf.tagline,
            "tagline_en": conf.tagline_en,
            "description": conf.description,
            "description_en": conf.description_en,
            "organiser": conf.organiser,
            "website": conf.website,
            "date": local(conf.starts_at, tz).date(),
            "timezone": tz,
            "starts": _clock(conf.starts_at, tz),
            "ends": _clock(conf.ends_at, tz),
            "venue": conf.venue,
            "address": conf.venue_address,
            "venue_info": conf.venue_info,
            "venue_info_en": conf.venue_info_en,
            "registration_opens": _moment(conf.registration_opens_at, tz),
            "registration_closes": _moment(conf.registration_closes_at, tz),
            "choice_opens": _moment(conf.choice_opens_at, tz),
            "choice_closes": _moment(conf.choice_closes_at, tz),
            "onsite_capacity": conf.onsite_capacity,
            "allocation_mode": conf.allocation_mode,
            "profile_quotas": dict(conf.profile_quotas or {}),
            "settings": dict(conf.settings or {}) or None,
        }
    )


def _activity(act: Activity, tz: str) -> dict[str, Any]:
    blocks = list(act.blocks)
    span = (min(b.starts_at for b in blocks), max(b.ends_at for b in blocks)) if blocks else None
    own_times = span is None or span != (act.starts_at, act.ends_at)
    speakers: list[Any] = []
    for link in act.speaker_links:
        slug = link.speaker.slug
        speakers.append(slug if link.role == "speaker" else {"speaker": slug, "role": link.role})
    return _compact(
        {
            "slug": act.slug,
            "kind": act.kind,
            "mode": act.mode if act.mode != DEFAULT_MODE[act.kind] else None,
            "theme": act.theme.slug if act.theme else None,
            "title": act.title,
            "title_en": act.title_en,
            "summary": act.summary,
            "summary_en": act.summary_en,
            "blocks": [b.slug for b in blocks] or None,
            "room": act.room.slug if act.room else None,
            "location": act.location,
            "starts": _clock(act.starts_at, tz) if own_times else None,
            "ends": _clock(act.ends_at, tz) if own_times else None,
            "capacity": act.capacity,
            "speakers": speakers or None,
            "stream_url": act.stream_url,
            "join_url": act.join_url,
            "example": True if act.is_example else None,
            "published": False if not act.published else None,
        }
    )


def programme_data(conf: Conference) -> dict[str, Any]:
    """The programme as the plain data of the file (what `ProgrammeIn` validates)."""
    tz = conf.timezone
    acts = sorted(activities(conf, published_only=False), key=lambda a: (a.position, a.id))
    return {
        "conference": _conference(conf),
        "themes": [_theme(t) for t in _rows(conf, Theme, Theme.position, Theme.id)],
        "blocks": [
            _block(b, tz) for b in _rows(conf, Block, Block.position, Block.starts_at, Block.id)
        ],
        "rooms": [_room(r) for r in _rows(conf, Room, Room.id)],
        "speakers": [_speaker(s) for s in _rows(conf, Speaker, Speaker.id)],
        "activities": [_activity(a, tz) for a in acts],
        "registration_questions": export_questions(conf),
        # Sections kept by higher packages (the evaluation's questions), through the hook.
        **_higher_sections(conf),
    }


def _higher_sections(conf: Conference) -> dict[str, Any]:
    """The file's sections kept by higher packages (`hooks.programme_sections`)."""
    return {
        k: v for found in hooks.collect(hooks.programme_sections, conf) for k, v in found.items()
    }


def _rows(conf: Conference, model: type, *order: Any) -> list[Any]:
    return list(db.session.scalars(select(model).filter_by(conference_id=conf.id).order_by(*order)))


def _theme(t: Theme) -> dict[str, Any]:
    return _compact(
        {
            "slug": t.slug,
            "name": t.name,
            "name_en": t.name_en,
            "description": t.description,
            "description_en": t.description_en,
        }
    )


def _block(b: Block, tz: str) -> dict[str, Any]:
    return _compact(
        {
            "slug": b.slug,
            "name": b.name,
            "name_en": b.name_en,
            "starts": _clock(b.starts_at, tz),
            "ends": _clock(b.ends_at, tz),
        }
    )


def _room(r: Room) -> dict[str, Any]:
    return _compact(
        {
            "slug": r.slug,
            "name": r.name,
            "floor": r.floor,
            "capacity": r.capacity,
            "step_free": False if not r.step_free else None,
            "directions": r.directions,
            "directions_en": r.directions_en,
        }
    )


def _speaker(s: Speaker) -> dict[str, Any]:
    return _compact(
        {
            "slug": s.slug,
            "name": s.name,
            "organisation": s.organisation,
            "bio": s.bio,
            "bio_en": s.bio_en,
        }
    )


def export_programme(conf: Conference) -> str:
    """The whole programme as a YAML data file that `loader.parse_programme` reads."""
    header = HEADER.format(
        name=conf.name, today=local(utcnow(), conf.timezone).date().isoformat(), tz=conf.timezone
    )
    body = yaml.dump(
        programme_data(conf),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )
    return header + "\n" + body
