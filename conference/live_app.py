"""The live event stream alone, for a gevent worker beside the sync web workers.

`gunicorn -k gevent -w 1 --worker-connections 10000 "conference.live_app:create_live_app()"`
serves `/live/events` and nothing else: no database, no session, only SECRET_KEY (to check the
pages' grants) and REDIS_URL (the stamps and their changes). A reverse proxy sends the path
`/live/` to it and everything else to the web workers (README, "Live events").
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from conference import live, live_events
from conference.extensions import babel
from conference.i18n import select_locale
from config import get_config


def create_live_app(overrides: dict[str, Any] | None = None) -> Flask:
    """The stream-only app; REDIS_URL is required (the web workers publish there)."""
    app = Flask(__name__)
    app.config.from_object(get_config(None))
    if overrides:
        app.config.update(overrides)
    if not app.config.get("REDIS_URL"):
        raise RuntimeError("conference.live_app needs REDIS_URL: the web workers publish there")
    app.config["LIVE_EVENTS"] = "on"  # its only purpose: always hold the streams
    live.init_app(app)
    # Its grants name the page's language, as the web app's do (`live_events.attributes`).
    babel.init_app(app, locale_selector=select_locale)
    live_events.init_app(app)
    app.register_blueprint(live_events.bp)
    return app
