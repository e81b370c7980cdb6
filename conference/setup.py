"""The app factory's wiring: the kernel's extensions, then every package, then template helpers.

Imported once, by `create_app`: the kernel's shell may import the higher packages, and does so
here (their `setup` modules) rather than in the package `__init__` that every module imports.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, Response, g, request
from flask_babel import format_date, format_datetime, format_decimal, format_time
from flask_login import current_user

from conference import (
    auth,  # noqa: F401  (registers the login loaders)
    live,
    live_events,
    snapshot,
)
from conference.api import init_api
from conference.backoffice import setup as backoffice_setup
from conference.cli import init_cli
from conference.clock import utcnow
from conference.db import configure_postgresql, configure_sqlite
from conference.errors import register_error_handlers
from conference.extensions import babel, compress, csrf, db, limiter, login_manager, migrate
from conference.i18n import lang, lang_of, localized, select_locale
from conference.security import init_security
from conference.services import current_conference
from conference.views import bp as kernel_bp
from registration import setup as registration_setup
from sessions import setup as sessions_setup
from streaming import setup as streaming_setup

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def init_app(app: Flask) -> None:
    """Extensions, the kernel's pages, each package in import order (no cycles), the shell."""
    init_extensions(app)
    register_error_handlers(app)
    init_api(app)
    app.register_blueprint(kernel_bp)
    # The event stream is hit by every open page: no per-address limit (the venue's Wi-Fi is
    # one address), and its grant is checked without the database.
    limiter.exempt(live_events.bp)
    app.register_blueprint(live_events.bp)
    init_cli(app)
    for package in (registration_setup, sessions_setup, streaming_setup):
        package.init_app(app)
    backoffice_setup.init_app(app)  # the dashboard shell last: it reads every package
    register_template_helpers(app)


def init_extensions(app: Flask) -> None:
    """Database, migrations, login, CSRF, translations, rate limits, security headers, gzip."""
    live.init_app(app)  # first: its hook answers unchanged polls before any other work
    live_events.init_app(app)
    snapshot.init_app(app)
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}))
    # pysqlite waits on the busy timeout itself and a local file needs no ping; PostgreSQL
    # gets a check without pool_pre_ping's round trip per request (configure_postgresql).
    ping = options.pop("pool_pre_ping", False)
    if uri.startswith("sqlite"):
        options.setdefault("connect_args", {"timeout": 30})
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    db.init_app(app)
    with app.app_context():
        if uri.startswith("sqlite"):
            configure_sqlite(db.engine)
        elif ping:
            configure_postgresql(db.engine)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    login_manager.init_app(app)
    login_manager.login_view = "conference.staff_login"
    login_manager.session_protection = "basic"
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
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


def register_template_helpers(app: Flask) -> None:
    """Globals and filters every template (and every imported macro) sees."""

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
        lang_of=lang_of,
        now_utc=utcnow,
        current_user=current_user,
    )

    app.jinja_env.filters["date_long"] = lambda d: format_date(d, "EEEE d MMMM y")
    app.jinja_env.filters["time_short"] = lambda d: format_time(d, "HH:mm")
    app.jinja_env.filters["datetime_long"] = lambda d: format_datetime(d, "EEEE d MMMM y, HH:mm")
    # Numbers as the reader writes them ("2,20" and "57,3%" in Dutch, "2.20" in English).
    app.jinja_env.filters["decimal"] = lambda x, digits=1: format_decimal(
        x or 0, "#,##0." + "0" * digits if digits else "#,##0"
    )
    app.jinja_env.filters["percent"] = lambda share, digits=1: (
        format_decimal(100 * (share or 0), "#,##0." + "0" * digits if digits else "#,##0") + "%"
    )

    @app.before_request
    def _remember_user_language() -> None:
        # The live stream needs no account (its grant says what it may hear): no query for it.
        if request.endpoint not in ("static", "live.events") and current_user.is_authenticated:
            g.user_language = current_user.language
