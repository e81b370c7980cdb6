"""Domain errors and the handlers that turn any error into a clear page or JSON answer."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A rule of the domain refused an action; `code` is the API's error word."""

    code = "error"
    status = 400
    message: Any = _l("Dit kon niet worden uitgevoerd.")

    def __init__(
        self,
        message: Any = None,
        *,
        fields: dict | None = None,
        code: str | None = None,
        **extra: Any,
    ):
        self.message = message if message is not None else type(self).message
        self.code = code or type(self).code
        self.fields = fields
        self.extra = extra
        super().__init__(str(self.message))

    def to_json(self) -> dict[str, Any]:
        """The API error shape: error word, message in the request's language, fields."""
        body: dict[str, Any] = {"error": self.code, "message": str(self.message)}
        if self.fields:
            body["fields"] = {k: str(v) for k, v in self.fields.items()}
        body.update(self.extra)
        return body


class Unauthenticated(DomainError):
    """No valid login or token."""

    code, status = "unauthenticated", 401
    message = _l("Meld je eerst aan.")


class Forbidden(DomainError):
    """Logged in, but the role does not allow it."""

    code, status = "forbidden", 403
    message = _l("Je hebt geen toegang tot deze pagina.")


class NotFound(DomainError):
    """The thing asked for does not exist (or is not yours)."""

    code, status = "not_found", 404
    message = _l("Die pagina of dat item bestaat niet.")


class Invalid(DomainError):
    """Input that breaks a validation rule; `fields` says which."""

    code, status = "invalid", 422
    message = _l("Sommige gegevens kloppen niet. Kijk de velden na.")


class Conflict(DomainError):
    """The current state does not allow the action."""

    code, status = "conflict", 409


class BelowTaken(Conflict):
    """The venue cap would fall below the places already taken."""

    code = "below_taken"
    message = _l("Er zijn al meer plaatsen ingenomen dan die capaciteit.")


class AccountInactive(Conflict):
    """A staff account that was switched off gets no new token."""

    code = "inactive"
    message = _l("Dit account is uitgeschakeld.")


HTTP_WORDS = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
}

HTTP_MESSAGES = {
    400: _l("Het verzoek kon niet worden gelezen."),
    401: _l("Meld je eerst aan."),
    403: _l("Je hebt geen toegang tot deze pagina."),
    404: _l("Die pagina of dat item bestaat niet."),
    405: _l("Deze actie is hier niet mogelijk."),
    413: _l("Het verzoek is te groot."),
    415: _l("Stuur de gegevens als JSON."),
    429: _l("Te veel verzoeken na elkaar. Wacht even en probeer opnieuw."),
    500: _l("Er ging iets mis aan onze kant. Probeer het later opnieuw."),
}


def wants_json() -> bool:
    """Whether the caller is the JSON API."""
    return request.path.startswith("/api/")


def _render(status: int, word: str, message: Any, fields: dict | None = None, extra=None):
    if wants_json():
        body: dict[str, Any] = {"error": word, "message": str(message)}
        if fields:
            body["fields"] = fields
        if extra:
            body.update(extra)
        return jsonify(body), status
    return render_template("errors/error.html", status=status, message=message), status


def register_error_handlers(app: Flask) -> None:
    """Every error ends as a page or JSON in the user's language, never a stack trace."""

    @app.errorhandler(DomainError)
    def _domain(error: DomainError):
        if isinstance(error, Unauthenticated) and not wants_json():
            return redirect(url_for("conference.staff_login", next=request.full_path))
        if wants_json():
            return jsonify(error.to_json()), error.status
        return render_template(
            "errors/error.html", status=error.status, message=error.message
        ), error.status

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):
        message = _l(
            "Dit formulier is verlopen of ongeldig. Laad de pagina opnieuw en probeer nog eens."
        )
        return _render(400, "csrf", message)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        status = error.code or 500
        message = HTTP_MESSAGES.get(status, error.description)
        return _render(status, HTTP_WORDS.get(status, "error"), message)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _render(500, "server_error", HTTP_MESSAGES[500])
