"""Streaming JSON API: streams and their status, heartbeats, Q&A, certificates."""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, Response, jsonify, request
from flask_limiter.util import get_remote_address
from flask_login import current_user

from conference import live
from conference.auth import organiser_required, public, role_only, role_required
from conference.clock import isoformat, local, utcnow
from conference.errors import Invalid, NotFound
from conference.extensions import db, limiter
from conference.i18n import lang
from conference.openapi import BEARER_OR_PUBLIC, CONFLICT, PUBLIC, ApiDocs, Reply
from conference.services import current_conference
from conference.snapshot import conference_settings
from conference.validation import json_body
from registration.access import attendee_required, current_registration
from registration.links import external_url
from streaming import certificates, presence, qa, schemas, services, updates
from streaming.access import STREAM_STAFF, current_viewer, viewer_required
from streaming.certificate_pdf import render_pdf
from streaming.models import StreamSettings

bp = Blueprint("streaming_api", __name__, url_prefix="/api/v1")

moderator_required = role_required(*STREAM_STAFF)
docs = ApiDocs(
    "streaming",
    "Streams, online workshops, presence heartbeats, Q&A and attendance certificates.",
)


def per_person() -> str:
    """Rate-limit key: the account when logged in (many people share the venue's IP)."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return get_remote_address()


# -- streams ---------------------------------------------------------------------------------


@bp.get("/streams")
@docs(
    summary=(
        "Streams (theme streams, plenaries, radio) and online workshops with their status. "
        "`embed_url` only for registered attendees (and organisers/moderators); `join_url` of "
        "an online workshop only with a seat there, from `join_link_lead_minutes` before the "
        "start."
    ),
    security=BEARER_OR_PUBLIC,
    responses={200: Reply("The list in time order.", schemas.Streams)},
)
@public
def streams():
    """Streams and online workshops with status; embed and join links only for those allowed."""
    conf = current_conference()
    response = jsonify(services.streams_json(conf, current_viewer(), utcnow(), lang()))
    response.headers["Cache-Control"] = "private, no-store"  # links differ per person
    return response


@bp.get("/streams/<int:activity_id>")
@docs(
    summary="One stream or online workshop, as in the list.",
    security=BEARER_OR_PUBLIC,
    responses={200: Reply("The stream.", schemas.Stream)},
)
@public
def stream(activity_id: int):
    """One stream or online workshop, as in the list."""
    conf = current_conference()
    act = services.online_activity(conf, activity_id)
    settings = db.session.get(StreamSettings, act.id)
    response = jsonify(
        services.stream_json(conf, act, settings, current_viewer(), utcnow(), lang())
    )
    response.headers["Cache-Control"] = "private, no-store"  # links differ per person
    return response


@bp.patch("/streams/<int:activity_id>")
@docs(
    summary=(
        "Set a stream's provider and source, replay, captions and text alternative (organiser). "
        "Without a source the provider is derived from the activity's `stream_url`."
    ),
    body=schemas.StreamSettingsPatch,
    responses={200: Reply("The settings after the change.", schemas.StreamSettings)},
)
@organiser_required
def patch_stream(activity_id: int):
    """Set a stream's provider, source, replay, captions and description (organiser)."""
    conf = current_conference()
    settings = services.update_settings(conf, activity_id, json_body())
    act = services.online_activity(conf, settings.activity_id)
    return jsonify(services.settings_json(conf, act, settings))


@bp.get("/streams/<int:activity_id>/status")
@docs(
    summary="The status alone, for pages that poll it (public, cacheable for 5 seconds).",
    security=PUBLIC,
    responses={200: Reply("The status viewers see.", schemas.StreamStatus)},
)
@limiter.exempt
@public
@live.conditional(updates.status_etag, cache_control="public, max-age=5")
def stream_status(activity_id: int):
    """The status alone, for pages that poll it every few seconds (cacheable for 5 s).

    Answered from this process's memory while the stream's stamp stands: no query at all.
    """
    response = jsonify(updates.status_facts(activity_id).body(utcnow()))
    response.headers["Cache-Control"] = "public, max-age=5"
    return response


@bp.post("/streams/<int:activity_id>/status")
@docs(
    summary=(
        'Override the status ("live", "delayed", "ended") or follow the timetable again with '
        "null (organiser, moderator)."
    ),
    body=schemas.StatusOverride,
    responses={200: Reply("The settings with the new status.", schemas.StreamSettings)},
)
@moderator_required
def set_stream_status(activity_id: int):
    """Override the status ("live", "delayed", "ended") or clear it with null (staff)."""
    data = json_body()
    if set(data) - {"override"} or "override" not in data:
        raise Invalid(fields={"override": "live, delayed, ended of null"})
    conf = current_conference()
    settings = services.set_override(conf, activity_id, data["override"], current_user)
    act = services.online_activity(conf, settings.activity_id)
    return jsonify(services.settings_json(conf, act, settings))


@bp.post("/streams/<int:activity_id>/heartbeat")
@role_only  # a watch page's token: its id and role, not the whole account
@docs(
    summary=(
        "The watch page says the person is still there (every minute). Timed by the server's "
        "clock; the gaps between heartbeats while the stream is live become attended minutes."
    ),
    body=schemas.Heartbeat,
    body_required=False,
    responses={204: Reply("Recorded.")},
)
@limiter.limit("20/minute", key_func=per_person)
@viewer_required
def heartbeat(activity_id: int):
    """A watch page says the person is still there; the server's clock times it."""
    presence.heartbeat(activity_id, current_viewer())
    return Response(status=204)


@bp.get("/streams/viewers")
@docs(
    summary="People watching each stream now (organiser, moderator).",
    responses={200: Reply("Viewer counts; a person with two tabs counts once.", schemas.Viewers)},
)
@moderator_required
def viewers():
    """People watching each stream now (staff)."""
    conf = current_conference()
    now = utcnow()
    counts = presence.live_viewer_counts(conf, now)
    acts = services.online_activities(conf)
    return jsonify(
        {
            "at": isoformat(now, conf.timezone),
            "streams": [
                {"activity_id": a.id, "title": a.title, "viewers": counts.get(a.id, 0)}
                for a in acts
            ],
        }
    )


# -- Q&A -------------------------------------------------------------------------------------


def _wants_moderator_view() -> bool:
    return request.args.get("view") == "moderator" and current_viewer().staff


@bp.get("/activities/<int:activity_id>/questions")
@docs(
    summary=(
        "The Q&A: approved questions (pinned first, then most votes) and the caller's own "
        "waiting ones. Moderators add `?view=moderator` for every question with its asker. "
        "Sends an ETag."
    ),
    query=schemas.QuestionsQuery,
    responses={
        200: Reply("The questions.", schemas.Questions),
        304: Reply("Not changed since the ETag sent in If-None-Match."),
    },
)
@viewer_required
@live.conditional(updates.qa_json_etag)
def questions(activity_id: int):
    """The Q&A as this person sees it (moderators: ?view=moderator for every question).

    Unchanged since the ETag: 304 from the Q&A's stamp, before any query (`conference.live`).
    """
    conf = conference_settings()  # the snapshot: the stamps were read for the ETag already
    act = qa.qa_activity(conf, activity_id)
    viewer = current_viewer()
    response = jsonify(qa.questions_json(conf, act, viewer, _wants_moderator_view()))
    response.headers["Cache-Control"] = "private, no-cache"
    # The stamp this list is at (read for its ETag): pushed changes after it apply on top.
    response.headers["X-Live-Version"] = live.stamps([updates.qa_topic(act.id)]) or ""
    return response


@bp.post("/activities/<int:activity_id>/questions")
@docs(
    summary="Ask a question (registered attendees; it waits for a moderator unless Q&A is open).",
    body=schemas.Ask,
    responses={201: Reply("The question.", schemas.Question)},
)
@limiter.limit("10/minute", key_func=per_person)
@viewer_required
def ask(activity_id: int):
    """Ask a question; 201 with the question (status pending until a moderator approves)."""
    conf = current_conference()
    viewer = current_viewer()
    question = qa.ask(conf, activity_id, viewer, json_body().get("text"))
    return jsonify(qa.question_json(question, viewer, set(), tz=conf.timezone)), 201


@bp.post("/questions/<int:question_id>/vote")
@docs(
    summary="Vote for an approved question; once per person (a second vote counts nothing).",
    responses={200: Reply("The votes now.", schemas.Vote)},
)
@limiter.limit("60/minute", key_func=per_person)
@viewer_required
def vote(question_id: int):
    """One vote per person: 200 {"votes"}; a second vote changes nothing."""
    votes, added = qa.vote(question_id, current_viewer())
    return jsonify({"votes": votes, "voted": True, "counted": added})


@bp.patch("/questions/<int:question_id>")
@docs(
    summary="Approve, hide, pin or mark answered (moderator, organiser).",
    body=schemas.Moderation,
    responses={200: Reply("The question after the change.", schemas.Question)},
)
@moderator_required
def moderate(question_id: int):
    """Approve, hide, pin or mark answered: {"status"?, "pinned"?, "answered"?} (staff)."""
    conf = current_conference()
    question = qa.moderate(question_id, current_user, json_body())
    return jsonify(qa.question_json(question, current_viewer(), set(), True, conf.timezone))


# -- certificates ----------------------------------------------------------------------------


def _part_json(part: certificates.Part) -> dict:
    return asdict(part)


@bp.get("/me/certificate")
@docs(
    summary=(
        "The attendance certificate: whether it can be had (after the day ends, for people who "
        "took part on site or online), the parts and minutes, and its code and links."
    ),
    responses={200: Reply("The certificate's state.", schemas.Certificate)},
)
@attendee_required
def my_certificate():
    """Whether the attendance certificate can be had, what it lists, and its links."""
    conf = current_conference()
    registration = current_registration()
    info = certificates.summary(conf, registration)
    body = {
        "available": info["available"],
        "available_from": isoformat(info["available_from"], conf.timezone),
        "eligible": info["eligible"],
        "minutes": info["minutes"],
        "parts": [_part_json(p) for p in info["parts"]],
    }
    if info["available"] and info["eligible"]:
        cert = certificates.issue(conf, registration)
        body["code"] = certificates.format_code(cert.code)
        body["verify_url"] = certificates.verify_url(cert.code)
        body["pdf_url"] = external_url("streaming_api.my_certificate_pdf")
    return jsonify(body)


@bp.get("/me/certificate.pdf")
@docs(
    summary="The certificate as a PDF, in Dutch or English.",
    query=schemas.CertificateQuery,
    responses={
        200: Reply(
            "The PDF.",
            media_type="application/pdf",
            schema={"type": "string", "format": "binary"},
        ),
        409: CONFLICT,
    },
)
@attendee_required
def my_certificate_pdf():
    """The certificate as PDF (?lang=nl|en); 409 before the day ends or without attendance."""
    conf = current_conference()
    registration = current_registration()
    cert = certificates.issue(conf, registration)
    language = request.args.get("lang") or registration.language or "nl"
    pdf = render_pdf(cert, conf, language if language in ("nl", "en") else "nl")
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = 'attachment; filename="attest.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/certificates/<code>")
@docs(
    summary="Check a certificate's code (public); shows the name and the date only.",
    security=PUBLIC,
    path=schemas.CertificateCode,
    responses={200: Reply("The certificate is genuine.", schemas.CertificateCheck)},
)
@limiter.limit("30/minute")
def verify_certificate(code: str):
    """Public check of a certificate code: the name and the date only."""
    cert = certificates.find(code)
    if cert is None:
        raise NotFound()
    conf = current_conference()
    return jsonify(
        {
            "valid": True,
            "code": certificates.format_code(cert.code),
            "name": cert.full_name,
            "date": local(cert.event_date, conf.timezone).date().isoformat(),
        }
    )
