"""Public programme pages: home, programme by block and by theme, activity and theme pages."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from conference.errors import NotFound
from conference.services import current_conference
from sessions.programme import services

bp = Blueprint("sessions", __name__)


@bp.get("/")
def home():
    """What, when, where, on site or online, and how registration works."""
    conf = current_conference()
    return render_template("sessions/home.html", conf=conf, themes=services.themes(conf))


@bp.get("/programma")
def programme():
    """The programme per block (default) or per theme, with live seat availability."""
    conf = current_conference()
    by_theme = request.args.get("per") == "thema"
    context = {"conf": conf, "by_theme": by_theme}
    if by_theme:
        acts = services.activities(conf)
        context["themes"] = [
            (t, [a for a in acts if a.theme_id == t.id]) for t in services.themes(conf)
        ]
        context["general"] = [a for a in acts if a.theme_id is None]
    else:
        context["groups"] = services.programme_by_block(conf)
    return render_template("sessions/programme.html", **context)


@bp.get("/programma/<slug>")
def activity(slug: str):
    """One activity: what, when, where, speakers, seats."""
    conf = current_conference()
    act = services.activity_by_slug(conf, slug)
    waiting = services.waitlist_counts(conf).get(act.id, 0)
    return render_template("sessions/activity.html", conf=conf, act=act, waiting=waiting)


@bp.get("/thema/<slug>")
def theme(slug: str):
    """One theme with its workshops, stream, online workshops and visits."""
    conf = current_conference()
    theme = next((t for t in services.themes(conf) if t.slug == slug), None)
    if theme is None:
        raise NotFound()
    acts = [a for a in services.activities(conf) if a.theme_id == theme.id]
    return render_template("sessions/theme.html", conf=conf, theme=theme, acts=acts)
