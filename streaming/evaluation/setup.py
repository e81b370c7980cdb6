"""Wiring of the evaluation: pages, API, and new evaluations when a programme is loaded."""

from __future__ import annotations

from flask import Flask
from sqlalchemy.orm import Session

from conference import hooks
from conference.api import register_api_blueprint
from conference.models import Conference
from streaming.evaluation import admin, api, models, views  # noqa: F401  (routes and tables)
from streaming.evaluation.services import ensure_evaluations


def evaluations_for_programme(conference: Conference, *, session: Session) -> None:
    """Give the day and each new evaluated activity an evaluation with the default questions."""
    ensure_evaluations(session, conference)


def init_app(app: Flask) -> None:
    """Register the evaluation pages and API, and connect to the programme's load."""
    app.register_blueprint(views.bp)
    register_api_blueprint(app, api.bp)
    hooks.programme_loaded.connect(evaluations_for_programme)
