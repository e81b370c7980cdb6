"""The export API (organiser): registrations and activity lists as CSV or XLSX."""

from __future__ import annotations

from flask import Blueprint, request

from conference.admin import download
from conference.auth import organiser_required
from conference.backoffice import exports
from conference.backoffice.common import CSV_MIME, XLSX_MIME
from conference.backoffice.schemas import CSV_FILE, WORKBOOK, ExportQuery
from conference.errors import NotFound
from conference.extensions import db
from conference.openapi import ApiDocs
from conference.services import current_conference
from sessions.programme.models import Activity

bp = Blueprint("backoffice_api", __name__, url_prefix="/api/v1")
docs = ApiDocs("exports", "Lists for organisers, speakers and guides (organiser only).")


def _table_download(table: exports.Table, stem: str, fmt: str):
    conf = current_conference()
    if fmt == "csv":
        return download(exports.to_csv(table, conf.timezone), f"{stem}.csv", CSV_MIME)
    return download(exports.to_xlsx(table, conf.timezone), f"{stem}.xlsx", XLSX_MIME)


def _asked(value: str | None) -> bool:
    return (value or "").lower() in {"1", "true", "yes"}


def _registrations(fmt: str):
    conf = current_conference()
    table = exports.registrations_table(
        conf,
        include_canceled=_asked(request.args.get("include_canceled")),
        include_invited=_asked(request.args.get("include_invited")),
        answer=exports.answer_filter(request.args),
    )
    return _table_download(table, f"inschrijvingen-{conf.slug}", fmt)


def _activity(activity_id: int, fmt: str):
    conf = current_conference()
    act = db.session.get(Activity, activity_id)
    if act is None or act.conference_id != conf.id:
        raise NotFound()
    return _table_download(exports.activity_table(act), f"deelnemers-{act.slug}", fmt)


@bp.get("/exports/registrations.csv")
@docs(
    summary="Every registration as CSV (UTF-8 with BOM, `;` separator, formulas neutralised).",
    query=ExportQuery,
    responses={200: CSV_FILE},
)
@organiser_required
def registrations_csv():
    """Every registration as CSV (UTF-8 with BOM, `;`)."""
    return _registrations("csv")


@bp.get("/exports/registrations.xlsx")
@docs(
    summary="Every registration as an Excel workbook.", query=ExportQuery, responses={200: WORKBOOK}
)
@organiser_required
def registrations_xlsx():
    """Every registration as an Excel workbook."""
    return _registrations("xlsx")


@bp.get("/exports/activities/<int:activity_id>.csv")
@docs(
    summary="The people with a seat at an activity, as CSV (for speakers and guides).",
    responses={200: CSV_FILE},
)
@organiser_required
def activity_csv(activity_id: int):
    """The people with a seat at an activity, as CSV."""
    return _activity(activity_id, "csv")


@bp.get("/exports/activities/<int:activity_id>.xlsx")
@docs(
    summary="The people with a seat at an activity, as an Excel workbook.",
    responses={200: WORKBOOK},
)
@organiser_required
def activity_xlsx(activity_id: int):
    """The people with a seat at an activity, as an Excel workbook."""
    return _activity(activity_id, "xlsx")
