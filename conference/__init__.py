"""The Sociaalwerkconferentie application: `create_app()` wires the kernel and every package."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask, Response, g, request
from flask_babel import format_date, format_datetime, format_time
from flask_login import current_user

from conference.extensions import babel, compress, csrf, db, limiter, login_manager, migrate
from conference.validation import IdConverter
from config import BASE_DIR, INSTANCE_DIR, get_config

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def create_app(overrides: dict[str, Any] | None = None, env: str | None = None) -> Flask:
    """Build the Flask application."""
    app = Flask(
        __name__,
        instance_path=str(INSTANCE_DIR),
        template_folder=str(BASE_DIR / "templates"),
        static_folder="static",
    )
    # Before any route is added: `<int:…>` then refuses ids beyond an INTEGER column.
    app.url_map.converters["int"] = IdConverter
    app.config.from_object(get_config(env))
    if overrides:
        app.config.update(overrides)
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    _configure_logging(app)
    _init_extensions(app)
    _register_packages(app)
    _register_template_helpers(app)
    return app


def _configure_logging(app: Flask) -> None:
    if not app.debug and not app.testing:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )


def _init_extensions(app: Flask) -> None:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite"):
        # pysqlite waits on the busy timeout itself; pre-ping adds nothing for a local file.
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}))
        options.pop("pool_pre_ping", None)
        options.setdefault("connect_args", {"timeout": 30})
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    db.init_app(app)
    if uri.startswith("sqlite"):
        from conference.db import configure_sqlite

        with app.app_context():
            configure_sqlite(db.engine)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    login_manager.init_app(app)
    login_manager.login_view = "conference.staff_login"
    login_manager.session_protection = "basic"
    csrf.init_app(app)

    from conference.i18n import select_locale

    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)

    from conference.security import init_security

    init_security(app)
    # Static files are few and fixed while the app runs: compress each once per algorithm.
    app.config.setdefault("COMPRESS_CACHE_BACKEND", _CompressedFiles)
    # Keyed by path alone: a query string cannot grow the cache (the file is the same).
    app.config.setdefault("COMPRESS_CACHE_KEY", lambda req: req.path)
    compress.init_app(app)
    app.after_request(_compress_static)


class _CompressedFiles(dict):
    """Flask-Compress's cache of compressed static files (a few dozen entries per process)."""

    def set(self, key: str, value: bytes) -> None:
        """Keep a compressed body."""
        self[key] = value


def _compress_static(response: Response) -> Response:
    """Compress the app's own static files; pages stay as they are.

    Static files hold no secret and echo no input. Pages do both (CSRF tokens, form values), and
    compressing them would let an attacker guess a token from the response sizes (BREACH).
    """
    if request.endpoint != "static":
        return response
    if response.status_code == 200 and response.is_streamed:
        # A static file comes as a file stream, which Flask-Compress would compress anew for
        # every request. Read into memory (the largest, hls.js, is 400 kB), it is compressed
        # once per algorithm and served from the cache after that.
        response.direct_passthrough = False
        response.make_sequence()
    return compress.after_request(response)


def _register_packages(app: Flask) -> None:
    """The kernel first, then each domain package in import order (no cycles)."""
    import registration
    import sessions
    import streaming
    from conference import auth  # noqa: F401  (registers the login loaders)
    from conference.api import init_api
    from conference.cli import init_cli
    from conference.errors import register_error_handlers
    from conference.views import bp as kernel_bp

    register_error_handlers(app)
    init_api(app)
    app.register_blueprint(kernel_bp)
    init_cli(app)
    for package in (registration, sessions, streaming):
        package.init_app(app)
    from conference import backoffice  # the dashboard shell: it reads every package

    backoffice.init_app(app)


def _register_template_helpers(app: Flask) -> None:
    from conference.clock import utcnow
    from conference.i18n import lang, localized
    from conference.services import current_conference

    def safe_conference():
        # An error page must render even when the database is what failed.
        try:
            return current_conference(required=False)
        except Exception:
            db.session.rollback()
            return None

    # Globals rather than a context processor, so imported macros see them too.
    app.jinja_env.globals.update(
        current_conference=safe_conference,
        lang=lang,
        localized=localized,
        has_endpoint=lambda name: name in app.view_functions,
        now_utc=utcnow,
        current_user=current_user,
    )

    app.jinja_env.filters["date_long"] = lambda d: format_date(d, "EEEE d MMMM y")
    app.jinja_env.filters["time_short"] = lambda d: format_time(d, "HH:mm")
    app.jinja_env.filters["datetime_long"] = lambda d: format_datetime(d, "EEEE d MMMM y, HH:mm")

    @app.before_request
    def _remember_user_language() -> None:
        if current_user.is_authenticated and request.endpoint != "static":
            g.user_language = current_user.language
