"""Small helpers shared by the back-office views: the actor, labels, pagination, downloads."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from flask import Response, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import Select, func, select

from conference.extensions import db

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
MODE_LABELS = {"onsite": _l("Ter plaatse"), "online": _l("Online"), "hybrid": _l("Hybride")}
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
KIND_LABELS = {
    "plenary": _l("Plenair"),
    "workshop": _l("Workshop"),
    "online_workshop": _l("Online workshop"),
    "stream": _l("Stream"),
    "visit": _l("Bezoek"),
    "radio": _l("Radio"),
    "film": _l("Film"),
    "networking": _l("Ontmoeting"),
}


def label(labels: dict[str, Any], code: str | None) -> str:
    """The translated label of a code, or the code itself."""
    if code is None:
        return ""
    return str(labels.get(code, code))


def actor() -> Any:
    """The logged-in account behind this request, for the audit log."""
    return current_user._get_current_object()


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
    """The `page` query parameter, at least 1."""
    try:
        return max(1, int(request.args.get("page", 1)))
    except ValueError:
        return 1


def paginate(query: Select, page: int, per_page: int = 50) -> Page:
    """Run `query` for one page, with the total count."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)))
    return Page(items=items, page=page, per_page=per_page, total=total or 0)


def download(data: bytes, filename: str, mimetype: str) -> Response:
    """A file download that no cache or browser sniffing keeps around."""
    response = Response(data, content_type=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


CSV_MIME = "text/csv; charset=utf-8"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_MIME = "application/pdf"
