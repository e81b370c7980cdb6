"""CSV and XLSX exports of registrations, activity lists and the audit log.

CSV is UTF-8 with a BOM and `;` as separator, so Dutch-language Excel opens it in columns with
accents intact. Every text cell that a spreadsheet would read as a formula gets a leading `'`.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from conference.admin import MODE_LABELS, PROFILE_LABELS, STATUS_LABELS
from conference.backoffice.common import SOURCE_LABELS, label
from conference.clock import local
from conference.extensions import db
from conference.models import AuditEntry, Conference
from registration.models import NOT_ATTENDING, Registration
from registration.questions.services import (  # noqa: F401  (answer_filter: the export API's)
    answer_columns,
    answer_filter,
    registrations_answering,
)
from sessions.programme.models import Activity
from sessions.seats.models import Seat

# A spreadsheet treats a cell that starts with one of these as a formula (or a DDE command).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A text cell that cannot run as a formula; other values pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


@dataclass
class Table:
    """A sheet: a title, column headers and rows of plain values."""

    title: str
    headers: list[str]
    rows: list[list[Any]]


def _csv_value(value: Any, tz: str) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("ja") if value else _("nee")
    if isinstance(value, datetime):
        return local(value, tz).strftime("%Y-%m-%d %H:%M")
    return neutralise(value)


def to_csv(table: Table, tz: str = "Europe/Brussels") -> bytes:
    """UTF-8 with BOM, `;`-separated, every text cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([neutralise(h) for h in table.headers])
    for row in table.rows:
        writer.writerow([_csv_value(v, tz) for v in row])
    return out.getvalue().encode("utf-8-sig")


def _xlsx_value(value: Any, tz: str) -> Any:
    if isinstance(value, bool):
        return _("ja") if value else _("nee")
    if isinstance(value, datetime):
        # Excel has no time zones: write the wall-clock time in the conference's zone.
        return local(value, tz).replace(tzinfo=None)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters break the file
    return neutralise(value)


def to_xlsx(table: Table, tz: str = "Europe/Brussels") -> bytes:
    """One sheet with a bold, frozen, filterable header row; text cells never become formulas."""
    book = Workbook()
    sheet = book.active
    # Sheet titles: at most 31 characters, none of []:*?/\
    title = "".join(c for c in table.title if c not in "[]:*?/\\")[:31] or "Export"
    sheet.title = title
    sheet.append([neutralise(h) for h in table.headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [len(str(h)) for h in table.headers]
    for row in table.rows:
        values = [_xlsx_value(v, tz) for v in row]
        sheet.append(values)
        for i, value in enumerate(values):
            widths[i] = max(widths[i], min(len(str(value or "")), 60))
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(cell.value, str):
                cell.data_type = "s"  # belt and braces: never a formula
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width + 2
    sheet.freeze_panes = "A2"
    if table.rows:
        sheet.auto_filter.ref = sheet.dimensions
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _seat_titles(registration_ids: Iterable[int]) -> dict[int, list[str]]:
    """Per registration, the titles of the activities it holds a seat at, in time order."""
    ids = list(registration_ids)
    result: dict[int, list[str]] = defaultdict(list)
    if not ids:
        return result
    rows = db.session.execute(
        select(Seat.registration_id, Activity.title)
        .join(Activity, Activity.id == Seat.activity_id)
        .where(Seat.registration_id.in_(ids))
        .order_by(Activity.starts_at, Activity.position)
    )
    for reg_id, title in rows:
        result[reg_id].append(title)
    return result


def _left_out(include_canceled: bool, include_invited: bool) -> tuple[str, ...]:
    """The statuses an export leaves out unless asked for."""
    wanted = {"canceled": include_canceled, "invited": include_invited}
    return tuple(status for status, asked in wanted.items() if not asked)


def _registrations(
    conf: Conference, left_out: tuple[str, ...], answer: tuple[str, str] | None
) -> list[Registration]:
    """The registrations of an export, by name, without the `left_out` statuses; `answer`
    (key, value) filters."""
    query: Select = (
        select(Registration)
        .filter_by(conference_id=conf.id)
        .options(selectinload(Registration.tickets))
        .order_by(Registration.last_name, Registration.first_name, Registration.id)
    )
    if left_out:
        query = query.where(Registration.status.not_in(left_out))
    if answer is not None:
        query = query.where(Registration.id.in_(registrations_answering(conf.id, *answer)))
    return list(db.session.scalars(query))


def registrations_table(
    conf: Conference,
    *,
    include_canceled: bool = False,
    include_invited: bool = False,
    answer: tuple[str, str] | None = None,
) -> Table:
    """Every registration, one row each (canceled, invited only if asked); `answer` filters."""
    regs = _registrations(conf, _left_out(include_canceled, include_invited), answer)
    seats = _seat_titles(r.id for r in regs)
    question_headers, answers = answer_columns(conf.id, [r.id for r in regs])
    # Labels translated once, not once per row.
    profiles, modes, statuses = (
        {k: str(v) for k, v in labels.items()}
        for labels in (PROFILE_LABELS, MODE_LABELS, STATUS_LABELS)
    )
    headers = [
        _("Nummer"),
        _("Voornaam"),
        _("Familienaam"),
        _("E-mail"),
        _("Organisatie"),
        _("Profiel"),
        _("Sector"),
        _("Deelname"),
        _("Status"),
        _("Wacht op plaats sinds"),
        _("Taal"),
        _("Toegankelijkheid"),
        _("Dieet"),
        _("Ingeschreven op"),
        _("Ticket"),
        _("Workshops en bezoeken"),
        *question_headers,
    ]
    rows = [
        [
            r.id,
            r.first_name,
            r.last_name,
            r.email,
            r.organisation,
            profiles.get(r.profile, r.profile),
            r.sector,
            modes.get(r.mode, r.mode),
            statuses.get(r.status, r.status),
            r.venue_waitlisted_at,
            r.language,
            r.accessibility_needs,
            r.diet,
            r.created_at,
            r.ticket is not None,
            ", ".join(seats.get(r.id, [])),
            *answers[r.id],
        ]
        for r in regs
    ]
    return Table(title=_("Inschrijvingen"), headers=headers, rows=rows)


def activity_people(act: Activity) -> list[tuple[Seat, Registration]]:
    """The people holding a seat at an activity, by name."""
    rows = db.session.execute(
        select(Seat, Registration)
        .join(Registration, Registration.id == Seat.registration_id)
        .where(Seat.activity_id == act.id, Registration.status.not_in(NOT_ATTENDING))
        .order_by(Registration.last_name, Registration.first_name, Registration.id)
    )
    return [(seat, reg) for seat, reg in rows]


def activity_table(act: Activity) -> Table:
    """The list of an activity for its speakers or guide: who holds a seat."""
    headers = [
        _("Nummer"),
        _("Voornaam"),
        _("Familienaam"),
        _("E-mail"),
        _("Organisatie"),
        _("Profiel"),
        _("Deelname"),
        _("Plaats via"),
        _("Toegankelijkheid"),
        _("Dieet"),
    ]
    people = activity_people(act)
    question_headers, answers = answer_columns(
        act.conference_id, [reg.id for _seat, reg in people], for_speakers=True
    )
    headers += question_headers
    rows = [
        [
            reg.id,
            reg.first_name,
            reg.last_name,
            reg.email,
            reg.organisation,
            label(PROFILE_LABELS, reg.profile),
            label(MODE_LABELS, reg.mode),
            label(SOURCE_LABELS, seat.source),
            reg.accessibility_needs,
            reg.diet,
            *answers[reg.id],
        ]
        for seat, reg in people
    ]
    return Table(title=act.title[:31], headers=headers, rows=rows)


def audit_table(entries: Sequence[AuditEntry]) -> Table:
    """Audit entries as a sheet; before and after as compact JSON."""
    import json

    headers = [
        _("Tijdstip"),
        _("Wie"),
        _("Actie"),
        _("Type"),
        _("Item"),
        _("Voor"),
        _("Na"),
        _("Reden"),
    ]
    rows = [
        [
            e.created_at,
            e.actor_email or _("systeem"),
            e.action,
            e.target_type,
            e.target_id,
            json.dumps(e.before, ensure_ascii=False) if e.before is not None else None,
            json.dumps(e.after, ensure_ascii=False) if e.after is not None else None,
            e.reason,
        ]
        for e in entries
    ]
    return Table(title=_("Auditlog"), headers=headers, rows=rows)
