"""The question API: the public registration form, and the organisers' questions."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify
from flask_login import current_user

from conference.auth import organiser_required, public
from conference.clock import isoformat
from conference.extensions import db
from conference.i18n import lang
from conference.openapi import PUBLIC, ApiDocs, Reply
from conference.services import current_conference
from conference.validation import json_body
from registration.questions import editing, schemas
from registration.questions.models import RegistrationQuestion
from registration.questions.services import answer_counts, public_json, questions_of

bp = Blueprint("questions_api", __name__, url_prefix="/api/v1")
docs = ApiDocs("questions", "The organisers' own registration questions.")


def _actor() -> Any:
    return current_user._get_current_object()


def question_json(q: RegistrationQuestion, tz: str, answers: int | None = None) -> dict[str, Any]:
    """A question as organisers see it."""
    body = editing.snapshot(q)
    body["editable_until"] = isoformat(q.editable_until, tz)
    if answers is not None:
        body["answers"] = answers
    return body


@bp.get("/registration-form")
@docs(
    summary="The registration form's own questions, in the request's language (public).",
    security=PUBLIC,
    responses={200: Reply("The questions, in form order.", schemas.RegistrationFormQuestions)},
)
@public
def registration_form():
    """The questions of the registration form, in the request's language."""
    conf = current_conference()
    language = lang()
    questions = [public_json(q, language) for q in questions_of(db.session, conf.id)]
    return jsonify({"questions": questions})


@bp.get("/questions")
@docs(
    summary="Every registration question, archived ones too (organiser).",
    responses={200: Reply("The questions.", schemas.RegistrationQuestionList)},
)
@organiser_required
def list_questions():
    """Every question of the conference, with how many answered it."""
    conf = current_conference()
    counts = answer_counts(conf.id)
    questions = questions_of(db.session, conf.id, archived=True)
    return jsonify(
        {"questions": [question_json(q, conf.timezone, counts.get(q.id, 0)) for q in questions]}
    )


@bp.post("/questions")
@docs(
    summary="Add a question at the end of the form (organiser).",
    body=schemas.QuestionCreate,
    responses={201: Reply("The question.", schemas.RegistrationQuestion)},
)
@organiser_required
def create_question():
    """Add a question."""
    conf = current_conference()
    q = editing.create_question(conf.id, json_body(), actor=_actor())
    return jsonify(question_json(q, conf.timezone)), 201


@bp.patch("/questions/<key>")
@docs(
    summary="Change a question (organiser); a question with answers keeps its type.",
    body=schemas.QuestionPatch,
    responses={200: Reply("The question after the change.", schemas.RegistrationQuestion)},
)
@organiser_required
def patch_question(key: str):
    """Change a question."""
    conf = current_conference()
    q = editing.update_question(conf.id, key, json_body(), actor=_actor())
    return jsonify(question_json(q, conf.timezone))


@bp.delete("/questions/<key>")
@docs(
    summary="Delete a question; one with answers is archived instead (organiser).",
    responses={
        200: Reply("QuestionDeleted, or archived (`archived: true`).", schemas.QuestionDeleted)
    },
)
@organiser_required
def delete_question(key: str):
    """Delete a question, or archive it when it has answers."""
    archived = editing.delete_question(current_conference().id, key, actor=_actor())
    return jsonify({"key": key, "archived": archived})
