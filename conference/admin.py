"""What every package's organiser screens share: actor, confirm button, paging, downloads, labels.

The back office and the packages' own `admin.py` modules both use these, so they live in the
kernel: a package never imports the back-office shell.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from flask import Response, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import Select, func, select
from wtforms import StringField
from wtforms.validators import Length, Optional

from conference.errors import DomainError
from conference.extensions import db
from conference.forms import Form
from conference.validation import as_id

MODE_LABELS = {"onsite": _l("Ter plaatse"), "online": _l("Online"), "hybrid": _l("Hybride")}

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
    "invited": _l("Uitgenodigd door een collega"),
    "applied": _l("Doet mee aan de loting"),
    "canceled": _l("Geannuleerd"),
}


def actor() -> Any:
    """The logged-in account behind this request, for the audit log."""
    return current_user._get_current_object()


def download(data: bytes, filename: str, mimetype: str) -> Response:
    """A file download that no cache or browser sniffing keeps around."""
    response = Response(data, content_type=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


class ConfirmForm(Form):
    """A button that changes something: only the CSRF token, and an optional reason."""

    reason = StringField(_l("Reden (voor het auditlog)"), validators=[Optional(), Length(max=500)])


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


def show_domain_error(form: Any, exc: DomainError) -> None:
    """Put a refused change's messages on the form: each on its field, the rest on top."""
    fields = exc.fields or {}
    for key, message in fields.items():
        target = getattr(form, key, None)
        if target is not None and hasattr(target, "errors"):
            target.errors = [*list(target.errors), message]
        else:
            form.form_errors.append(f"{key}: {message}")
    if not fields:
        form.form_errors.append(exc.message)
