"""Security headers: a strict CSP, no camera but on the scanner, frames only for stream players.

Every page gets the strict policy below. A view that needs more says so with
`@page_policy(camera=True)` (the scanner) or, for sources known only per request (a stream's HLS
host, an embed's host), calls `allow_sources(frame=…, media=…, connect=…)` while it renders.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

import flask_talisman
from flask import Flask, Response, current_app, g, request


class Talisman(flask_talisman.Talisman):
    """Talisman with each view's headers worked out once per app.

    Without nonces they depend only on the view and on whether the call came over HTTPS, and
    building them (the CSP joined from its parts) cost more CPU per API call than any other hook.
    """

    def _set_response_headers(self, response: Response) -> Response:
        if self.content_security_policy_nonce_in:
            return super()._set_response_headers(response)
        secure = request.is_secure or request.headers.get("X-Forwarded-Proto") == "https"
        known = current_app.extensions.setdefault("security_headers", {})
        headers = known.get((request.endpoint, secure))
        if headers is None:
            probe = Response()
            probe.headers.clear()
            super()._set_response_headers(probe)
            headers = known[(request.endpoint, secure)] = list(probe.headers.items())
        for name, value in headers:
            response.headers[name] = value
        return response

    def _make_nonce(self) -> None:
        if self.content_security_policy_nonce_in:
            super()._make_nonce()


talisman = Talisman()

CSP: dict[str, Any] = {
    "default-src": "'self'",
    "script-src": "'self'",
    # Inline style attributes are allowed (mail previews, small layout tweaks); scripts are not.
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "media-src": ["'self'", "blob:"],
    "connect-src": "'self'",
    "font-src": "'self'",
    "frame-src": "'none'",
    "frame-ancestors": "'none'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "worker-src": ["'self'", "blob:"],
}
PERMISSIONS: dict[str, str] = {
    "camera": "()",
    "microphone": "()",
    "geolocation": "()",
    "payment": "()",
    "usb": "()",
    "interest-cohort": "()",
}
# Stream players that organisers may embed (privacy-enhanced domains).
PLAYER_FRAMES = ("https://www.youtube-nocookie.com", "https://player.vimeo.com")


# A document that is only ever shown inside a sandboxed frame of our own pages (the organisers'
# mail previews): no scripts, no requests, inline styles and inline images only.
FRAMED_DOCUMENT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data: cid:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'self'; sandbox"
)


def page_policy(
    *, camera: bool = False, frames_self: bool = False, framed_document: bool = False
) -> Callable:
    """Per-view header options: `camera=True` lets this page (only) use the camera;
    `frames_self=True` lets it frame our own documents; `framed_document=True` serves a
    document (mail HTML) that only our pages may frame, under `FRAMED_DOCUMENT_CSP`."""

    def decorator(view: Callable) -> Callable:
        options: dict[str, Any] = {}
        if camera:
            options["permissions_policy"] = {**PERMISSIONS, "camera": "(self)"}
        if frames_self:
            options["content_security_policy"] = {**CSP, "frame-src": "'self'"}
        if framed_document:
            options["content_security_policy"] = FRAMED_DOCUMENT_CSP
            options["frame_options"] = "SAMEORIGIN"
        view.talisman_view_options = options
        return view

    return decorator


def origin(url: str | None) -> str | None:
    """The scheme://host[:port] of a URL, for a CSP source list."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def allow_sources(
    *, frame: Iterable[str] = (), media: Iterable[str] = (), connect: Iterable[str] = ()
) -> None:
    """Widen this response's CSP with the origins of the given URLs (stream hosts)."""
    extra = g.setdefault(
        "csp_extra", {"frame-src": set(), "media-src": set(), "connect-src": set()}
    )
    for directive, urls in (("frame-src", frame), ("media-src", media), ("connect-src", connect)):
        extra[directive].update(o for o in map(origin, urls) if o)


def _remember_view_headers(response: Response) -> Response:
    """Runs before Talisman: keep a view's own stricter Referrer-Policy (pages with a secret)."""
    if "Referrer-Policy" in response.headers:
        g.view_referrer_policy = response.headers["Referrer-Policy"]
    return response


def _widen_csp(response: Response) -> Response:
    """Runs after Talisman: put back the view's Referrer-Policy and widen the CSP if asked."""
    if policy := g.get("view_referrer_policy"):
        response.headers["Referrer-Policy"] = policy
    extra = g.get("csp_extra")
    header = response.headers.get("Content-Security-Policy")
    if not extra or not header:
        return response
    parts = []
    for item in header.split(";"):
        name, _, value = item.strip().partition(" ")
        sources = " ".join(sorted(extra.get(name, ())))
        if sources:
            value = sources if value.strip() == "'none'" else f"{value} {sources}"
        parts.append(f"{name} {value}".strip())
    response.headers["Content-Security-Policy"] = "; ".join(parts)
    return response


def init_security(app: Flask) -> None:
    """Security headers on every response; HTTPS and secure cookies in production."""
    production = not (app.debug or app.testing) and app.config.get("SESSION_COOKIE_SECURE", False)
    # Registered before Talisman, so it runs after it (after_request runs in reverse order).
    app.after_request(_widen_csp)
    talisman.init_app(
        app,
        force_https=bool(app.config.get("TALISMAN_FORCE_HTTPS")) and production,
        strict_transport_security=production,
        content_security_policy=CSP,
        permissions_policy=PERMISSIONS,
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        session_cookie_secure=bool(app.config.get("SESSION_COOKIE_SECURE")),
        session_cookie_http_only=True,
        session_cookie_samesite="Lax",
    )
    # Registered after Talisman, so it runs before it.
    app.after_request(_remember_view_headers)
