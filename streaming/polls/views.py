"""Attendee pages of polls: the vote page (the room screen's QR leads here), its live fragment."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import lazy_gettext as _l

from conference import live
from conference.errors import DomainError
from conference.extensions import limiter
from conference.i18n import lang
from conference.mail.qr import qr_svg
from conference.services import current_conference
from conference.views import safe_next
from sessions.programme.models import Activity
from streaming.access import Viewer, current_viewer, viewer_required
from streaming.api import per_person
from streaming.polls import results, services
from streaming.polls.forms import VoteForm
from streaming.qa import QA_KINDS, qa_activity

bp = Blueprint("polls", __name__)
MODES = ("attendee", "moderator", "screen")


def entries(act: Activity, viewer: Viewer, staff_view: bool = False) -> list[dict[str, Any]]:
    """Each poll of the activity with its counts and the viewer's own vote, for the templates."""
    polls = results.polls_of(act, staff_view)
    mine = results.my_votes([p.id for p in polls], viewer)
    return [
        {"poll": p, "results": results.results(p, lang()), "mine": mine.get(p.id)} for p in polls
    ]


def screen_context(act: Activity) -> dict[str, Any]:
    """The room screen's poll (the open one, else the last closed) and the QR to vote."""
    poll = results.shown_on_screen(act)
    page_url = current_app.config["BASE_URL"].rstrip("/") + url_for(
        "polls.page", activity_id=act.id
    )
    return {
        "screen_poll": {"poll": poll, "results": results.results(poll, lang())} if poll else None,
        "vote_page": page_url,
        "vote_qr": qr_svg(
            page_url, border=2, attributes={"aria-hidden": "true", "focusable": "false"}
        )
        if poll is not None and poll.status == "open"
        else None,
    }


def panel_context(act: Activity, viewer: Viewer, return_to: str) -> dict[str, Any]:
    """What the polls panel beside a stream (or on its own page) needs."""
    if act.kind not in QA_KINDS:
        return {"polls_enabled": False}
    return {
        "polls_enabled": True,
        "poll_entries": entries(act, viewer),
        "vote_form": VoteForm(formdata=None),
        "poll_return_to": return_to,
        "poll_errors": {},
    }


def _page(act: Activity, viewer: Viewer, back: str, errors: dict | None = None, status=200):
    context = panel_context(act, viewer, back)
    context["poll_errors"] = errors or {}
    return render_template(
        "streaming/polls/page.html", conf=current_conference(), act=act, **context
    ), status


@bp.get("/online/peilingen/<int:activity_id>")
@viewer_required
def page(activity_id: int):
    """The polls of an activity on their own: vote from a phone in the room."""
    act = qa_activity(current_conference(), activity_id)
    return _page(act, current_viewer(), request.path)


@bp.get("/online/peilingen/<int:activity_id>/lijst")
@viewer_required
@live.conditional(results.activity_polls_etag)
def fragment(activity_id: int):
    """The polls as an HTML fragment (304 from the stamps when unchanged), for the page's script."""
    act = qa_activity(current_conference(), activity_id)
    viewer = current_viewer()
    mode = request.args.get("mode", "attendee")
    if mode not in MODES or (mode != "attendee" and not viewer.staff):
        mode = "attendee"
    back = safe_next(request.args.get("next"), url_for("polls.page", activity_id=act.id))
    context: dict[str, Any] = {"act": act, "mode": mode, "poll_return_to": back}
    if mode == "screen":
        context.update(screen_context(act))
    else:
        context["poll_entries"] = entries(act, viewer, staff_view=mode == "moderator")
        context["poll_errors"] = {}
    response = Response(render_template("streaming/polls/_list.html", **context))
    # The stamp this list is at (read for its ETag): the page applies the pushed counts after it.
    response.headers["X-Live-Version"] = live.stamps([results.polls_topic(act.id)]) or ""
    return response


def ballot_from_form(kind: str) -> dict[str, Any]:
    """The plain form's fields as the API's body: numbers where they are numbers."""

    def number(value: str) -> Any:
        return int(value) if value.isdigit() and len(value) < 4 else value

    if kind == "scale":
        score = request.form.get("score")
        return {"score": number(score)} if score else {}
    return {"options": [number(v) for v in request.form.getlist("option")]}


@bp.post("/online/peilingen/stem/<int:poll_id>")
@limiter.limit("60/minute", key_func=per_person)
@viewer_required
def vote(poll_id: int):
    """Vote from a plain form (without JavaScript); a problem shows next to the poll."""
    conf = current_conference()
    viewer = current_viewer()
    poll = services.visible_poll(conf, poll_id, viewer)
    form = VoteForm()
    back = safe_next(form.next.data, url_for("polls.page", activity_id=poll.activity_id))
    if not form.validate_on_submit():
        return redirect(back)
    had_voted = bool(results.my_votes([poll.id], viewer))
    try:
        services.vote(conf, poll.id, viewer, ballot_from_form(poll.kind))
    except DomainError as exc:
        message = next(iter((exc.fields or {}).values()), exc.message)
        errors = {poll.id: (exc.message, message)}
        return _page(qa_activity(conf, poll.activity_id), viewer, back, errors, exc.status)
    flash(_l("Je stem is aangepast.") if had_voted else _l("Je stem is geteld."), "success")
    return redirect(f"{back}#peiling-{poll.id}")
