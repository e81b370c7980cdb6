"""The one-click links of the reconfirmation mail: signed, and single use through their row.

A link carries the registration and the row's random `link_id`, signed with itsdangerous (as
login links are). Opening it (GET) only shows a button; the POST answers, once: a mail
scanner that follows links changes nothing.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from registration.links import external_url

SALT = "registration.reconfirm"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=SALT)


def link_token(registration_id: int, link_id: str) -> str:
    """The signed token of a registration's reconfirmation links."""
    return _serializer().dumps({"r": registration_id, "j": link_id})


def read_token(token: str) -> tuple[int, str] | None:
    """(registration id, link id) of a token, or None when it is not ours."""
    try:
        data: Any = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("r"), int):
        return None
    return (data["r"], data["j"]) if isinstance(data.get("j"), str) else None


def answer_urls(registration_id: int, link_id: str) -> dict[str, str]:
    """The mail's two links: "Ik kom" and "Ik kan niet meer komen"."""
    token = link_token(registration_id, link_id)
    return {
        "yes_url": external_url("reconfirm.link", token=token, antwoord="ja"),
        "no_url": external_url("reconfirm.link", token=token, antwoord="nee"),
    }
