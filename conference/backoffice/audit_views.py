"""The audit log page: who changed what, when, with the values before and after."""

from __future__ import annotations

from flask import render_template, request
from sqlalchemy import Select, func, select

from conference.admin import download, page_number, paginate
from conference.auth import organiser_required
from conference.backoffice import exports
from conference.backoffice.blueprint import bp
from conference.backoffice.common import CSV_MIME, XLSX_MIME
from conference.extensions import db
from conference.models import AuditEntry
from conference.services import current_conference
from conference.validation import tidy_search

EXPORT_LIMIT = 50_000


def _filters() -> dict[str, str]:
    return {
        key: tidy_search(request.args.get(key), key)
        for key in ("action", "target_type", "target_id", "actor")
    }


def _query(filters: dict[str, str]) -> Select:
    query = select(AuditEntry).order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    if filters["action"]:
        query = query.where(AuditEntry.action == filters["action"])
    if filters["target_type"]:
        query = query.where(AuditEntry.target_type == filters["target_type"])
    if filters["target_id"]:
        query = query.where(AuditEntry.target_id == filters["target_id"])
    if filters["actor"]:
        needle = filters["actor"].lower()
        query = query.where(func.lower(AuditEntry.actor_email).contains(needle, autoescape=True))
    return query


@bp.get("/audit")
@organiser_required
def audit():
    """The audit log, newest first, filtered by action, target and actor."""
    filters = _filters()
    pager = paginate(_query(filters), page_number(), per_page=50)
    actions = db.session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action))
    types = db.session.scalars(
        select(AuditEntry.target_type).distinct().order_by(AuditEntry.target_type)
    )
    return render_template(
        "backoffice/audit.html",
        conf=current_conference(),
        pager=pager,
        filters=filters,
        actions=list(actions),
        types=list(types),
        section="audit",
    )


def _export(fmt: str):
    conf = current_conference()
    entries = db.session.scalars(_query(_filters()).limit(EXPORT_LIMIT)).all()
    table = exports.audit_table(entries)
    if fmt == "csv":
        return download(exports.to_csv(table, conf.timezone), "auditlog.csv", CSV_MIME)
    return download(exports.to_xlsx(table, conf.timezone), "auditlog.xlsx", XLSX_MIME)


@bp.get("/audit/export.csv")
@organiser_required
def audit_csv():
    """The (filtered) audit log as CSV."""
    return _export("csv")


@bp.get("/audit/export.xlsx")
@organiser_required
def audit_xlsx():
    """The (filtered) audit log as an Excel workbook."""
    return _export("xlsx")
