"""The back-office blueprint; each `*_views` module adds its routes to it."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("backoffice", __name__, url_prefix="/beheer")
