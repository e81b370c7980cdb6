"""The OpenAPI document: a kernel file plus a fragment per package, merged at start-up."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from flask import Flask

KERNEL = Path(__file__).with_name("openapi.yaml")


def add_fragment(app: Flask, path: str | Path) -> None:
    """Let a package contribute its paths and schemas (called from its init_app)."""
    app.extensions.setdefault("openapi_fragments", []).append(Path(path))


def openapi_document(app: Flask) -> dict[str, Any]:
    """The merged document, built once per app."""
    cached = app.extensions.get("openapi_document")
    if cached is None:
        doc = yaml.safe_load(KERNEL.read_text(encoding="utf-8"))
        for fragment in app.extensions.get("openapi_fragments", []):
            part = yaml.safe_load(fragment.read_text(encoding="utf-8")) or {}
            doc["paths"].update(part.get("paths", {}))
            for section, items in part.get("components", {}).items():
                doc["components"].setdefault(section, {}).update(items)
            doc["tags"].extend(part.get("tags", []))
        doc["servers"] = [{"url": app.config["BASE_URL"]}]
        _add_common_errors(doc)
        cached = app.extensions["openapi_document"] = doc
    return cached


COMMON_ERRORS = {
    "404": "#/components/responses/NotFound",
    "422": "#/components/responses/Invalid",
    "401": "#/components/responses/Unauthenticated",
    "403": "#/components/responses/Forbidden",
    "429": "#/components/responses/RateLimited",
}


def _add_common_errors(doc: dict[str, Any]) -> None:
    """Document the errors every operation of a kind can give, so no fragment forgets one.

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
