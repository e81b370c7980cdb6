"""Language choice (Dutch first) and the template helpers for bilingual content."""

from __future__ import annotations

from typing import Any

from flask import current_app, g, has_request_context, request
from flask_babel import get_locale
from markupsafe import Markup

COOKIE = "lang"


def select_locale() -> str:
    """Dutch first. Pages: ?lang=, cookie, account; else Dutch, whatever the browser's language
    (an English browser must not lose the Dutch-first default). API: ?lang=, Accept-Language."""
    if not has_request_context():  # jobs and the CLI: Dutch unless force_locale says otherwise
        return "nl"
    languages = current_app.config["LANGUAGES"]
    explicit = [request.args.get("lang")]
    if request.path.startswith("/api/"):
        if request.headers.get("Accept-Language"):
            explicit.append(request.accept_languages.best_match(languages))
    else:
        explicit.append(request.cookies.get(COOKIE))
    explicit.append(g.get("user_language"))
    for candidate in explicit:
        if candidate in languages:
            return candidate
    return "nl"


def lang() -> str:
    """The current language code."""
    return str(get_locale() or "nl")


def lang_of(obj: Any, field: str) -> Markup:
    """` lang="nl"` where an English page shows a Dutch text (no English one is filled in)."""
    if lang() == "en" and not getattr(obj, f"{field}_en", None):
        return Markup(' lang="nl"')
    return Markup("")


def localized(obj: Any, field: str) -> Any:
    """`obj.field_en` in English when it is filled in, else the Dutch `obj.field`."""
    if lang() == "en":
        value = getattr(obj, f"{field}_en", None)
        if value:
            return value
    return getattr(obj, field)
