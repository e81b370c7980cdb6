"""The OpenAPI document comes from the pydantic models, and the models say what the API does.

The validators (shared with the HTML forms) keep checking the bodies and giving the Dutch and
English messages; these tests hold the models and the validators to the same fields, and the
answers of the API to the models' fields.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from flask import Blueprint
from jsonschema import Draft202012Validator
from pydantic import BaseModel

from conference.openapi import ApiDocs, Reply, UndocumentedRoute, api_routes, build_document
from conference.schemas import ConferencePatch, Error
from conference.services import CONFERENCE_FIELDS
from registration.checkin.api import REDEEM_FIELDS
from registration.checkin.schemas import Redeem
from registration.contingents.schemas import ContingentCreate
from registration.contingents.services import CONTINGENT_FIELDS
from registration.draw.api import FIELDS as DRAW_FIELDS
from registration.draw.schemas import DrawRequest
from registration.questions.editing import FIELDS as QUESTION_FIELDS
from registration.questions.schemas import QuestionCreate, QuestionPatch
from registration.reconfirm.api import RECONFIRM_FIELDS
from registration.reconfirm.schemas import ReconfirmBody
from registration.schemas import Me, MeUpdate, RegistrationCreate
from registration.validation import CREATE_FIELDS, EDITABLE_FIELDS
from sessions.programme.changes import EDITABLE
from sessions.programme.schemas import ActivityPatch
from sessions.seats.api import ALLOCATION_FIELDS
from sessions.seats.schemas import AllocationRequest
from streaming.evaluation.api import ANSWER_FIELDS as EVALUATION_ANSWER_FIELDS
from streaming.evaluation.api import PATCH_FIELDS as EVALUATION_PATCH_FIELDS
from streaming.evaluation.schemas import EvaluationAnswers, EvaluationPatch
from streaming.networking import api as networking
from streaming.networking.schemas import (
    BlockPost,
    MeetingPost,
    ProfilePut,
    SlotPatch,
    SlotPost,
    TablePost,
)
from streaming.polls.schemas import PollBallot, PollCreate
from streaming.polls.services import POLL_FIELDS, VOTE_FIELDS
from streaming.qa import MODERATION_FIELDS
from streaming.schemas import Moderation, StreamSettingsPatch
from streaming.services import SETTING_FIELDS
from tests.helpers import bearer

# Each request model beside the field names its validator accepts (it refuses any other).
VALIDATED_BODIES = [
    (RegistrationCreate, CREATE_FIELDS),
    (MeUpdate, EDITABLE_FIELDS),
    (ConferencePatch, CONFERENCE_FIELDS),
    (ActivityPatch, EDITABLE),
    (Redeem, REDEEM_FIELDS),
    (AllocationRequest, ALLOCATION_FIELDS),
    (StreamSettingsPatch, SETTING_FIELDS),
    (Moderation, MODERATION_FIELDS),
    (ContingentCreate, CONTINGENT_FIELDS),
    (ReconfirmBody, RECONFIRM_FIELDS),
    (PollCreate, POLL_FIELDS),
    (PollBallot, VOTE_FIELDS),
    (QuestionCreate, QUESTION_FIELDS),
    (QuestionPatch, QUESTION_FIELDS),
    (DrawRequest, DRAW_FIELDS),
    (EvaluationAnswers, EVALUATION_ANSWER_FIELDS),
    (EvaluationPatch, EVALUATION_PATCH_FIELDS),
    (ProfilePut, networking.PROFILE_FIELDS),
    (SlotPost, networking.SLOT_FIELDS),
    (SlotPatch, networking.SLOT_PATCH_FIELDS),
    (MeetingPost, networking.MEETING_FIELDS),
    (BlockPost, networking.BLOCK_FIELDS),
    (TablePost, networking.TABLE_FIELDS),
]


@pytest.mark.parametrize(
    ("model", "accepted"), VALIDATED_BODIES, ids=[m.__name__ for m, _ in VALIDATED_BODIES]
)
def test_every_documented_field_is_accepted_by_the_validator_and_vice_versa(model, accepted):
    # The names on the wire: a field named after a Python keyword has its alias (`with`).
    assert {field.alias or name for name, field in model.model_fields.items()} == set(accepted)
    assert model.model_config.get("extra") == "forbid"  # documented: additionalProperties false


def _declared_models(app) -> dict[str, type[BaseModel]]:
    """Every body and answer model the routes declare, by its component name."""
    models: dict[str, type[BaseModel]] = {"Error": Error}
    for route in api_routes(app):
        op = route.operation
        for model in (op.body, *(reply.model for reply in op.responses.values())):
            if model is not None:
                models[model.__name__] = model
    return models


def _document(client) -> dict[str, Any]:
    return client.get("/api/v1/openapi.json").get_json()


def _validator(doc: dict[str, Any], schema: dict[str, Any]) -> Draft202012Validator:
    """A validator of `schema` whose `#/components/...` references resolve in `doc`."""
    return Draft202012Validator(
        {**schema, "components": doc["components"]},
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def _strict(doc: dict[str, Any]) -> dict[str, Any]:
    """The document with every object closed: a field the API sends must be documented."""
    doc = copy.deepcopy(doc)

    def close(node: Any) -> None:
        if isinstance(node, dict):
            if "properties" in node and "additionalProperties" not in node:
                node["additionalProperties"] = False
            for value in node.values():
                close(value)
        elif isinstance(node, list):
            for value in node:
                close(value)

    close(doc["components"]["schemas"])
    return doc


def _register(client, **fields: Any) -> dict[str, Any]:
    body = {
        "email": "model@example.be",
        "first_name": "Model",
        "last_name": "Proef",
        "profile": "practitioner",
        "mode": "onsite",
        "consent": True,
        **fields,
    }
    response = client.post("/api/v1/registrations", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _a_stream(client) -> int:
    """A theme stream: it can be followed, has settings and a Q&A."""
    streams = client.get("/api/v1/streams").get_json()
    return next(s["activity_id"] for s in streams if s["kind"] == "stream")


def test_a_field_added_to_a_model_shows_up_in_the_document(app):
    class MeWithShoeSize(Me):
        """The registration with one more field."""

        shoe_size: int

    probe = Blueprint("probe", __name__, url_prefix="/api/v1")

    @probe.get("/probe")
    @ApiDocs("probe", "A probe.")(responses={200: Reply("The probe.", MeWithShoeSize)})
    def probe_view():
        """A probe."""

    app.register_blueprint(probe)
    doc = build_document(app)
    answer = doc["paths"]["/api/v1/probe"]["get"]["responses"]["200"]
    assert answer["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/MeWithShoeSize"
    }
    schema = doc["components"]["schemas"]["MeWithShoeSize"]
    assert schema["properties"]["shoe_size"] == {"type": "integer"}
    assert "shoe_size" in schema["required"]
    assert set(schema["properties"]) == set(MeWithShoeSize.model_fields)
    assert {"name": "probe", "description": "A probe."} in doc["tags"]
    assert doc["paths"]["/api/v1/probe"]["get"]["summary"] == "A probe."


def test_each_model_is_one_component_under_its_own_name(client):
    """No two models share a name, and none differs between request and answer."""
    names = _document(client)["components"]["schemas"]
    assert all(re.fullmatch(r"[A-Z][A-Za-z0-9]*", name) for name in names), sorted(names)


def test_a_route_without_a_declaration_cannot_be_documented(app):
    stray = Blueprint("stray", __name__, url_prefix="/api/v1")
    stray.add_url_rule("/stray", "stray", lambda: "")
    app.register_blueprint(stray)
    with pytest.raises(UndocumentedRoute, match="/api/v1/stray"):
        build_document(app)


def test_every_example_validates_against_its_model_and_its_schema(app, client):
    doc, models = _document(client), _declared_models(app)
    examples = _examples_in(doc)
    assert {name for name, _ in examples} >= {"Error", "RegistrationCreate", "Redeem"}
    for name, example in examples:
        _validator(doc, {"$ref": f"#/components/schemas/{name}"}).validate(example)
        models[name].model_validate(example)


def _examples_in(doc: dict[str, Any]) -> list[tuple[str, Any]]:
    return [
        (name, example)
        for name, schema in doc["components"]["schemas"].items()
        for example in schema.get("examples", [])
    ]


def test_the_documented_registration_example_registers(client):
    doc = _document(client)
    [example] = doc["components"]["schemas"]["RegistrationCreate"]["examples"]
    RegistrationCreate.model_validate(example)
    response = client.post("/api/v1/registrations", json=example)
    assert response.status_code == 201, response.get_json()
    _validator(doc, {"$ref": "#/components/schemas/RegistrationCreated"}).validate(
        response.get_json()
    )


def _closed_bodies(doc: dict[str, Any]) -> list[tuple[str, str]]:
    """(path, method) of every operation whose body refuses fields it does not document."""
    found = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            if not body:
                continue
            name = body["schema"]["$ref"].rsplit("/", 1)[1]
            if doc["components"]["schemas"][name].get("additionalProperties") is False:
                found.append((path, method))
    return found


def test_a_field_the_document_does_not_list_is_refused(client, tokens):
    doc = _document(client)
    attendee = _register(client)["token"]
    stream_id = _a_stream(client)
    closed = _closed_bodies(doc)
    assert len(closed) == len(VALIDATED_BODIES) + 1  # and the stream status override
    for path, method in closed:
        url = path.replace("{activity_id}", str(stream_id)).replace("{question_id}", "1")
        url = url.replace("{poll_id}", "1").replace("{slot_id}", "1")
        url = url.replace("{key}", "gehoord").replace("{evaluation_id}", "1")
        attendee_paths = ("/api/v1/me", "/api/v1/networking/meetings", "/api/v1/networking/blocks")
        mine = path.startswith(attendee_paths) or path.endswith("/answers")
        token = attendee if mine else tokens["organiser"]
        response = client.open(
            url, method=method.upper(), json={"not_documented": 1}, headers=bearer(token)
        )
        assert response.status_code == 422, (method, path, response.get_json())
        assert response.get_json()["error"] == "invalid"


def test_every_field_the_api_answers_is_documented(client, tokens):
    """Real answers validate against the models' schemas with every object closed."""
    doc = _strict(_document(client))
    created = _register(client, organisation="Huis", language="en", diet="geen")
    attendee, organiser = bearer(created["token"]), bearer(tokens["organiser"])
    stream_id = _a_stream(client)
    secret = created["ticket_url"].rsplit("/", 1)[1]
    calls = [
        ("post", "/api/v1/checkin/redeem", organiser, {"secret": secret, "checkpoint": "entrance"}),
        ("get", "/api/v1/programme", {}, None),
        ("get", "/api/v1/me", attendee, None),
        ("patch", "/api/v1/me", attendee, {"sector": "Jeugd", "answers": {"gehoord": "collega"}}),
        ("get", "/api/v1/registration-form", {}, None),
        ("get", "/api/v1/questions", organiser, None),
        ("patch", "/api/v1/questions/{key}", organiser, {"editable_until": None}),
        ("get", "/api/v1/me/agenda", attendee, None),
        ("get", "/api/v1/me/calendar", attendee, None),
        ("get", "/api/v1/me/preferences", attendee, None),
        ("get", "/api/v1/me/enrollments", attendee, None),
        ("get", "/api/v1/me/certificate", attendee, None),
        ("put", "/api/v1/me/follows/{activity_id}", attendee, None),
        ("get", "/api/v1/streams", attendee, None),
        ("get", "/api/v1/streams/{activity_id}", organiser, None),
        ("get", "/api/v1/streams/{activity_id}/status", {}, None),
        ("post", "/api/v1/streams/{activity_id}/status", organiser, {"override": "live"}),
        ("get", "/api/v1/streams/viewers", organiser, None),
        ("post", "/api/v1/activities/{activity_id}/questions", attendee, {"text": "Waarom?"}),
        ("get", "/api/v1/activities/{activity_id}/questions", organiser, None),
        (
            "post",
            "/api/v1/activities/{activity_id}/polls",
            organiser,
            {"question": "Q?", "kind": "scale"},
        ),
        ("get", "/api/v1/activities/{activity_id}/polls?view=moderator", organiser, None),
        ("patch", "/api/v1/conference", organiser, {}),
        ("get", "/api/v1/checkin/checkpoints", organiser, None),
        ("get", "/api/v1/checkin/list", organiser, None),
        ("get", "/api/v1/checkin/stats", organiser, None),
        ("get", "/api/v1/checkin/search?q=Model", organiser, None),
    ]
    for method, path, headers, body in calls:
        url = path.replace("{activity_id}", str(stream_id)).replace("{key}", "gehoord")
        response = client.open(url, method=method.upper(), json=body, headers=headers)
        template = path.split("?")[0]
        answers = doc["paths"][template][method]["responses"]
        assert str(response.status_code) in answers, (method, url, response.get_json())
        answer = answers[str(response.status_code)]
        assert "$ref" not in answer, (method, url, response.status_code, response.get_json())
        schema = answer["content"]["application/json"]["schema"]
        errors = [e.message for e in _validator(doc, schema).iter_errors(response.get_json())]
        assert not errors, (method, url, errors)
