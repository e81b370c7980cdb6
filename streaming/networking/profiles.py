"""The opt-in profile, the directory of visible colleagues, and blocks.

A person is in the directory only while their profile says visible and their registration is
registered (DESIGN.md §4.11): every read filters on both, so hiding takes effect at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, delete, exists, func, or_, select, update
from sqlalchemy.orm import Session

from conference.admin import Page, paginate
from conference.clock import utcnow
from conference.db import write_transaction
from conference.errors import Invalid
from conference.extensions import db
from conference.validation import as_id, text_field, tidy_search
from registration.models import Registration
from sessions.programme.models import Theme
from streaming.networking.errors import NotRegistered, NotVisible, PersonNotFound
from streaming.networking.models import Meeting, NetworkBlock, NetworkProfile, NetworkProfileTheme

PER_PAGE = 20
SECTOR_MAX, REGION_MAX, ASK_MAX = 100, 100, 300
MAX_THEMES = 6


@dataclass(frozen=True)
class Filters:
    """The directory's filters (all optional)."""

    theme_id: int | None = None
    sector: str = ""
    region: str = ""
    q: str = ""


def profile_of(registration_id: int, session: Session | None = None) -> NetworkProfile | None:
    """The person's profile row, if they ever saved one."""
    return (session or db.session).get(NetworkProfile, registration_id)


def is_visible(registration: Registration, session: Session | None = None) -> bool:
    """Whether the person is in the directory now."""
    profile = profile_of(registration.id, session)
    return registration.status == "registered" and profile is not None and profile.visible


def require_visible(registration: Registration) -> None:
    """Refuse somebody who is not in the directory themselves (403)."""
    if registration.status != "registered":
        raise NotRegistered()
    if not is_visible(registration):
        raise NotVisible()


def visible_people(conference_id: int) -> Select:
    """Registrations in the directory: registered, with a visible profile (the one rule)."""
    return (
        select(Registration)
        .join(NetworkProfile, NetworkProfile.registration_id == Registration.id)
        .where(
            Registration.conference_id == conference_id,
            Registration.status == "registered",
            NetworkProfile.visible.is_(True),
        )
    )


def visible_person(conference_id: int, registration_id: Any, session: Session) -> Registration:
    """A visible person by id, or 404 whatever the reason (a block or hiding is never told)."""
    rid = as_id(registration_id)
    found = None
    if rid is not None:
        found = session.scalar(visible_people(conference_id).where(Registration.id == rid))
    if found is None:
        raise PersonNotFound()
    return found


def _themes(conference_id: int, values: Any, errors: dict) -> list[int] | None:
    """Theme ids (or slugs) of this conference; None when left out."""
    if values is None:
        return None
    if not isinstance(values, list) or len(values) > MAX_THEMES:
        errors["themes"] = _l("een lijst van hoogstens %(n)d thema's", n=MAX_THEMES)
        return None
    known = db.session.execute(select(Theme.id, Theme.slug).filter_by(conference_id=conference_id))
    by_key: dict[Any, int] = {}
    for tid, slug in known:
        by_key[tid], by_key[slug] = tid, tid
    ids = []
    for value in values:
        key = as_id(value) if not (isinstance(value, str) and value in by_key) else value
        if key not in by_key:
            errors["themes"] = _l("onbekend thema")
            return None
        ids.append(by_key[key])
    return sorted(set(ids))


def clean_profile(conference_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """The profile fields of a body, checked; a 422 names every bad field."""
    errors: dict[str, Any] = {}
    visible = data.get("visible")
    if not isinstance(visible, bool):
        errors["visible"] = _l("kies ja of nee")
    clean: dict[str, Any] = {"visible": visible}
    for key, limit in (("sector", SECTOR_MAX), ("region", REGION_MAX), ("ask_me_about", ASK_MAX)):
        if key in data:
            clean[key] = text_field(data[key], key, limit, errors)
    themes = _themes(conference_id, data.get("themes"), errors)
    if themes is not None:
        clean["themes"] = themes
    if errors:
        raise Invalid(fields=errors)
    return clean


def save_profile(registration: Registration, data: dict[str, Any]) -> NetworkProfile:
    """Store the person's choice; hiding withdraws their open requests at once."""
    clean = clean_profile(registration.conference_id, data)
    if clean["visible"] and registration.status != "registered":
        raise NotRegistered()
    with write_transaction(db.session) as session:
        profile = session.get(NetworkProfile, registration.id, with_for_update=True)
        if profile is None:
            profile = NetworkProfile(
                registration_id=registration.id, conference_id=registration.conference_id
            )
            session.add(profile)
        for key in ("visible", "sector", "region", "ask_me_about"):
            if key in clean:
                setattr(profile, key, clean[key])
        profile.updated_at = utcnow()
        session.flush()
        if "themes" in clean:
            session.execute(delete(NetworkProfileTheme).filter_by(registration_id=registration.id))
            session.add_all(
                NetworkProfileTheme(registration_id=registration.id, theme_id=t)
                for t in clean["themes"]
            )
        if not profile.visible:
            withdraw_requests(session, registration.id)
    return profile


def withdraw_requests(session: Session, registration_id: int) -> None:
    """Cancel the open requests a person sent or received (they left the directory)."""
    session.execute(
        update(Meeting)
        .where(
            Meeting.status == "requested",
            or_(Meeting.requester_id == registration_id, Meeting.invitee_id == registration_id),
        )
        .values(status="canceled", answered_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def directory_query(conference_id: int, viewer_id: int, filters: Filters) -> Select:
    """The visible colleagues (not the viewer), filtered, in name order."""
    query = visible_people(conference_id).where(Registration.id != viewer_id)
    if filters.theme_id:
        query = query.where(
            exists().where(
                NetworkProfileTheme.registration_id == Registration.id,
                NetworkProfileTheme.theme_id == filters.theme_id,
            )
        )
    for column, value in (
        (NetworkProfile.sector, filters.sector),
        (NetworkProfile.region, filters.region),
    ):
        if value:
            query = query.where(func.lower(column).contains(value.lower(), autoescape=True))
    if filters.q:
        needle = filters.q.lower()
        query = query.where(
            or_(
                func.lower(Registration.first_name + " " + Registration.last_name).contains(
                    needle, autoescape=True
                ),
                func.lower(func.coalesce(Registration.organisation, "")).contains(
                    needle, autoescape=True
                ),
            )
        )
    return query.order_by(Registration.first_name, Registration.last_name, Registration.id)


def parse_filters(args: Any) -> Filters:
    """The directory's filters from a query string (unknown values are ignored)."""
    return Filters(
        theme_id=as_id(args.get("theme")),
        sector=tidy_search(args.get("sector"), "sector", SECTOR_MAX),
        region=tidy_search(args.get("region"), "region", REGION_MAX),
        q=tidy_search(args.get("q"), "q", 100),
    )


def directory(viewer: Registration, filters: Filters, page: int) -> Page:
    """One page of the directory, for a viewer who is visible themselves."""
    require_visible(viewer)
    return paginate(directory_query(viewer.conference_id, viewer.id, filters), page, PER_PAGE)


def _themes_json(profile: NetworkProfile | None, language: str) -> list[dict[str, Any]]:
    themes = sorted(profile.themes, key=lambda t: (t.position, t.id)) if profile else []
    return [
        {"id": t.id, "slug": t.slug, "name": (t.name_en if language == "en" else None) or t.name}
        for t in themes
    ]


def profile_json(reg: Registration, language: str) -> dict[str, Any]:
    """The person's own profile (`GET`/`PUT /api/v1/me/networking`)."""
    profile = profile_of(reg.id)
    return {
        "visible": is_visible(reg),
        "sector": profile.sector if profile else None,
        "region": profile.region if profile else None,
        "themes": _themes_json(profile, language),
        "ask_me_about": profile.ask_me_about if profile else None,
    }


def person_json(reg: Registration, profile: NetworkProfile, language: str) -> dict[str, Any]:
    """A colleague as the directory shows them: never an e-mail address."""
    return {
        "id": reg.id,
        "name": reg.full_name,
        "organisation": reg.organisation,
        "sector": profile.sector,
        "region": profile.region,
        "themes": _themes_json(profile, language),
        "ask_me_about": profile.ask_me_about,
    }


def profiles_for(ids: list[int]) -> dict[int, NetworkProfile]:
    """Profiles of some registrations, by id."""
    if not ids:
        return {}
    rows = db.session.scalars(select(NetworkProfile).where(NetworkProfile.registration_id.in_(ids)))
    return {p.registration_id: p for p in rows}


def block(blocker: Registration, blocked_id: Any) -> None:
    """Stop a person's requests to the blocker (their open ones are silenced); idempotent."""
    rid = as_id(blocked_id)
    if rid is None or rid == blocker.id:
        raise PersonNotFound()
    with write_transaction(db.session) as session:
        other = session.get(Registration, rid)
        if other is None or other.conference_id != blocker.conference_id:
            raise PersonNotFound()
        if session.get(NetworkBlock, (blocker.id, rid)) is None:
            session.add(NetworkBlock(blocker_id=blocker.id, blocked_id=rid))
        session.execute(
            update(Meeting)
            .where(
                Meeting.requester_id == rid,
                Meeting.invitee_id == blocker.id,
                Meeting.status == "requested",
            )
            .values(silenced=True)
            .execution_options(synchronize_session=False)
        )


def unblock(blocker: Registration, blocked_id: Any) -> None:
    """Allow a blocked person's requests again (earlier ones stay silent)."""
    rid = as_id(blocked_id)
    with write_transaction(db.session) as session:
        if rid is not None:
            session.execute(delete(NetworkBlock).filter_by(blocker_id=blocker.id, blocked_id=rid))


def blocked_people(blocker: Registration) -> list[Registration]:
    """The people this person blocked (to unblock them)."""
    return list(
        db.session.scalars(
            select(Registration)
            .join(NetworkBlock, NetworkBlock.blocked_id == Registration.id)
            .where(NetworkBlock.blocker_id == blocker.id)
            .order_by(Registration.first_name, Registration.last_name)
        )
    )


def is_blocked(session: Session, blocker_id: int, sender_id: int) -> bool:
    """Whether the blocker blocked this sender."""
    return session.get(NetworkBlock, (blocker_id, sender_id)) is not None
