"""The certificate as a PDF (reportlab), in Dutch or English.

The texts of this document live here, per language, rather than in the interface's catalogue:
a certificate is handed to employers and must read right in the language asked for, whatever
the state of the interface's translations.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

from babel.dates import format_date
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from conference.clock import local
from conference.mail.pdf import fonts
from conference.mail.qr import qr_png
from conference.models import Conference
from streaming.certificates import format_code, verify_url
from streaming.models import Certificate

BRAND = colors.HexColor("#8a1538")

TEXTS = {
    "nl": {
        "title": "Attest van deelname",
        "intro": "Hierbij bevestigen wij dat",
        "took_part": "deelnam aan de {conference} op {date} ({where}).",
        "where": "{venue} en online",
        "parts": "Onderdelen",
        "time": "Tijd",
        "part": "Onderdeel",
        "how": "Hoe",
        "minutes": "Minuten",
        "onsite": "ter plaatse",
        "online": "online",
        "total": "Totale deelname: {hours}",
        "hours": lambda h, m: f"{h} uur {m} minuten" if m else f"{h} uur",
        "verify": "Echtheid nagaan: ga naar {url} of scan de QR-code. Code: {code}.",
        "issued": "Opgemaakt op {date} door {organiser}.",
        "subject": "Attest",
    },
    "en": {
        "title": "Certificate of attendance",
        "intro": "We hereby confirm that",
        "took_part": "took part in the {conference} on {date} ({where}).",
        "where": "{venue} and online",
        "parts": "Parts attended",
        "time": "Time",
        "part": "Part",
        "how": "How",
        "minutes": "Minutes",
        "onsite": "on site",
        "online": "online",
        "total": "Total attendance: {hours}",
        "hours": lambda h, m: (
            f"{h} hour{'s' if h != 1 else ''} {m} minute{'s' if m != 1 else ''}"
            if m
            else f"{h} hour{'s' if h != 1 else ''}"
        ),
        "verify": "Check this certificate at {url} or scan the QR code. Code: {code}.",
        "issued": "Issued on {date} by {organiser}.",
        "subject": "Certificate",
    },
}

QR_SIZE = 28 * mm


def _hours(minutes: int, lang: str) -> str:
    return TEXTS[lang]["hours"](minutes // 60, minutes % 60)


def _styles() -> dict[str, ParagraphStyle]:
    """The paragraph styles of the certificate, in the shared Unicode font."""
    regular, bold = fonts()
    centred = {"alignment": TA_CENTER}
    return {
        "title": ParagraphStyle(
            "title", fontName=bold, fontSize=24, leading=30, textColor=BRAND,
            spaceAfter=8 * mm, **centred,
        ),
        "body": ParagraphStyle("body", fontName=regular, fontSize=12, leading=17, **centred),
        "name": ParagraphStyle(
            "name", fontName=bold, fontSize=20, leading=28, spaceBefore=4 * mm,
            spaceAfter=4 * mm, **centred,
        ),
        "h2": ParagraphStyle(
            "h2", fontName=bold, fontSize=13, leading=18, spaceBefore=8 * mm, spaceAfter=3 * mm
        ),
        "cell": ParagraphStyle("cell", fontName=regular, fontSize=10, leading=13),
        "head": ParagraphStyle("head", fontName=bold, fontSize=10, leading=13),
        "small": ParagraphStyle("small", fontName=regular, fontSize=9, leading=12),
    }  # fmt: skip


def _heading(cert: Certificate, conf: Conference, lang: str, styles: dict) -> list[Any]:
    """Who took part in which conference, on which day, where."""
    t = TEXTS[lang]
    name_conf = _conference_name(conf, lang)
    day = format_date(local(cert.event_date, conf.timezone).date(), "EEEE d MMMM y", locale=lang)
    took_part = t["took_part"].format(
        conference=name_conf, date=day, where=t["where"].format(venue=conf.venue)
    )
    return [
        Paragraph(escape(name_conf), styles["body"]),
        Spacer(1, 4 * mm),
        Paragraph(t["title"], styles["title"]),
        Paragraph(t["intro"], styles["body"]),
        Paragraph(escape(cert.full_name), styles["name"]),
        Paragraph(escape(took_part), styles["body"]),
        Paragraph(t["parts"], styles["h2"]),
    ]


def _parts_table(cert: Certificate, conf: Conference, lang: str, styles: dict) -> Table:
    """The parts attended: time, title, on site or online, minutes."""
    t = TEXTS[lang]
    rows = [[Paragraph(t[key], styles["head"]) for key in ("time", "part", "how", "minutes")]]
    for part in cert.parts:
        start = local(datetime.fromisoformat(part["starts_at"]), conf.timezone).strftime("%H:%M")
        end = local(datetime.fromisoformat(part["ends_at"]), conf.timezone).strftime("%H:%M")
        title = part["title_en"] if lang == "en" and part.get("title_en") else part["title"]
        rows.append(
            [
                Paragraph(f"{start}–{end}", styles["cell"]),
                Paragraph(escape(title), styles["cell"]),
                Paragraph(t[part["mode"]], styles["cell"]),
                Paragraph(str(part["minutes"]), styles["cell"]),
            ]
        )
    table = Table(rows, colWidths=[27 * mm, 92 * mm, 26 * mm, 25 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, 0), 1, BRAND),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#c9c5bb")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (3, 0), (3, -1), "RIGHT"),
            ]
        )
    )
    return table


def _verification(cert: Certificate, conf: Conference, lang: str, styles: dict) -> Table:
    """How to check the certificate (its address and code) beside a QR code of that address."""
    t = TEXTS[lang]
    url = verify_url(cert.code)
    issued = format_date(local(cert.updated_at, conf.timezone).date(), "d MMMM y", locale=lang)
    organiser = conf.organiser or _conference_name(conf, lang)
    text = (
        escape(t["verify"].format(url=url, code=format_code(cert.code)))
        + "<br/>"
        + escape(t["issued"].format(date=issued, organiser=organiser))
    )
    # 8 pixels a module: crisp when printed at 28 mm.
    qr = Image(io.BytesIO(qr_png(url, box=8)), width=QR_SIZE, height=QR_SIZE)
    return Table(
        [[Paragraph(text, styles["small"]), qr]],
        colWidths=[138 * mm, 32 * mm],
        style=[("VALIGN", (0, 0), (-1, -1), "MIDDLE")],
    )


def _conference_name(conf: Conference, lang: str) -> str:
    return conf.name_en if lang == "en" and conf.name_en else conf.name


def render_pdf(cert: Certificate, conf: Conference, lang: str = "nl") -> bytes:
    """The certificate as PDF bytes."""
    lang = lang if lang in TEXTS else "nl"
    t = TEXTS[lang]
    styles = _styles()
    story = [
        *_heading(cert, conf, lang, styles),
        _parts_table(cert, conf, lang, styles),
        Spacer(1, 5 * mm),
        Paragraph(t["total"].format(hours=_hours(cert.minutes, lang)), styles["h2"]),
        Spacer(1, 8 * mm),
        _verification(cert, conf, lang, styles),
    ]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=18 * mm,
        title=f"{t['subject']} {cert.full_name}",
        author=conf.organiser or "",
        subject=_conference_name(conf, lang),
        lang=lang,
    )
    doc.build(story)
    return buffer.getvalue()
