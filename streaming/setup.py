"""Wiring of the streaming package: pages, API, the watch links for the agenda, people screens."""

from __future__ import annotations

from flask import Flask

from conference import hooks, live
from conference.api import register_api_blueprint
from streaming import admin, api, models, people, qa_live, updates, views  # noqa: F401  (routes, tables)
from streaming.evaluation import setup as evaluation_setup
from streaming.hooks import watch_url_for_agenda
from streaming.networking import setup as networking
from streaming.polls import admin as poll_admin  # noqa: F401  (its routes live on polls.bp)
from streaming.polls import api as poll_api
from streaming.polls import pushed as pushed_polls
from streaming.polls import views as poll_views


def init_app(app: Flask) -> None:
    """Register the streaming pages, the streaming API and hooks."""
    app.register_blueprint(views.bp)
    register_api_blueprint(app, api.bp)
    app.register_blueprint(poll_views.bp)
    register_api_blueprint(app, poll_api.bp)
    # The agenda links streams to their watch page (sessions cannot import streaming).
    hooks.watch_url.connect(watch_url_for_agenda)
    # A person's page in the back office shows what they followed online.
    hooks.person_sections.connect(people.person_sections)
    # Questions, votes, stream settings and programme changes move the polls' stamps.
    updates.watch_models()
    # ...and the approved questions go with them to the live streams (no fetch per page).
    live.content("qa", qa_live.content)
    live.content("polls", pushed_polls.content)
    evaluation_setup.init_app(app)
    # Meeting colleagues: directory, meetings, themed tables.
    networking.init_app(app)
