"""Configuration: defaults in classes, overrides from the environment."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _bool(name: str, default: bool) -> bool:
    """Read a boolean environment variable ("1", "true", "yes", "on" are true)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _database_url() -> str:
    """DATABASE_URL, or an SQLite file under instance/; plain postgres:// is mapped to psycopg 3."""
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'conference.sqlite3'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _secret_key() -> str:
    """SECRET_KEY, or a random 256-bit key kept in instance/ so sessions survive a restart."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = INSTANCE_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


class Config:
    """Settings shared by every environment."""

    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SECRET_KEY = _secret_key()
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    SMTP_URL = os.environ.get("SMTP_URL", "")
    MAIL_FROM = os.environ.get("MAIL_FROM", "Sociaalwerkconferentie <noreply@sterksociaalwerk.be>")
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    MAIL_LOG_BODIES = False
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    REDIS_URL = os.environ.get("REDIS_URL", "")
    # Online networking meetings get a video room on this server (an unguessable room name).
    NETWORKING_VIDEO_BASE = os.environ.get("NETWORKING_VIDEO_BASE", "https://meet.jit.si/")
    LIVE_PREFIX = os.environ.get("LIVE_PREFIX", "swc:live")
    # Server-Sent Events at /live/events: "auto" holds them where a connection costs no worker
    # (gevent, the threaded dev server) and answers 503 in sync gunicorn workers (pages poll);
    # "on" always, "off" never (pages then poll without trying).
    LIVE_EVENTS = os.environ.get("LIVE_EVENTS", "auto")
    BABEL_DEFAULT_LOCALE = "nl"
    BABEL_DEFAULT_TIMEZONE = "Europe/Brussels"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "conference" / "translations")
    LANGUAGES = ("nl", "en")
    WTF_CSRF_TIME_LIMIT = None  # a form left open over lunch must still submit
    # Bodies larger than this are a 413 before anything reads them: the largest form or JSON
    # body is a programme file (about 25 kB), and parsing megabytes of a form costs seconds.
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 24 * 30
    PROGRAMME_FILE = os.environ.get(
        "PROGRAMME_FILE", str(BASE_DIR / "sessions" / "data" / "sociaalwerkconferentie-2022.yaml")
    )
    TALISMAN_FORCE_HTTPS = False
    JSON_SORT_KEYS = False
    # Flask-Compress, for the static files only (see conference.__init__): their first download
    # is what weighs (hls.js), and they never change while the app runs, so compress them well.
    # zstd 19 takes hls.js from 113 to 106 kB (0.15 s, once per process); browsers pick zstd.
    COMPRESS_REGISTER = False
    COMPRESS_ZSTD_LEVEL = 19
    COMPRESS_BR_LEVEL = 9


class DevelopmentConfig(Config):
    """`make run` on a laptop: SQLite file, mail to the log."""

    DEBUG = False
    # Without SMTP_URL, write whole mails (links included) to the log so they can be clicked.
    MAIL_LOG_BODIES = True


class TestingConfig(Config):
    """The test suite: the tests pass their own database URL."""

    TESTING = True
    RATELIMIT_ENABLED = False
    SERVER_NAME = None


class ProductionConfig(Config):
    """gunicorn behind HTTPS with PostgreSQL."""

    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    TALISMAN_FORCE_HTTPS = _bool("FORCE_HTTPS", True)
    PREFERRED_URL_SCHEME = "https"


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def get_config(name: str | None = None) -> type[Config]:
    """The config class for APP_ENV (development by default)."""
    return CONFIGS[(name or os.environ.get("APP_ENV") or "development").lower()]
