"""The installable scanner: its web app manifest and its service worker (routes on checkin.bp).

The worker is served from /scanner/sw.js with `Service-Worker-Allowed: /scanner`, so its scope
covers the chooser (/scanner, the app's start) and the checkpoint pages, and nothing else. Its
cache name carries a hash of everything it caches, so a deploy replaces the cache.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from flask import Response, current_app, jsonify, render_template, url_for
from flask_babel import gettext as _

from conference.extensions import limiter
from registration.checkin.views import bp

SCOPE = "/scanner"
THEME_COLOUR = "#8a1538"  # --brand of app.css
# The scanner's shell besides its pages: what it needs to open and scan with no network.
SHELL_FILES = (
    "css/app.css",
    "css/scanner.css",
    "js/app.js",
    "js/scanner.js",
    "js/scanner_offline.js",
    "vendor/jsqr/jsQR.js",
    "favicon.svg",
    "icons/scanner-192.png",
    "icons/scanner-512.png",
)
WORKER_TEMPLATE = "registration/scanner_sw.js"


@cache
def _version(static_folder: str, template_folder: str) -> str:
    """A hash of the worker and the shell's files: a deploy that changes any gives a new cache."""
    digest = hashlib.sha256()
    for path in [Path(template_folder, WORKER_TEMPLATE)] + [
        Path(static_folder, name) for name in SHELL_FILES
    ]:
        digest.update(path.read_bytes() if path.exists() else path.name.encode())
    return digest.hexdigest()[:16]


def cache_version() -> str:
    """This deploy's cache version."""
    app = current_app
    return _version(str(app.static_folder), str(Path(app.root_path, app.template_folder or "")))


@bp.get("/scanner/sw.js")
@limiter.exempt
def service_worker():
    """The scanner's service worker (public: it holds no data, only what to cache)."""
    config = {
        "version": cache_version(),
        "scope": SCOPE,
        "shell": [url_for("static", filename=name) for name in SHELL_FILES]
        + [url_for("checkin.manifest")],
        "redeemUrl": url_for("checkin_api.redeem"),
    }
    body = render_template(WORKER_TEMPLATE, config=config)
    response = Response(body, mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = SCOPE
    # Checked on every visit: a new deploy's worker is found at once, not a day later.
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/scanner/manifest.webmanifest")
@limiter.exempt
def manifest():
    """The web app manifest: the scanner installs to the home screen and starts at the chooser."""
    icons = [
        {"src": url_for("static", filename=f"icons/scanner-{size}.png"), "sizes": f"{size}x{size}",
         "type": "image/png", "purpose": "any"}
        for size in (192, 512)
    ] + [
        {"src": url_for("static", filename="icons/scanner-maskable-512.png"), "sizes": "512x512",
         "type": "image/png", "purpose": "maskable"}
    ]  # fmt: skip
    response = jsonify(
        {
            "name": _("Scanner van de Sociaalwerkconferentie"),
            "short_name": _("Scanner"),
            "description": _("Tickets scannen aan de deur, ook als het netwerk wegvalt."),
            "start_url": url_for("checkin.choose"),
            "scope": SCOPE,
            "id": SCOPE,
            "display": "standalone",
            "orientation": "portrait",
            "background_color": "#ffffff",
            "theme_color": THEME_COLOUR,
            "icons": icons,
        }
    )
    response.mimetype = "application/manifest+json"
    response.headers["Cache-Control"] = "no-cache"
    return response
