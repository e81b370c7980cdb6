"""The evaluation API: the forms open to a person, answering once, the organisers' settings."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify
from flask_login import current_user

from conference.auth import organiser_required
from conference.clock import isoformat
from conference.errors import Invalid
from conference.extensions import limiter
from conference.i18n import lang
from conference.openapi import CONFLICT, INVALID, NOT_FOUND, ApiDocs, Reply
from conference.services import current_conference
from conference.validation import json_body
from registration.access import attendee_required, current_registration
from streaming.api import per_person
from streaming.evaluation import editing, schemas, services
from streaming.evaluation.errors import UNKNOWN_FIELD, YES_OR_NO
from streaming.evaluation.models import Evaluation
from streaming.evaluation.results import rate_of, response_rates

bp = Blueprint("evaluation_api", __name__, url_prefix="/api/v1")
docs = ApiDocs("evaluation", "Evaluations for those who attended; answers kept anonymous.")

FORBIDDEN_NOT_ATTENDED = Reply("`not_attended`: no check-in and not watched long enough.")
ANSWER_FIELDS = ("answers",)
PATCH_FIELDS = ("questions", "active")


def question_json(q) -> dict[str, Any]:
    """A question of a form in the reader's language."""
    body: dict[str, Any] = {"key": q.key, "type": q.type, "label": q.label, "help": q.help,
                            "required": q.required}  # fmt: skip
    if q.choices:
        body["choices"] = [{"key": c.key, "label": c.label} for c in q.choices]
    for name in ("min", "max"):
        if getattr(q, name) is not None:
            body[name] = getattr(q, name)
    return body


def form_json(conf, ev: Evaluation, language: str) -> dict[str, Any]:
    """An evaluation form as `GET /api/v1/me/evaluations` shows it."""
    return {
        "id": ev.id,
        "target": "day" if ev.for_day else "activity",
        "activity_id": ev.activity_id,
        "title": services.title_of(conf, ev, language),
        "closes_at": isoformat(services.window(conf, ev)[2], conf.timezone),
        "questions": [question_json(q) for q in services.questions_of(ev, language)],
    }


def _only(body: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = {k: UNKNOWN_FIELD for k in body if k not in allowed}
    if unknown:
        raise Invalid(fields=unknown)


@bp.get("/me/evaluations")
@docs(
    summary="The evaluations open to the person now, with their questions in the request's "
    "language: those of the parts they attended that they did not answer yet (attendee).",
    responses={200: Reply("The open forms.", schemas.MyEvaluations)},
)
@attendee_required
def my_evaluations():
    """The evaluations open to the person."""
    conf = current_conference()
    language = lang()
    forms = services.open_for(conf, current_registration())
    response = jsonify({"evaluations": [form_json(conf, ev, language) for ev in forms]})
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/evaluations/<int:evaluation_id>/answers")
@docs(
    summary="Answer an evaluation, once. The answer is stored without anything that links it "
    "to the person; a second answer is 409 `already_answered` (attendee).",
    body=schemas.EvaluationAnswers,
    responses={
        201: Reply("Stored.", schemas.EvaluationAnswered),
        403: FORBIDDEN_NOT_ATTENDED,
        404: NOT_FOUND,
        409: CONFLICT,
        422: INVALID,
    },
)
@limiter.limit("20/minute", key_func=per_person)
@attendee_required
def answer(evaluation_id: int):
    """Answer an evaluation once."""
    body = json_body()
    _only(body, ANSWER_FIELDS)
    services.answer(
        current_conference(), evaluation_id, current_registration(), body.get("answers")
    )
    return jsonify({"evaluation_id": evaluation_id, "answered": True}), 201


def summary_json(conf, rate, language: str) -> dict[str, Any]:
    """An evaluation with its response rate, for organisers."""
    ev = rate.evaluation
    return {
        "id": ev.id, "target": "day" if ev.for_day else "activity", "activity_id": ev.activity_id,
        "title": rate.title, "active": ev.active, "attended": rate.attended,
        "answered": rate.answered, "questions": ev.questions,
    }  # fmt: skip


@bp.get("/evaluations")
@docs(
    summary="Every evaluation with its questions and response rate (organiser).",
    responses={200: Reply("The evaluations.", schemas.EvaluationList)},
)
@organiser_required
def list_evaluations():
    """Every evaluation with its response rate."""
    conf = current_conference()
    language = lang()
    rates = response_rates(conf, language)
    return jsonify({"evaluations": [summary_json(conf, r, language) for r in rates]})


@bp.patch("/evaluations/<int:evaluation_id>")
@docs(
    summary="Change an evaluation's questions (not once it has answers) or switch it on or "
    "off (organiser).",
    body=schemas.EvaluationPatch,
    responses={200: Reply("The evaluation.", schemas.EvaluationSummary), 409: CONFLICT},
)
@organiser_required
def patch_evaluation(evaluation_id: int):
    """Change an evaluation."""
    conf = current_conference()
    body = json_body()
    _only(body, PATCH_FIELDS)
    if "active" in body and not isinstance(body["active"], bool):
        raise Invalid(fields={"active": YES_OR_NO})
    if "questions" in body:
        editing.set_questions(conf, evaluation_id, body["questions"], actor=current_user)
    if "active" in body:
        services.set_active(conf, evaluation_id, body["active"], actor=current_user)
    language = lang()
    ev = services.evaluation_of(conf, evaluation_id)
    return jsonify(summary_json(conf, rate_of(conf, ev, language), language))
