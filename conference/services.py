"""Kernel services: the current conference and its settings."""

from __future__ import annotations

from typing import Any

from flask import current_app, g
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from conference import audit, hooks, snapshot
from conference.clock import isoformat
from conference.db import write_transaction
from conference.errors import BelowTaken, Invalid, NotFound
from conference.extensions import db
from conference.models import ALLOCATION_MODES, PROFILES, VENUE_MODES, Conference
from conference.validation import parse_time


def profile_quota_error(quotas: Any) -> Any | None:
    """What is wrong with a share per profile (each 0 to 1, together at most 1), or None."""
    if not isinstance(quotas, dict) or any(
        key not in PROFILES
        or isinstance(v, bool)
        or not isinstance(v, int | float)
        or not 0 <= v <= 1
        for key, v in quotas.items()
    ):
        return _l("geef per profiel een aandeel tussen 0 en 1")
    if sum(quotas.values()) > 1:
        return _l("de aandelen samen zijn meer dan 1")
    return None


# Settings an organiser may change: key -> (lowest, highest, may be None to switch it off).
SETTING_LIMITS: dict[str, tuple[int, int, bool]] = {
    "no_show_release_minutes": (5, 240, True),
    "venue_offer_hours": (1, 336, False),
    "seat_offer_hours": (1, 336, False),
    "join_link_lead_minutes": (0, 120, False),
    "reminder_hours_before": (1, 168, False),
    "colleague_hold_hours": (1, 336, False),
}


def current_conference(required: bool = True) -> Conference | None:
    """The conference this app serves (CONFERENCE_SLUG, else the first one), cached per request."""
    if "conference" not in g:
        slug = current_app.config.get("CONFERENCE_SLUG")
        query = select(Conference).order_by(Conference.id).limit(1)
        if slug:
            query = select(Conference).filter_by(slug=slug)
        g.conference = db.session.scalar(query)
    if g.conference is None and required:
        raise NotFound(
            _l("Er is nog geen conferentie geladen. Voer `flask --app conference init-db` uit.")
        )
    return g.conference


def conference_json(conf: Conference) -> dict[str, Any]:
    """The conference as the API shows it."""
    tz = conf.timezone
    return {
        "slug": conf.slug,
        "name": conf.name,
        "starts_at": isoformat(conf.starts_at, tz),
        "ends_at": isoformat(conf.ends_at, tz),
        "timezone": tz,
        "venue": conf.venue,
        "registration_opens_at": isoformat(conf.registration_opens_at, tz),
        "registration_closes_at": isoformat(conf.registration_closes_at, tz),
        "onsite_capacity": conf.onsite_capacity,
        "onsite_taken": conf.onsite_taken,
        "allocation_mode": conf.allocation_mode,
        "choice_opens_at": isoformat(conf.choice_opens_at, tz),
        "choice_closes_at": isoformat(conf.choice_closes_at, tz),
        "profile_quotas": dict(conf.profile_quotas or {}),
        "quota_release_at": isoformat(conf.quota_release_at, tz),
        "reconfirm_opens_at": isoformat(conf.reconfirm_opens_at, tz),
        "reconfirm_closes_at": isoformat(conf.reconfirm_closes_at, tz),
        "reconfirm_release": conf.reconfirm_release,
        "venue_mode": conf.venue_mode,
        "draw_at": isoformat(conf.draw_at, tz),
        "organisation_cap": conf.organisation_cap,
        **{key: conf.setting(key) for key in SETTING_LIMITS},
        "is_demo": conf.is_demo,
    }


def _moment(conf: Conference, data: dict[str, Any], key: str, errors: dict[str, Any]):
    try:
        return parse_time(data[key], key, around=conf.starts_at)
    except Invalid as exc:
        errors.update(exc.fields or {})
        return None


# The fields an organiser may change through `update_conference`.
CONFERENCE_FIELDS = frozenset({
    "onsite_capacity", "registration_opens_at", "registration_closes_at", "allocation_mode",
    "choice_opens_at", "choice_closes_at", "profile_quotas", "quota_release_at",
    "reconfirm_opens_at", "reconfirm_closes_at", "reconfirm_release",
    "venue_mode", "draw_at", "organisation_cap",
    *SETTING_LIMITS,
})  # fmt: skip

# The registration window must always have both ends; the other moments may be cleared.
REQUIRED_MOMENTS = ("registration_opens_at", "registration_closes_at")


def _settings_changes(data: dict[str, Any], errors: dict[str, Any]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for key, (low, high, may_be_off) in SETTING_LIMITS.items():
        if key not in data:
            continue
        value = data[key]
        if value is None and may_be_off:
            changes[key] = None
        elif isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            errors[key] = (
                _l("geef een geheel getal van %(low)d tot %(high)d, of leeg", low=low, high=high)
                if may_be_off
                else _l("geef een geheel getal van %(low)d tot %(high)d", low=low, high=high)
            )
        else:
            changes[key] = value
    return changes


MOMENTS = (
    "registration_opens_at", "registration_closes_at", "choice_opens_at", "choice_closes_at",
    "quota_release_at", "reconfirm_opens_at", "reconfirm_closes_at",
    "quota_release_at", "draw_at",
)  # fmt: skip


def _field_changes(
    conf: Conference, data: dict[str, Any], errors: dict[str, Any]
) -> dict[str, Any]:
    """The checked values of the conference's own columns in `data`; problems go to `errors`."""
    changes: dict[str, Any] = {}
    if "onsite_capacity" in data:
        cap = data["onsite_capacity"]
        if isinstance(cap, bool) or not isinstance(cap, int) or not 0 <= cap <= 100_000:
            errors["onsite_capacity"] = _l("geef een geheel getal van 0 tot 100000")
        else:
            changes["onsite_capacity"] = cap
    for key in MOMENTS:
        if key in data:
            if data[key] is None and key not in REQUIRED_MOMENTS:
                changes[key] = None
            elif (moment := _moment(conf, data, key, errors)) is not None:
                changes[key] = moment
    if "allocation_mode" in data:
        if data["allocation_mode"] not in ALLOCATION_MODES:
            errors["allocation_mode"] = _l("kies 'preferences' of 'fcfs'")
        else:
            changes["allocation_mode"] = data["allocation_mode"]
    if "reconfirm_release" in data:
        if not isinstance(data["reconfirm_release"], bool):
            errors["reconfirm_release"] = _l("kies true of false")
        else:
            changes["reconfirm_release"] = data["reconfirm_release"]
    if "profile_quotas" in data:
        quotas = data["profile_quotas"]
        if (error := profile_quota_error(quotas)) is not None:
            errors["profile_quotas"] = error
        else:
            changes["profile_quotas"] = {k: float(v) for k, v in quotas.items()}
    changes.update(_draw_changes(data, errors))
    return changes


def _draw_changes(data: dict[str, Any], errors: dict[str, Any]) -> dict[str, Any]:
    """The venue mode and the organisation cap of the draw (issue 15); `draw_at` is a moment."""
    changes: dict[str, Any] = {}
    if "venue_mode" in data:
        if data["venue_mode"] not in VENUE_MODES:
            errors["venue_mode"] = _l("kies 'fcfs' of 'draw'")
        else:
            changes["venue_mode"] = data["venue_mode"]
    if "organisation_cap" in data:
        cap = data["organisation_cap"]
        if cap is not None and (
            isinstance(cap, bool) or not isinstance(cap, int) or not 1 <= cap <= 100_000
        ):
            errors["organisation_cap"] = _l("geef een geheel getal van 1 tot 100000, of leeg")
        else:
            changes["organisation_cap"] = cap
    return changes


def _check_windows(conf: Conference, changes: dict[str, Any], errors: dict[str, Any]) -> None:
    """Each window (registration, choice) must close after it opens, as changed."""
    opens = changes.get("registration_opens_at", conf.registration_opens_at)
    closes = changes.get("registration_closes_at", conf.registration_closes_at)
    if not errors and closes <= opens:
        errors["registration_closes_at"] = _l("moet na de opening van de inschrijvingen liggen")
    c_open = changes.get("choice_opens_at", conf.choice_opens_at)
    c_close = changes.get("choice_closes_at", conf.choice_closes_at)
    if not errors and c_open and c_close and c_close <= c_open:
        errors["choice_closes_at"] = _l("moet na de opening van de keuzeronde liggen")
    r_open = changes.get("reconfirm_opens_at", conf.reconfirm_opens_at)
    r_close = changes.get("reconfirm_closes_at", conf.reconfirm_closes_at)
    if not errors and (r_open is None) != (r_close is None):
        errors["reconfirm_closes_at"] = _l("geef zowel het begin als het einde van de bevestiging")
    if not errors and r_open and r_close and r_close <= r_open:
        errors["reconfirm_closes_at"] = _l("moet na het begin van de bevestiging liggen")


def _set_capacity(session: Session, conf: Conference, cap: int) -> None:
    """Set the venue cap, never below the places taken; more places go to the waiting list."""
    raised = cap > conf.onsite_capacity
    # One conditional UPDATE: a rush of registrations cannot slip under a lowered cap.
    done = session.execute(
        update(Conference)
        .where(Conference.id == conf.id, Conference.onsite_taken <= cap)
        .values(onsite_capacity=cap)
    ).rowcount
    if not done:
        raise BelowTaken()
    session.refresh(conf)
    if raised:
        hooks.venue_capacity_raised.send(conf, session=session)


def update_conference(
    conf: Conference, data: dict[str, Any], *, actor: Any = None, reason: str | None = None
) -> Conference:
    """Apply an organiser's settings change; the venue cap never drops below the places taken."""
    errors: dict[str, Any] = {
        key: _l("onbekend veld") for key in data if key not in CONFERENCE_FIELDS
    }
    changes = _field_changes(conf, data, errors)
    settings = _settings_changes(data, errors)
    _check_windows(conf, changes, errors)
    if errors:
        raise Invalid(fields=errors)

    with write_transaction(db.session) as session:
        snapshot.changed(session)  # the cap is set by a bulk UPDATE the ORM does not see
        audited = list(changes)
        before = {key: getattr(conf, key) for key in audited}
        if "onsite_capacity" in changes:
            _set_capacity(session, conf, changes.pop("onsite_capacity"))
        mode_before = conf.venue_mode
        for key, value in changes.items():
            setattr(conf, key, value)
        if conf.venue_mode != mode_before:
            session.flush()
            hooks.venue_mode_changed.send(conf, session=session)
        if settings:
            before.update({key: conf.setting(key) for key in settings})
            # A new dict, so SQLAlchemy sees the JSON column change.
            conf.settings = {**(conf.settings or {}), **settings}
            audited += list(settings)
        after = {
            key: (getattr(conf, key) if key not in settings else conf.setting(key))
            for key in audited
        }
        audit.record_changes(
            session, actor=actor, action="conference.update", target_type="conference",
            target_id=conf.id, before=before, after=after, reason=reason,
        )  # fmt: skip
    return conf
