"""PDF output with reportlab: name badges (8 per A4 page) and attendance lists per activity."""

from __future__ import annotations

import io
from collections.abc import Sequence

from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from conference.admin import PROFILE_LABELS
from conference.backoffice.common import label
from conference.backoffice.exports import activity_people
from conference.clock import local
from conference.mail.pdf import FONT, FONT_BOLD, fonts
from conference.mail.qr import qr_image
from conference.models import Conference
from registration.models import Registration
from registration.tickets import ticket_url
from sessions.programme.models import Activity

COLUMNS, ROWS = 2, 4
BADGES_PER_PAGE = COLUMNS * ROWS


def _fit(text: str, font: str, size: float, width: float, minimum: float = 9) -> float:
    """The largest font size up to `size` at which `text` fits in `width`."""
    while size > minimum and stringWidth(text, font, size) > width:
        size -= 0.5
    return size


def _clip(text: str, font: str, size: float, width: float) -> str:
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def badges_pdf(conf: Conference, registrations: Sequence[Registration]) -> bytes:
    """Name badges, 8 per A4 page (2 x 4, 105 x 74 mm): name, organisation, profile, QR."""
    fonts()
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, pageCompression=1)
    pdf.setTitle(_("Naambadges") + " · " + conf.name)
    page_w, page_h = A4
    cell_w, cell_h = page_w / COLUMNS, page_h / ROWS
    pad = 8 * mm
    for index, reg in enumerate(registrations):
        slot = index % BADGES_PER_PAGE
        if index and slot == 0:
            pdf.showPage()
        col, row = slot % COLUMNS, slot // COLUMNS
        x0, y0 = col * cell_w, page_h - (row + 1) * cell_h
        # Light cut lines around each badge.
        pdf.setStrokeColor(colors.HexColor("#c9c5bb"))
        pdf.setLineWidth(0.3)
        pdf.rect(x0, y0, cell_w, cell_h)
        # The conference band at the top.
        pdf.setFillColor(colors.HexColor("#8a1538"))
        pdf.rect(x0, y0 + cell_h - 12 * mm, cell_w, 12 * mm, stroke=0, fill=1)
        pdf.setFillColor(colors.white)
        pdf.setFont(FONT_BOLD, 11)
        pdf.drawString(
            x0 + pad, y0 + cell_h - 7.5 * mm, _clip(conf.name, FONT_BOLD, 11, cell_w - 2 * pad)
        )
        ticket = reg.ticket
        qr_size = 26 * mm if ticket else 0
        text_w = cell_w - 2 * pad - (qr_size + 3 * mm if ticket else 0)
        pdf.setFillColor(colors.HexColor("#1b1b1f"))
        name_size = _fit(reg.full_name, FONT_BOLD, 20, text_w)
        pdf.setFont(FONT_BOLD, name_size)
        name = _clip(reg.full_name, FONT_BOLD, name_size, text_w)
        pdf.drawString(x0 + pad, y0 + cell_h - 26 * mm, name)
        if reg.organisation:
            pdf.setFont(FONT, 12)
            pdf.drawString(
                x0 + pad, y0 + cell_h - 34 * mm, _clip(reg.organisation, FONT, 12, text_w)
            )
        pdf.setFont(FONT, 10)
        pdf.setFillColor(colors.HexColor("#4a4a55"))
        profile = label(PROFILE_LABELS, reg.profile)
        pdf.drawString(x0 + pad, y0 + pad, _clip(profile, FONT, 10, text_w))
        if ticket:
            pdf.drawImage(
                qr_image(ticket_url(ticket)),
                x0 + cell_w - pad - qr_size,
                y0 + pad - 2 * mm,
                width=qr_size,
                height=qr_size,
            )
    if not registrations:
        pdf.setFont(FONT, 12)
        pdf.drawString(20 * mm, page_h - 30 * mm, _("Geen deelnemers om af te drukken."))
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def attendance_pdf(conf: Conference, acts: Sequence[Activity]) -> bytes:
    """One attendance list per activity (a page or more each): name, organisation, a box to tick."""
    fonts()
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=_("Deelnemerslijsten") + " · " + conf.name,
    )
    styles = {
        "title": ParagraphStyle("title", fontName=FONT_BOLD, fontSize=15, leading=19, spaceAfter=4),
        "meta": ParagraphStyle("meta", fontName=FONT, fontSize=10, leading=13, spaceAfter=8),
        "cell": ParagraphStyle("cell", fontName=FONT, fontSize=9.5, leading=12),
    }
    story: list = []
    for i, act in enumerate(acts):
        if i:
            story.append(PageBreak())
        story.extend(_attendance_list(conf, act, styles))
    if not acts:
        story.append(Paragraph(_escape(_("Geen activiteiten gekozen.")), styles["meta"]))
    doc.build(story)
    return out.getvalue()


def _attendance_list(conf: Conference, act: Activity, styles: dict[str, ParagraphStyle]) -> list:
    """The flowables of one activity's list: title, time and place, the people with a box."""
    people = activity_people(act)
    start, end = local(act.starts_at, conf.timezone), local(act.ends_at, conf.timezone)
    seats = f"{len(people)}" + (f" / {act.capacity}" if act.capacity is not None else "")
    where = act.place or ""
    heading = [
        Paragraph(_escape(act.title), styles["title"]),
        Paragraph(
            _escape(f"{start:%H:%M}–{end:%H:%M} · {where} · {_('Plaatsen')}: {seats}"),
            styles["meta"],
        ),
    ]
    if not people:
        nobody = _("Nog niemand heeft hier een plaats.")
        return [*heading, Paragraph(_escape(nobody), styles["meta"])]
    cell = styles["cell"]
    rows = [["#", _("Naam"), _("Organisatie"), _("Profiel"), _("Aanwezig")]]
    for n, (_seat, reg) in enumerate(people, start=1):
        rows.append(
            [
                str(n),
                Paragraph(_escape(f"{reg.last_name}, {reg.first_name}"), cell),
                Paragraph(_escape(reg.organisation or ""), cell),
                Paragraph(_escape(label(PROFILE_LABELS, reg.profile)), cell),
                "",
            ]
        )
    table = Table(rows, colWidths=[10 * mm, 62 * mm, 58 * mm, 34 * mm, 16 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, 0), FONT_BOLD, 10),
                ("FONT", (0, 1), (-1, -1), FONT, 9.5),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f1ec")),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.HexColor("#c9c5bb")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("GRID", (-1, 1), (-1, -1), 0.6, colors.HexColor("#4a4a55")),  # a box to tick
            ]
        )
    )
    return [*heading, table, Spacer(1, 4 * mm)]


def _escape(text: str) -> str:
    """Paragraph text is a small markup language: escape &, < and >."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
