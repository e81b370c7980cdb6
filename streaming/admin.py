"""Staff pages: streams overview and settings, the moderator screen, the projector's room screen."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from conference.auth import organiser_required, role_required
from conference.clock import utcnow
from conference.errors import DomainError
from conference.extensions import db
from conference.mail.qr import qr_svg
from conference.services import current_conference
from conference.views import safe_next
from sessions.programme.models import Activity
from streaming import presence, qa, services, sources
from streaming.access import STREAM_STAFF, current_viewer
from streaming.forms import ActionForm, ModerationForm, OverrideForm, StreamSettingsForm
from streaming.models import StreamSettings
from streaming.polls.views import screen_context
from streaming.views import bp

moderator_required = role_required(*STREAM_STAFF)

ACTIONS = {
    "approve": {"status": "approved"},
    "hide": {"status": "hidden"},
    "pending": {"status": "pending"},
    "pin": {"pinned": True},
    "unpin": {"pinned": False},
    "answer": {"answered": True},
    "unanswer": {"answered": False},
}


def _qa_activities(conf) -> list[Activity]:
    return services.online_activities(conf, qa.QA_KINDS)


@bp.get("/online/moderatie")
@moderator_required
def moderate_index():
    """Every activity with a Q&A: questions waiting, viewers now, links to both screens."""
    conf = current_conference()
    acts = sorted(_qa_activities(conf), key=lambda a: (a.starts_at, a.position, a.id))
    return render_template(
        "streaming/moderate_index.html",
        conf=conf,
        acts=acts,
        pending=qa.pending_counts(conf),
        viewers=presence.live_viewer_counts(conf),
    )


@bp.get("/online/moderatie/<int:activity_id>")
@moderator_required
def moderate(activity_id: int):
    """The moderator screen: every question with its actions, the stream's status, viewers."""
    conf = current_conference()
    act = qa.qa_activity(conf, activity_id)
    settings = db.session.get(StreamSettings, act.id)
    state = services.stream_state(act, settings, utcnow())
    form = OverrideForm(
        formdata=None, override=(settings.status_override if settings else "") or ""
    )
    return render_template(
        "streaming/moderate.html",
        conf=conf,
        act=act,
        settings=settings,
        state=state,
        streamed=act.kind in services.ONLINE_KINDS,
        override_form=form,
        questions=qa.questions_for(act, current_viewer(), moderator=True),
        voted=set(),
        action_form=ActionForm(formdata=None),
        viewers=presence.live_viewer_counts(conf).get(act.id, 0),
        return_to=request.path,
    )


@bp.post("/online/moderatie/vraag/<int:question_id>")
@moderator_required
def moderate_question(question_id: int):
    """Apply one moderator action from a plain form."""
    form = ModerationForm()
    back = safe_next(form.next.data, url_for("streaming.moderate_index"))
    if form.validate_on_submit():
        qa.moderate(question_id, current_user, dict(ACTIONS[form.action.data]))
        flash(_l("Opgeslagen."), "success")
    return redirect(f"{back}#vraag-{question_id}")


@bp.post("/online/moderatie/<int:activity_id>/status")
@moderator_required
def set_status(activity_id: int):
    """Override the status viewers see (live now, delayed, ended) or follow the programme."""
    conf = current_conference()
    form = OverrideForm()
    back = safe_next(form.next.data, url_for("streaming.moderate", activity_id=activity_id))
    if form.validate_on_submit():
        services.set_override(conf, activity_id, form.override.data or None, current_user)
        flash(_l("De status is aangepast. Kijkers zien het binnen enkele seconden."), "success")
    return redirect(back)


@bp.get("/online/scherm/<int:activity_id>")
@moderator_required
def room_screen(activity_id: int):
    """The projector view: a QR code to ask questions and the most-voted questions."""
    conf = current_conference()
    act = qa.qa_activity(conf, activity_id)
    ask_url = current_app.config["BASE_URL"].rstrip("/") + url_for(
        "streaming.questions", activity_id=act.id
    )
    return render_template(
        "streaming/screen.html",
        conf=conf,
        act=act,
        ask_url=ask_url,
        qr=qr_svg(ask_url, border=2, attributes={"aria-hidden": "true", "focusable": "false"}),
        questions=qa.top_questions(act),
        voted=set(),
        mode="screen",
        **screen_context(act),
    )


@bp.get("/online/beheer")
@moderator_required
def admin():
    """Streams with their status, source and viewers now (organisers and moderators)."""
    conf = current_conference()
    acts = services.online_activities(conf)
    settings = services.settings_for([a.id for a in acts])
    moment = utcnow()
    rows = [
        (
            act,
            services.stream_state(act, settings.get(act.id), moment),
            sources.live_source(act, settings.get(act.id))
            if act.kind in services.STREAM_KINDS
            else None,
        )
        for act in acts
    ]
    return render_template(
        "streaming/admin.html",
        conf=conf,
        rows=rows,
        viewers=presence.live_viewer_counts(conf, moment),
        now=moment,
    )


@bp.route("/online/beheer/<int:activity_id>", methods=["GET", "POST"])
@organiser_required
def admin_edit(activity_id: int):
    """An organiser sets a stream's provider, source, replay, captions and description."""
    conf = current_conference()
    act = services.online_activity(conf, activity_id, services.STREAM_KINDS)
    settings = db.session.get(StreamSettings, act.id)
    form = StreamSettingsForm(obj=settings)
    error_fields: dict = {}
    if form.validate_on_submit():
        data = {
            "provider": form.provider.data or None,
            "source": form.source.data,
            "replay_provider": form.replay_provider.data or None,
            "replay_source": form.replay_source.data,
            "has_captions": bool(form.has_captions.data),
            "captions_url": form.captions_url.data,
            "description": form.description.data,
            "description_en": form.description_en.data,
        }
        try:
            services.update_settings(conf, act.id, data)
        except DomainError as exc:
            error_fields = exc.fields or {}
            for name, message in error_fields.items():
                if name in form:
                    form[name].errors = [*form[name].errors, message]
        else:
            flash(_l("De stream is bijgewerkt."), "success")
            return redirect(url_for("streaming.admin_edit", activity_id=act.id))
    source = sources.live_source(act, settings)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "streaming/admin_edit.html", conf=conf, act=act, form=form, source=source
    ), status
