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
        cached = app.extensions["openapi_document"] = doc
    return cached
