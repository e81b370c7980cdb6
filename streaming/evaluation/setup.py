"""Wiring of the evaluation: pages, API, the programme file's section, the personal page and
data."""

from __future__ import annotations

from flask import Flask

from conference import hooks
from conference.api import register_api_blueprint
from streaming.evaluation import (  # noqa: F401  (routes and tables)
    admin,
    admin_questions,
    api,
    models,
    programme_file,
    views,
)
from streaming.evaluation import (
    hooks as evaluation_hooks,
)


def init_app(app: Flask) -> None:
    """Register the evaluation pages and API, and connect to the programme's load."""
    app.register_blueprint(views.bp)
    register_api_blueprint(app, api.bp)
    hooks.programme_loaded.connect(programme_file.programme_loaded)
    hooks.programme_sections.connect(programme_file.programme_sections)
    hooks.my_sections.connect(evaluation_hooks.my_sections)
    hooks.personal_data.connect(evaluation_hooks.personal_data)
    hooks.registration_erased.connect(evaluation_hooks.registration_erased)
