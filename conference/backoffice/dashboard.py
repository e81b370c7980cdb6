"""The organiser dashboard's figures: registrations over time, places, profiles, seats, the day."""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import distinct, func, select

from conference.admin import PROFILE_LABELS
from conference.backoffice.charts import Bar, BarChart, LineChart, Series
from conference.backoffice.common import label
from conference.clock import local, utcnow
from conference.extensions import db
from conference.models import PROFILES, Conference
from registration.checkin.lists import entrance_stats
from registration.draw.fairness import fairness_figures
from registration.models import NOT_ATTENDING, Registration
from registration.questions.services import choice_counts
from registration.reconfirm.services import figures as reconfirm_figures
from sessions.programme.models import SEATED_KINDS, Activity
from sessions.seats.models import AllocationRun, Preference, Seat
from streaming.presence import live_viewer_counts

log = logging.getLogger(__name__)


# Pages of the other packages the dashboard links to, when the person's role may see them.
LINKS = (
    ("checkin.choose", _l("Scanner voor de check-in")),
    ("checkin.figures", _l("Check-in: cijfers live")),
    ("streaming.moderate_index", _l("Vragen modereren")),
    ("streaming.admin", _l("Streams beheren")),
    ("seats.capacity_board", _l("Capaciteit per activiteit")),
    ("seats.allocation", _l("Verdeling bekijken")),
    ("seats.move", _l("Iemand verplaatsen")),
)


def staff_links(user: Any) -> dict[str, dict[str, str]]:
    """Endpoint -> {url, text} for the pages above that the person's role may see."""
    links = {}
    for endpoint, text in LINKS:
        roles = current_app.view_functions[endpoint].required_roles
        if roles and user.has_role(*roles):
            links[endpoint] = {"url": url_for(endpoint), "text": str(text)}
    return links


def dashboard_context(conf: Conference, user: Any) -> dict[str, Any]:
    """Everything the dashboard shows; staff other than organisers get only their links."""
    links = staff_links(user)
    if getattr(user, "role", None) != "organiser":
        return {"organiser_view": False, "links": links}
    return {
        "organiser_view": True,
        "links": links,
        "places": places(conf),
        "reconfirm": reconfirm_figures(conf.id) if conf.reconfirm_opens_at else None,
        "timeline": registrations_timeline(conf),
        "profiles": profile_figures(conf),
        "fairness": fairness_figures(db.session, conf),
        "sectors": sector_figures(conf),
        "answer_counts": choice_counts(conf.id),
        "seats": seat_figures(conf),
        "allocation": allocation_status(conf),
        "arrivals": arrival_figures(conf),
        "viewers": viewer_figures(conf),
    }


def _active(conf: Conference):
    return Registration.conference_id == conf.id, Registration.status.not_in(NOT_ATTENDING)


def places(conf: Conference) -> dict[str, int]:
    """On-site places taken and left, people waiting for one, registrations per mode."""
    counts = dict(
        db.session.execute(
            select(Registration.mode, func.count())
            .where(Registration.conference_id == conf.id, Registration.status == "registered")
            .group_by(Registration.mode)
        ).all()
    )
    waiting = db.session.scalar(
        select(func.count()).where(*_active(conf), Registration.venue_waitlisted_at.is_not(None))
    )
    invited = db.session.scalar(
        select(func.count()).where(
            Registration.conference_id == conf.id, Registration.status == "invited"
        )
    )
    return {
        "capacity": conf.onsite_capacity,
        "taken": conf.onsite_taken,
        "invited": invited or 0,
        "left": conf.onsite_left,
        "waiting": waiting or 0,
        "onsite": counts.get("onsite", 0),
        "online": counts.get("online", 0),
    }


def registrations_timeline(conf: Conference, today: date | None = None) -> dict[str, Any] | None:
    """Cumulative registrations per day, on site and online, with the venue cap line."""
    rows = db.session.execute(
        select(Registration.created_at, Registration.mode).where(
            Registration.conference_id == conf.id, Registration.status == "registered"
        )
    ).all()
    if not rows:
        return None
    tz = conf.timezone
    per_day: dict[date, Counter] = defaultdict(Counter)
    for created, mode in rows:
        per_day[local(created, tz).date()][mode] += 1
    first = min(per_day)
    last = max(
        max(per_day),
        min(today or local(utcnow(), tz).date(), local(conf.registration_closes_at, tz).date()),
    )
    days, onsite, online = [], [], []
    total_on = total_off = 0
    day = first
    while day <= last:
        total_on += per_day[day]["onsite"]
        total_off += per_day[day]["online"]
        days.append(day)
        onsite.append(total_on)
        online.append(total_off)
        day += timedelta(days=1)
    labels = [format_date(d, "d MMM") for d in days]
    chart = LineChart(
        labels=labels,
        series=[
            Series(_("Ter plaatse"), "line-onsite", onsite),
            Series(_("Online"), "line-online", online),
        ],
        limit=conf.onsite_capacity or None,
        limit_name=_("Maximum ter plaatse"),
    ).layout()
    table = [
        {"day": d, "label": format_date(d, "EEEE d MMMM"), "onsite": a, "online": b}
        for d, a, b in zip(days, onsite, online, strict=True)
    ]
    return {"chart": chart, "table": table, "onsite": total_on, "online": total_off}


def profile_figures(conf: Conference) -> dict[str, Any]:
    """Registrations per profile and mode; whether the practitioners' share is reached."""
    rows = db.session.execute(
        select(Registration.profile, Registration.mode, func.count())
        .where(Registration.conference_id == conf.id, Registration.status == "registered")
        .group_by(Registration.profile, Registration.mode)
    ).all()
    per: dict[str, Counter] = defaultdict(Counter)
    for profile, mode, count in rows:
        per[profile][mode] += count
    onsite_total = sum(c["onsite"] for c in per.values())
    total = sum(sum(c.values()) for c in per.values())
    table = [
        {
            "profile": p,
            "label": label(PROFILE_LABELS, p),
            "onsite": per[p]["onsite"],
            "online": per[p]["online"],
            "total": per[p]["onsite"] + per[p]["online"],
            "onsite_share": per[p]["onsite"] / onsite_total if onsite_total else 0.0,
            "share": (per[p]["onsite"] + per[p]["online"]) / total if total else 0.0,
        }
        for p in PROFILES
    ]
    target = (conf.profile_quotas or {}).get("practitioner")
    share = per["practitioner"]["onsite"] / onsite_total if onsite_total else 0.0
    return {
        "table": table,
        "total": total,
        "onsite_total": onsite_total,
        "practitioner_share": share,
        "practitioner_target": target,
        "practitioner_reached": None if not target else share >= target,
        "max": max([r["total"] for r in table] + [1]),
    }


def sector_figures(conf: Conference, limit: int = 12) -> list[dict[str, Any]]:
    """The most frequent sectors (as typed, case-insensitive), most first."""
    key = func.lower(func.trim(Registration.sector))
    rows = db.session.execute(
        select(func.min(Registration.sector), func.count())
        .where(
            Registration.conference_id == conf.id,
            Registration.status == "registered",
            Registration.sector.is_not(None),
            func.trim(Registration.sector) != "",
        )
        .group_by(key)
        .order_by(func.count().desc(), key)
        .limit(limit)
    ).all()
    return [{"sector": sector, "count": count} for sector, count in rows]


def seat_figures(conf: Conference) -> dict[str, Any]:
    """Seats taken of the seated activities (workshops, visits, online workshops)."""
    rows = db.session.execute(
        select(Activity.kind, Activity.capacity, Activity.taken).where(
            Activity.conference_id == conf.id, Activity.kind.in_(SEATED_KINDS)
        )
    ).all()
    per_kind: dict[str, dict[str, int]] = {}
    for kind, cap, taken in rows:
        entry = per_kind.setdefault(kind, {"activities": 0, "capacity": 0, "taken": 0, "full": 0})
        entry["activities"] += 1
        entry["capacity"] += cap or 0
        entry["taken"] += taken
        entry["full"] += int(cap is not None and taken >= cap)
    return {"per_kind": per_kind}


def allocation_status(conf: Conference) -> dict[str, Any]:
    """The preference round: window, people who chose, the latest run and publication."""
    now = utcnow()
    choosers = db.session.scalar(
        select(func.count(distinct(Preference.registration_id)))
        .join(Registration, Registration.id == Preference.registration_id)
        .where(Registration.conference_id == conf.id, Registration.status.not_in(NOT_ATTENDING))
    )
    seats = db.session.scalar(
        select(func.count(Seat.id))
        .join(Activity, Activity.id == Seat.activity_id)
        .where(Activity.conference_id == conf.id)
    )
    latest = db.session.scalar(
        select(AllocationRun)
        .filter_by(conference_id=conf.id)
        .order_by(AllocationRun.created_at.desc(), AllocationRun.id.desc())
        .limit(1)
    )
    overall = ((latest.stats or {}).get("overall", {}) if latest is not None else {}) or {}
    if conf.choice_opens_at and now < conf.choice_opens_at:
        window = "before"
    elif conf.choice_open(now):
        window = "open"
    elif conf.choice_closes_at:
        window = "closed"
    else:
        window = "none"
    return {
        "mode": conf.allocation_mode,
        "window": window,
        "choosers": choosers or 0,
        "seats": seats or 0,
        "published_at": conf.allocation_published_at,
        "latest": latest,
        "first_choice_share": overall.get("first_choice_share"),
        "assigned": overall.get("assigned"),
        "unassigned": overall.get("unassigned"),
    }


def arrival_figures(conf: Conference) -> dict[str, Any] | None:
    """Entrance arrivals per quarter hour and inside now, from the check-in lists."""
    try:
        stats = entrance_stats(conf)
    except Exception:  # one failing figure must not take the whole dashboard down
        log.exception("check-in figures unavailable")
        db.session.rollback()
        return None
    quarters = stats.get("per_quarter_hour") or []
    bars = []
    for q in quarters:
        start = datetime.fromisoformat(q["start"])
        bars.append(Bar(label=start.strftime("%H:%M"), value=int(q["arrivals"])))
    return {
        "expected": stats.get("expected", 0),
        "checked_in": stats.get("checked_in", 0),
        "inside": stats.get("inside", 0),
        "quarters": bars,
        "chart": BarChart(bars=[Bar(b.label, b.value) for b in bars]).layout() if bars else None,
    }


def viewer_figures(conf: Conference) -> list[dict[str, Any]] | None:
    """People watching each stream or online workshop now, from the streaming package."""
    try:
        counts = live_viewer_counts(conf)
    except Exception:  # one failing figure must not take the whole dashboard down
        log.exception("viewer figures unavailable")
        db.session.rollback()
        return None
    acts = db.session.scalars(
        select(Activity)
        .where(
            Activity.conference_id == conf.id,
            Activity.kind.in_(("stream", "online_workshop", "radio", "plenary")),
        )
        .order_by(Activity.starts_at, Activity.position)
    ).all()
    rows = [{"activity": a, "viewers": counts.get(a.id, 0)} for a in acts if a.mode != "onsite"]
    top = max([r["viewers"] for r in rows] + [1])
    for r in rows:
        r["width"] = round(100 * r["viewers"] / top)
    return rows
