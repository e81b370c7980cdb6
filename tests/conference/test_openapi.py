"""The OpenAPI document describes exactly the API's routes."""

from __future__ import annotations

import re

from openapi_spec_validator import validate


def _documented(client) -> set[tuple[str, str]]:
    doc = client.get("/api/v1/openapi.json").get_json()
    return {
        (path, method.upper())
        for path, item in doc["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }


def _routed(app) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            routes.add((path, method))
    return routes


def test_every_api_route_is_documented_and_nothing_else(app, client):
    documented, routed = _documented(client), _routed(app)
    assert routed - documented == set(), "routes missing from the OpenAPI document"
    assert documented - routed == set(), "documented paths with no route"


def test_the_document_is_valid_openapi(client):
    validate(client.get("/api/v1/openapi.json").get_json())
