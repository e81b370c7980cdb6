"""Moderator screens of polls, beside the Q&A moderation: prepare, open, close, live results."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from conference.auth import role_required
from conference.errors import Invalid
from conference.services import current_conference
from conference.views import safe_next
from streaming.access import STREAM_STAFF, current_viewer
from streaming.polls import services
from streaming.polls.forms import PollActionForm, PollForm
from streaming.polls.views import bp, entries
from streaming.qa import qa_activity

moderator_required = role_required(*STREAM_STAFF)


@bp.route("/online/moderatie/<int:activity_id>/peilingen", methods=["GET", "POST"])
@moderator_required
def moderate(activity_id: int):
    """Every poll of an activity with its live results; a form to prepare a new one."""
    conf = current_conference()
    act = qa_activity(conf, activity_id)
    form = PollForm()
    status = 200
    if form.validate_on_submit():
        try:
            poll = services.create(conf, act.id, current_user, form.data_for_service())
        except Invalid as exc:  # the service's rules, shown next to their fields
            for name, message in (exc.fields or {}).items():
                if name in form:
                    form[name].errors = [*form[name].errors, message]
            status = 422
        else:
            flash(_l("De peiling staat klaar. Open ze wanneer je wilt."), "success")
            return redirect(f"{request.path}#peiling-{poll.id}")
    elif request.method == "POST":
        status = 422
    return render_template(
        "streaming/polls/moderate.html",
        conf=conf,
        act=act,
        form=form,
        mode="moderator",
        poll_entries=entries(act, current_viewer(), staff_view=True),
        poll_errors={},
        poll_return_to=request.path,
    ), status


@bp.post("/online/moderatie/peiling/<int:poll_id>")
@moderator_required
def move(poll_id: int):
    """Open or close a poll from a plain form."""
    form = PollActionForm()
    back = safe_next(form.next.data, url_for("streaming.moderate_index"))
    if form.validate_on_submit():
        services.move(current_conference(), poll_id, current_user, form.action.data)
        if form.action.data == "open":
            flash(_l("De peiling is open. Deelnemers kunnen stemmen."), "success")
        else:
            flash(_l("De peiling is gesloten. De resultaten blijven zichtbaar."), "success")
    return redirect(f"{back}#peiling-{poll_id}")
