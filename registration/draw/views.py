"""The draw's public page: the commitment before, the seed, data and result after."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template

from conference.auth import public
from conference.errors import NotFound
from conference.extensions import db
from conference.services import current_conference
from registration.draw.models import VenueDraw

bp = Blueprint("draw", __name__)


def _row() -> VenueDraw | None:
    conf = current_conference()
    return db.session.query(VenueDraw).filter_by(conference_id=conf.id).one_or_none()


@bp.get("/loting", endpoint="public")
@public
def public_page():
    """How the draw works, the seed's hash, and after the draw everything to re-run it."""
    conf = current_conference()
    row = _row()
    published = row.published if row is not None and row.published_at else None
    return render_template("registration/draw/public.html", conf=conf, row=row, data=published)


@bp.get("/loting/gegevens.json", endpoint="data")
@public
def data():
    """The published draw as JSON: the input of `draw-verify`."""
    row = _row()
    if row is None or row.published is None:
        raise NotFound()
    return jsonify(row.published)
