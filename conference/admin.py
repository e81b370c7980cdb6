"""What every package's organiser screens share: the actor, the confirm button, downloads, labels.

The back office and the packages' own `admin.py` modules both use these, so they live in the
kernel: a package never imports the back-office shell.
"""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import StringField
from wtforms.validators import Length, Optional

from conference.forms import Form

MODE_LABELS = {"onsite": _l("Ter plaatse"), "online": _l("Online"), "hybrid": _l("Hybride")}


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
