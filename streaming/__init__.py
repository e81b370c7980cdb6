"""Streams, online workshops, presence, Q&A and certificates."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the streaming pages and the streaming API."""
    from conference.api import register_api_blueprint
    from streaming import admin, api, models, views  # noqa: F401  (routes and tables)

    app.register_blueprint(views.bp)
    register_api_blueprint(app, api.bp)
    _offer_watch_urls()


def watch_url_for_agenda(activity) -> str | None:
    """The watch page of a stream, plenary, radio or online workshop, for agendas and feeds."""
    from sessions.agenda.services import external_url
    from streaming.services import ONLINE_KINDS

    if activity.kind not in ONLINE_KINDS:
        return None
    return external_url("streaming.watch", activity_id=activity.id)


def _offer_watch_urls() -> None:
    """Let the agenda link streams to their watch page (sessions cannot import streaming)."""
    try:
        from sessions.agenda.services import watch_url_providers
    except ImportError:
        return
    if watch_url_for_agenda not in watch_url_providers:
        watch_url_providers.append(watch_url_for_agenda)
