"""Where tickets are scanned (the entrance, activity doors) and how secrets are hashed."""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import timedelta
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l

from conference.errors import Invalid
from conference.models import Conference
from conference.validation import as_id
from registration.checkin.registry import ENTRANCE, Checkpoint, activity_checkpoints

ENTRANCE_OPENS_MINUTES = 90
ACTIVITY_OPENS_MINUTES = 30
SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
HASH_CHARS = 32  # 128 bits of HMAC-SHA256, in hex

# --- checkpoints --------------------------------------------------------------------------


def _minutes_setting(conf: Conference, key: str, default: int) -> int:
    value = conf.setting(key)
    return default if value is None else int(value)


def entrance_checkpoint(conf: Conference) -> Checkpoint:
    """The venue entrance: open from before the start of the day until its end."""
    before = _minutes_setting(conf, "entrance_opens_minutes_before", ENTRANCE_OPENS_MINUTES)
    return Checkpoint(
        key=ENTRANCE,
        label=str(_l("Ingang")),
        label_en="Entrance",
        kind="entrance",
        opens_at=conf.starts_at - timedelta(minutes=before),
        closes_at=conf.ends_at,
        starts_at=conf.starts_at,
        location=conf.venue,
    )


def list_checkpoints(conf: Conference) -> list[Checkpoint]:
    """The entrance and every on-site activity checkpoint."""
    provider = activity_checkpoints()
    return [entrance_checkpoint(conf), *(provider.checkpoints(conf) if provider else [])]


def resolve_checkpoint(conf: Conference, key: Any) -> Checkpoint:
    """The checkpoint for `entrance` or an activity id; 422 for anything else."""
    key = str(key if key is not None else "").strip()
    if key == ENTRANCE:
        return entrance_checkpoint(conf)
    provider = activity_checkpoints()
    activity_id = as_id(key)
    checkpoint = provider.get(conf, activity_id) if activity_id and provider else None
    if checkpoint is None:
        raise Invalid(fields={"checkpoint": _l("onbekende controlepost")})
    return checkpoint


# --- secrets -------------------------------------------------------------------------------


def extract_secret(text: Any) -> str | None:
    """The ticket secret from a scanned code: the raw secret or the ticket URL `…/t/<secret>`."""
    if not isinstance(text, str):
        return None
    text = text.strip()
    if "/" in text:
        path = urlsplit(text).path.rstrip("/")
        head, _, tail = path.rpartition("/")
        if not head.endswith("/t") and head != "/t" and head != "t":
            return None
        text = unquote(tail)
    return text if SECRET_RE.match(text) else None


def list_hash_key(conf: Conference) -> bytes:
    """The key of the list's secret hashes: derived from SECRET_KEY, only for this purpose."""
    root = current_app.config["SECRET_KEY"]
    root = root.encode() if isinstance(root, str) else root
    return hmac.new(root, f"checkin-list:{conf.slug}".encode(), hashlib.sha256).digest()[:16]


def secret_hash(key: bytes, secret: str) -> str:
    """A keyed hash of a ticket secret: scanners compare these offline, never raw secrets."""
    return hmac.new(key, secret.encode(), hashlib.sha256).hexdigest()[:HASH_CHARS]
