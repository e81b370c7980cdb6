"""Small helpers of the back-office shell: its labels and file types."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

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


CSV_MIME = "text/csv; charset=utf-8"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_MIME = "application/pdf"
