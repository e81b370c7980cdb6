"""Attendee pages: the online day now, watch pages with Q&A, the radio, join links, certificates."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import lazy_gettext as _l

from conference import live
from conference.auth import public
from conference.clock import utcnow
from conference.errors import Invalid, NotFound
from conference.extensions import db, limiter
from conference.i18n import lang
from conference.security import allow_sources
from conference.services import current_conference
from conference.views import safe_next
from registration.access import attendee_required, current_registration
from registration.links import external_url
from sessions.agenda.follows import can_follow, is_following
from streaming import certificates, presence, qa, services, updates
from streaming.access import current_viewer, join_opens_at, may_join, viewer_required
from streaming.certificate_pdf import render_pdf
from streaming.forms import ActionForm, QuestionForm
from streaming.models import StreamSettings
from streaming.polls.views import panel_context

bp = Blueprint("streaming", __name__)


def allow_player(source, settings=None) -> None:
    """Let this page's CSP reach the stream's host: a frame for embeds, media for HLS/audio."""
    if source is None:
        return
    captions = [settings.captions_url] if settings is not None and settings.captions_url else []
    if source.provider in ("hls", "audio"):
        allow_sources(media=[source.embed_url, *captions], connect=[source.embed_url, *captions])
    else:
        allow_sources(frame=[source.embed_url], media=captions)


def radio_context(conf, viewer, exclude_id: int | None = None) -> dict:
    """The radio, one tap away on every online page (its player only for registered people)."""
    radios = services.online_activities(conf, ("radio",))
    radio = next((r for r in radios if r.id != exclude_id), None)
    if radio is None:
        return {"radio": None, "radio_source": None}
    settings = db.session.get(StreamSettings, radio.id)
    state = services.stream_state(radio, settings, utcnow())
    source = services.current_source(radio, settings, state, lang()) if viewer.may_watch else None
    allow_player(source, settings)
    return {"radio": radio, "radio_source": source, "radio_state": state}


@bp.get("/online")
@public
def now():
    """What is live now and what comes next; watch links for registered attendees."""
    conf = current_conference()
    viewer = current_viewer()
    moment = utcnow()
    groups = services.now_and_next(conf, moment)
    workshops = [
        (act, may_join(viewer, conf, act, moment), join_opens_at(conf, act))
        for act, _state in groups["upcoming"] + groups["live"]
        if act.kind == "online_workshop" and viewer.has_seat(act.id)
    ]
    return render_template(
        "streaming/now.html",
        conf=conf,
        viewer=viewer,
        live=groups["live"],
        upcoming=groups["upcoming"],
        ended=groups["ended"],
        my_workshops=sorted(workshops, key=lambda w: w[0].starts_at),
        now=moment,
        **radio_context(conf, viewer),
    )


@bp.get("/online/radio")
@public
def radio():
    """The radio's page (a short address for posters and the menu)."""
    radios = services.online_activities(current_conference(), ("radio",))
    if not radios:
        raise NotFound()
    return redirect(url_for("streaming.watch", activity_id=radios[0].id))


def qa_context(conf, act, viewer) -> dict:
    """What the Q&A panel beside a stream or on its own page needs."""
    if act.kind not in qa.QA_KINDS:
        return {"qa_enabled": False}
    return {
        "qa_enabled": True,
        "questions": qa.questions_for(act, viewer),
        "voted": qa.voted_ids(act, viewer),
        "question_form": QuestionForm(formdata=None),
        "action_form": ActionForm(formdata=None),
        "premoderated": qa.premoderated(conf),
    }


def follow_state(act, viewer) -> dict | None:
    """Whether the viewer can follow this stream in their agenda, and does (when offered)."""
    if viewer.registration is None or not can_follow(act):
        return None
    return {"following": is_following(viewer.registration, act.id)}


@bp.get("/online/kijk/<int:activity_id>")
@viewer_required
def watch(activity_id: int):
    """A stream's player (or an online workshop's join button) with the Q&A beside it."""
    conf = current_conference()
    viewer = current_viewer()
    act = services.online_activity(conf, activity_id)
    settings = db.session.get(StreamSettings, act.id)
    moment = utcnow()
    state = services.stream_state(act, settings, moment)
    source = None
    if act.kind in services.STREAM_KINDS:
        source = services.current_source(act, settings, state, lang())
        allow_player(source, settings)
    return render_template(
        "streaming/watch.html",
        follow=follow_state(act, viewer),
        conf=conf,
        act=act,
        settings=settings,
        state=state,
        source=source,
        # A player from another website loads after a tap (the still's link, without script).
        start_player=request.args.get("speler") == "1",
        viewer=viewer,
        can_join=may_join(viewer, conf, act, moment),
        join_at=join_opens_at(conf, act),
        return_to=request.path,
        **qa_context(conf, act, viewer),
        **panel_context(act, viewer, request.path),
        **radio_context(conf, viewer, exclude_id=act.id),
    )


@bp.get("/online/kijk/<int:activity_id>/deelnemen")
@viewer_required
def join(activity_id: int):
    """Open an online workshop's video room (only with a seat, from shortly before the start)."""
    conf = current_conference()
    viewer = current_viewer()
    act = services.online_activity(conf, activity_id, ("online_workshop",))
    if not may_join(viewer, conf, act, utcnow()):
        if not viewer.has_seat(act.id) and not viewer.staff:
            flash(_l("Deze online workshop is enkel voor wie er een plaats heeft."), "warning")
        else:
            flash(_l("De link naar de videoruimte verschijnt kort voor de start."), "warning")
        return redirect(url_for("streaming.watch", activity_id=act.id))
    presence.record_join(conf, act.id, viewer)
    response = redirect(act.join_url)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/online/vragen/<int:activity_id>", methods=["GET", "POST"])
@viewer_required
def questions(activity_id: int):
    """The Q&A of an activity on its own (on site: reached by the QR on the room's screen)."""
    conf = current_conference()
    viewer = current_viewer()
    act = qa.qa_activity(conf, activity_id)
    form = QuestionForm()
    back = safe_next(form.next.data or request.args.get("next"), request.path)
    if form.validate_on_submit():
        try:
            qa.ask(conf, act.id, viewer, form.text.data)
        except Invalid as exc:  # the rules on the tidied text: shown next to the field
            form.text.errors = [*(exc.fields or {}).values()] or [exc.message]
        else:
            if viewer.staff or not qa.premoderated(conf):
                flash(_l("Je vraag staat in de lijst."), "success")
            else:
                flash(
                    _l("Bedankt! Je vraag is verstuurd. Een moderator bekijkt ze eerst."), "success"
                )
            return redirect(back)
    context = qa_context(conf, act, viewer)
    status = 200
    if request.method == "POST":
        context["question_form"] = form  # show the errors next to the field
        status = 422
    return render_template(
        "streaming/questions.html", conf=conf, act=act, viewer=viewer, return_to=back, **context
    ), status


@bp.get("/online/vragen/<int:activity_id>/lijst")
@viewer_required
@live.conditional(updates.qa_fragment_etag)
def questions_fragment(activity_id: int):
    """The list of questions as an HTML fragment, for the page's script to refresh it.

    Unchanged since the ETag: 304 from the Q&A's stamp, before any query (`conference.live`).
    """
    conf = current_conference()
    viewer = current_viewer()
    act = qa.qa_activity(conf, activity_id)
    mode = request.args.get("mode", "attendee")
    if mode not in ("attendee", "moderator", "screen") or (mode != "attendee" and not viewer.staff):
        mode = "attendee"
    if mode == "screen":
        items = qa.top_questions(act)
    else:
        items = qa.questions_for(act, viewer, moderator=mode == "moderator")
    response = make_response(
        render_template(
            "streaming/_qa_list.html",
            act=act,
            questions=items,
            voted=qa.voted_ids(act, viewer),
            action_form=ActionForm(formdata=None),
            mode=mode,
            return_to=safe_next(
                request.args.get("next"), url_for("streaming.questions", activity_id=act.id)
            ),
        )
    )
    # The stamp this list is at (read for its ETag): the page applies the pushed changes after it.
    response.headers["X-Live-Version"] = live.stamps([updates.qa_topic(act.id)]) or ""
    return response


@bp.post("/online/vragen/stem/<int:question_id>")
@viewer_required
def vote(question_id: int):
    """Vote for a question from a plain form (without JavaScript)."""
    form = ActionForm()
    back = safe_next(form.next.data, url_for("streaming.now"))
    if form.validate_on_submit():
        _votes, added = qa.vote(question_id, current_viewer())
        if added:
            flash(_l("Je stem is geteld."), "success")
        else:
            flash(_l("Je had al gestemd voor deze vraag."), "info")
    return redirect(f"{back}#vraag-{question_id}")


# -- certificates ----------------------------------------------------------------------------


@bp.get("/online/attest")
@attendee_required
def certificate():
    """The attendee's certificate: when it can be had, what it lists, the download."""
    conf = current_conference()
    registration = current_registration()
    info = certificates.summary(conf, registration)
    cert = None
    if info["available"] and info["eligible"]:
        cert = certificates.issue(conf, registration)
    return render_template(
        "streaming/certificate.html",
        conf=conf,
        info=info,
        cert=cert,
        total=info["minutes"],
        code=certificates.format_code(cert.code) if cert else None,
        verify_page=external_url("streaming.verify"),
    )


@bp.get("/online/attest.pdf")
@attendee_required
def certificate_pdf():
    """The certificate as PDF, in Dutch or English (?lang=)."""
    conf = current_conference()
    registration = current_registration()
    cert = certificates.issue(conf, registration)
    language = request.args.get("lang") or lang()
    pdf = render_pdf(cert, conf, language if language in ("nl", "en") else "nl")
    name = "attest" if language != "en" else "certificate"
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}-{conf.slug}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/attest")
@bp.get("/attest/<code>")
@limiter.limit("30/minute")
def verify(code: str | None = None):
    """Public check of a certificate by its code: what the certificate says, nothing more.

    The name, the date, the parts and their minutes (an employer checks the hours); never the
    e-mail address or anything else of the registration.
    """
    conf = current_conference()
    code = code or request.args.get("code")
    cert = certificates.find(code) if code else None
    status = 404 if code and cert is None else 200
    return render_template(
        "streaming/verify.html",
        conf=conf,
        code=code,
        cert=cert,
        formatted=certificates.format_code(cert.code) if cert else None,
    ), status
