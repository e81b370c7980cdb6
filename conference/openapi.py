"""The OpenAPI document, assembled from the URL map and what each API route declares.

Each `/api/v1/` route carries one declaration, made by an `ApiDocs` (one per tag) under its
route decorator: summary, body model, answers per status, security, parameters. Bodies are
pydantic models (`schemas.py` beside each `api.py`); their JSON Schemas become the document's
components. Building the document fails on a route without a declaration, so none is left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask
from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaMode, models_json_schema

from conference.schemas import Error

API_PREFIX = "/api/v1/"
# Security requirements: a bearer token, none, or either (the answer differs per viewer).
Security = tuple[dict[str, list], ...]
BEARER: Security = ({"bearer": []},)
PUBLIC: Security = ()
BEARER_OR_PUBLIC: Security = ({"bearer": []}, {})
SCHEMA_REF = "#/components/schemas/{model}"
DECLARATION = "openapi_operation"  # the view function's attribute that holds its declaration

INFO = {
    "title": "Sociaalwerkconferentie API",
    "version": "1.0",
    "description": (
        "The JSON API of the Sociaalwerkconferentie system: programme, registration, seats, "
        "agenda, check-in and streams. Times are ISO 8601 with offset. Errors have the shape "
        '{"error": word, "message": text in the request\'s language, "fields"?: {...}}. '
        "Bearer-token calls need no CSRF token; cookie-authenticated calls send X-CSRFToken."
    ),
}
SECURITY_SCHEMES = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": (
            "A staff token from `flask --app conference staff create`, or an attendee's "
            "personal token."
        ),
    }
}


@dataclass(frozen=True)
class Reply:
    """One documented answer: what it means and, unless it is empty, the shape of its body."""

    description: str
    model: type[BaseModel] | None = None
    media_type: str = "application/json"
    schema: Mapping[str, Any] | None = None  # a body that is no model (a file, this document)
    common: str | None = None  # the name of a shared answer in components/responses


COMMON_REPLIES = {
    "Unauthenticated": Reply("No valid token.", Error),
    "Forbidden": Reply("A token of the wrong role.", Error),
    "NotFound": Reply("No such item.", Error),
    "Conflict": Reply("The current state does not allow it.", Error),
    "Invalid": Reply("A field is bad or missing.", Error),
    "RateLimited": Reply("Too many requests.", Error),
}
CONFLICT = Reply(COMMON_REPLIES["Conflict"].description, common="Conflict")
INVALID = Reply(COMMON_REPLIES["Invalid"].description, common="Invalid")
NOT_FOUND = Reply(COMMON_REPLIES["NotFound"].description, common="NotFound")


@dataclass(frozen=True)
class Operation:
    """What one route declares about itself."""

    docs: ApiDocs
    summary: str
    responses: Mapping[int, Reply]
    description: str | None = None
    security: Security = BEARER
    body: type[BaseModel] | None = None
    body_required: bool = True
    query: type[BaseModel] | None = None  # each field a query parameter
    path: type[BaseModel] | None = None  # path parameters that say more than their converter


View = TypeVar("View", bound=Callable[..., Any])


class ApiDocs:
    """One tag of the API; `@docs(...)` right under a route decorator documents that route."""

    def __init__(self, name: str, description: str):
        self.name, self.description = name, description

    def __call__(
        self, *, responses: Mapping[int, Reply], summary: str | None = None, **details: Any
    ) -> Callable[[View], View]:
        """Attach the declaration; the summary defaults to the view's docstring."""

        def document(view: View) -> View:
            text = summary or (view.__doc__ or "").strip()
            setattr(view, DECLARATION, Operation(self, text, responses, **details))
            return view

        return document


class UndocumentedRoute(LookupError):
    """An API route without a declaration: the document would be incomplete."""


class _OpenApiSchema(GenerateJsonSchema):
    """Pydantic's JSON Schema as an OpenAPI reader expects it: no titles, `type: [x, "null"]`."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        """Field titles only repeat the field's name."""
        return False

    def nullable_schema(self, schema: Any) -> dict[str, Any]:
        """A simple type that may be null as one schema rather than an `anyOf`."""
        inner = self.generate_inner(schema["schema"])
        kind = inner.get("type")
        if not isinstance(kind, str) or kind == "null" or "$ref" in inner:
            return {"anyOf": [inner, {"type": "null"}]}
        merged = {**inner, "type": [kind, "null"]}
        if "const" in merged:
            merged["enum"] = [merged.pop("const")]
        if "enum" in merged:
            merged["enum"] = [*merged["enum"], None]
        return merged


def openapi_document(app: Flask) -> dict[str, Any]:
    """The document, built once per app."""
    cached = app.extensions.get("openapi_document")
    if cached is None:
        cached = app.extensions["openapi_document"] = build_document(app)
    return cached


def build_document(app: Flask) -> dict[str, Any]:
    """Every API route of the URL map with its declaration, and the schemas of its models."""
    routes = list(api_routes(app))
    schemas, refs = _component_schemas(route.operation for route in routes)
    doc: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": dict(INFO),
        "servers": [{"url": app.config["BASE_URL"]}],
        "tags": [],
        "paths": {},
        "components": {
            "securitySchemes": SECURITY_SCHEMES,
            "responses": {
                name: _reply(reply, refs) for name, reply in sorted(COMMON_REPLIES.items())
            },
            "schemas": schemas,
        },
    }
    for route in routes:
        docs = route.operation.docs
        doc["paths"].setdefault(route.path, {})[route.method] = _operation(route, refs)
        if not any(tag["name"] == docs.name for tag in doc["tags"]):
            doc["tags"].append({"name": docs.name, "description": docs.description})
    _add_common_errors(doc)
    return doc


_PARAMETER = re.compile(r"<(?:([^:<>]+):)?([^<>]+)>")


@dataclass(frozen=True)
class Route:
    """One API route as the document shows it."""

    path: str  # with {name} for each parameter
    method: str
    operation: Operation
    path_types: Mapping[str, str]  # parameter name -> JSON type, from its URL converter


_CONVERTER_TYPES = {"int": "integer", "float": "number"}


def api_routes(app: Flask) -> Iterator[Route]:
    """Every API route with its declaration; raises UndocumentedRoute for one without."""
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API_PREFIX):
            continue
        view = app.view_functions[rule.endpoint]
        op = getattr(view, DECLARATION, None)
        methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
        if op is None or len(methods) != 1:
            raise UndocumentedRoute(
                f"{rule.rule} ({rule.endpoint}): give each API route one method and one "
                "declaration (an ApiDocs under its route decorator)"
            )
        types = {
            name: _CONVERTER_TYPES.get((converter or "").split("(")[0], "string")
            for converter, name in _PARAMETER.findall(rule.rule)
        }
        yield Route(_PARAMETER.sub(r"{\2}", rule.rule), methods[0].lower(), op, types)


def _component_schemas(operations: Iterator[Operation]) -> tuple[dict[str, Any], dict]:
    """The JSON Schema of every model in the declarations, and the `$ref` of each."""
    wanted: dict[tuple[type[BaseModel], JsonSchemaMode], None] = {(Error, "serialization"): None}
    for op in operations:
        if op.body is not None:
            wanted[(op.body, "validation")] = None
        for reply in op.responses.values():
            if reply.model is not None:
                wanted[(reply.model, "serialization")] = None
    refs, top = models_json_schema(
        list(wanted), ref_template=SCHEMA_REF, schema_generator=_OpenApiSchema
    )
    schemas = top.get("$defs", {})
    for schema in schemas.values():
        schema.pop("title", None)  # the component's name says it
    return dict(sorted(schemas.items())), refs


def _operation(route: Route, refs: Mapping) -> dict[str, Any]:
    op = route.operation
    out: dict[str, Any] = {"tags": [op.docs.name], "summary": op.summary}
    if op.description:
        out["description"] = op.description
    out["security"] = [dict(requirement) for requirement in op.security]
    parameters = _path_parameters(route, op.path) + _parameters(op.query, "query")
    if parameters:
        out["parameters"] = parameters
    if op.body is not None:
        out["requestBody"] = {
            "required": op.body_required,
            "content": {"application/json": {"schema": refs[(op.body, "validation")]}},
        }
    out["responses"] = {str(status): _reply(reply, refs) for status, reply in op.responses.items()}
    return out


def _reply(reply: Reply, refs: Mapping) -> dict[str, Any]:
    if reply.common:
        return {"$ref": f"#/components/responses/{reply.common}"}
    out: dict[str, Any] = {"description": reply.description}
    if reply.model is not None:
        out["content"] = {reply.media_type: {"schema": refs[(reply.model, "serialization")]}}
    elif reply.schema is not None:
        out["content"] = {reply.media_type: {"schema": dict(reply.schema)}}
    return out


def _path_parameters(route: Route, model: type[BaseModel] | None) -> list[dict[str, Any]]:
    """One parameter per `{name}`: typed by its URL converter unless the model says more."""
    declared = {param["name"]: param for param in _parameters(model, "path")}
    return [
        declared.get(name)
        or {"name": name, "in": "path", "required": True, "schema": {"type": kind}}
        for name, kind in route.path_types.items()
    ]


def _parameters(model: type[BaseModel] | None, where: str) -> list[dict[str, Any]]:
    """Each field of `model` as a parameter in the query or the path."""
    if model is None:
        return []
    schema = model.model_json_schema(schema_generator=_OpenApiSchema)
    if "$defs" in schema:
        raise TypeError(f"{model.__name__}: parameters are plain values, not models")
    required = set(schema.get("required", ()))
    params = []
    for name, prop in schema["properties"].items():
        param = {"name": name, "in": where, "required": where == "path" or name in required}
        if "description" in prop:
            prop = dict(prop)
            param["description"] = prop.pop("description")
        param["schema"] = prop
        params.append(param)
    return params


COMMON_ERRORS = {
    "404": "#/components/responses/NotFound",
    "422": "#/components/responses/Invalid",
    "401": "#/components/responses/Unauthenticated",
    "403": "#/components/responses/Forbidden",
    "429": "#/components/responses/RateLimited",
}


def _add_common_errors(doc: dict[str, Any]) -> None:
    """Document the errors every operation of a kind can give, so no declaration forgets one.

    A path parameter can name nothing (404), a body can be bad (422), a secured operation can
    be called without or with the wrong token (401, 403), and any call can be rate limited.
    """
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            wanted = ["429"]
            if "{" in path:
                wanted.append("404")
            if "requestBody" in operation or method in {"post", "put", "patch"}:
                wanted.append("422")
            if operation.get("security", doc.get("security")) not in (None, []):
                wanted += ["401", "403"]
            for status in wanted:
                responses.setdefault(status, {"$ref": COMMON_ERRORS[status]})
