"""Small helpers shared by the back-office views: labels, pagination, file types."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from flask import request
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select

from conference.extensions import db
from conference.validation import as_id

PROFILE_LABELS = {
    "practitioner": _l("Praktijkwerker"),
    "manager": _l("Leidinggevende"),
    "student": _l("Student"),
    "volunteer": _l("Vrijwilliger"),
    "experience_expert": _l("Ervaringsdeskundige"),
    "policy": _l("Beleid"),
    "research_education": _l("Onderzoek en onderwijs"),
    "other": _l("Andere"),
}
STATUS_LABELS = {
    "registered": _l("Ingeschreven"),
    "waitlisted": _l("Op de wachtlijst"),
    "canceled": _l("Geannuleerd"),
}
ROLE_LABELS = {
    "organiser": _l("Organisator"),
    "checkin": _l("Check-in"),
    "moderator": _l("Moderator"),
    "attendee": _l("Deelnemer"),
}
SOURCE_LABELS = {
    "allocation": _l("Toewijzing"),
    "booking": _l("Zelf geboekt"),
    "waitlist": _l("Van de wachtlijst"),
    "organiser": _l("Door organisator"),
    "standby": _l("Aan de deur"),
}


def label(labels: dict[str, Any], code: str | None) -> str:
    """The translated label of a code, or the code itself."""
    if code is None:
        return ""
    return str(labels.get(code, code))


@dataclass
class Page:
    """One page of results."""

    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """How many pages there are (at least one)."""
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        """Whether there is a page before this one."""
        return self.page > 1

    @property
    def has_next(self) -> bool:
        """Whether there is a page after this one."""
        return self.page < self.pages


def page_number() -> int:
    """The `page` query parameter, at least 1 (a number no list reaches counts as 1)."""
    return as_id(request.args.get("page")) or 1


def paginate(query: Select, page: int, per_page: int = 50) -> Page:
    """Run `query` for one page, with the total count."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)))
    return Page(items=items, page=page, per_page=per_page, total=total or 0)


CSV_MIME = "text/csv; charset=utf-8"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_MIME = "application/pdf"
