"""The Sociaalwerkconferentie application: `create_app()` wires the kernel and every package."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask

from conference.validation import IdConverter, PathTextConverter, TextConverter
from config import BASE_DIR, INSTANCE_DIR, get_config


def create_app(overrides: dict[str, Any] | None = None, env: str | None = None) -> Flask:
    """Build the Flask application."""
    # In the function: every module of the project imports this package, so its `__init__`
    # cannot import them back at the top; `setup` holds the wiring with top-level imports.
    from conference import setup

    app = Flask(
        __name__,
        instance_path=str(INSTANCE_DIR),
        template_folder=str(BASE_DIR / "templates"),
        static_folder="static",
    )
    # Before any route is added: `<int:…>` then refuses ids beyond an INTEGER column, and
    # `<name>` and `<path:…>` refuse control characters (both a 404, not a database error).
    app.url_map.converters["int"] = IdConverter
    app.url_map.converters["default"] = app.url_map.converters["string"] = TextConverter
    app.url_map.converters["path"] = PathTextConverter
    app.config.from_object(get_config(env))
    if overrides:
        app.config.update(overrides)
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    _configure_logging(app)
    setup.init_app(app)
    return app


def _configure_logging(app: Flask) -> None:
    if not app.debug and not app.testing:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
