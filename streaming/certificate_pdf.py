"""The certificate as a PDF (reportlab), in Dutch or English.

The texts of this document live here, per language, rather than in the interface's catalogue:
a certificate is handed to employers and must read right in the language asked for, whatever
the state of the interface's translations.
"""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

from babel.dates import format_date
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from conference.clock import local
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

_FONT_CANDIDATES = [
    (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    ),
]


def _fonts() -> tuple[str, str]:
    """A Unicode TrueType font pair (DejaVu when installed, else reportlab's own Vera)."""
    if "CertSans" in pdfmetrics.getRegisteredFontNames():
        return "CertSans", "CertSans-Bold"
    import reportlab

    vera = Path(reportlab.__file__).parent / "fonts"
    candidates = [*_FONT_CANDIDATES, (str(vera / "Vera.ttf"), str(vera / "VeraBd.ttf"))]
    regular, bold = next((r, b) for r, b in candidates if Path(r).exists() and Path(b).exists())
    pdfmetrics.registerFont(TTFont("CertSans", regular))
    pdfmetrics.registerFont(TTFont("CertSans-Bold", bold))
    return "CertSans", "CertSans-Bold"


def _hours(minutes: int, lang: str) -> str:
    return TEXTS[lang]["hours"](minutes // 60, minutes % 60)


def render_pdf(cert: Certificate, conf: Conference, lang: str = "nl") -> bytes:
    """The certificate as PDF bytes."""
    lang = lang if lang in TEXTS else "nl"
    t = TEXTS[lang]
    regular, bold = _fonts()
    tz = conf.timezone
    name_conf = conf.name_en if lang == "en" and conf.name_en else conf.name
    day = format_date(local(cert.event_date, tz).date(), "EEEE d MMMM y", locale=lang)
    styles = {
        "title": ParagraphStyle(
            "title",
            fontName=bold,
            fontSize=24,
            leading=30,
            textColor=BRAND,
            alignment=TA_CENTER,
            spaceAfter=8 * mm,
        ),
        "body": ParagraphStyle(
            "body", fontName=regular, fontSize=12, leading=17, alignment=TA_CENTER
        ),
        "name": ParagraphStyle(
            "name",
            fontName=bold,
            fontSize=20,
            leading=28,
            alignment=TA_CENTER,
            spaceBefore=4 * mm,
            spaceAfter=4 * mm,
        ),
        "h2": ParagraphStyle(
            "h2", fontName=bold, fontSize=13, leading=18, spaceBefore=8 * mm, spaceAfter=3 * mm
        ),
        "cell": ParagraphStyle("cell", fontName=regular, fontSize=10, leading=13),
        "head": ParagraphStyle("head", fontName=bold, fontSize=10, leading=13),
        "small": ParagraphStyle("small", fontName=regular, fontSize=9, leading=12),
    }
    story = [
        Paragraph(escape(name_conf), styles["body"]),
        Spacer(1, 4 * mm),
        Paragraph(t["title"], styles["title"]),
        Paragraph(t["intro"], styles["body"]),
        Paragraph(escape(cert.full_name), styles["name"]),
        Paragraph(
            escape(
                t["took_part"].format(
                    conference=name_conf, date=day, where=t["where"].format(venue=conf.venue)
                )
            ),
            styles["body"],
        ),
        Paragraph(t["parts"], styles["h2"]),
    ]
    rows = [[Paragraph(t[key], styles["head"]) for key in ("time", "part", "how", "minutes")]]
    for part in cert.parts:
        start = local(datetime.fromisoformat(part["starts_at"]), tz).strftime("%H:%M")
        end = local(datetime.fromisoformat(part["ends_at"]), tz).strftime("%H:%M")
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
    url = verify_url(cert.code)
    qr = QrCodeWidget(url)
    x1, y1, x2, y2 = qr.getBounds()
    size = 28 * mm
    drawing = Drawing(size, size, transform=[size / (x2 - x1), 0, 0, size / (y2 - y1), 0, 0])
    drawing.add(qr)
    issued = format_date(local(cert.updated_at, tz).date(), "d MMMM y", locale=lang)
    footer = [
        [
            Paragraph(
                escape(t["verify"].format(url=url, code=format_code(cert.code)))
                + "<br/>"
                + escape(t["issued"].format(date=issued, organiser=conf.organiser or name_conf)),
                styles["small"],
            ),
            drawing,
        ]
    ]
    story += [
        table,
        Spacer(1, 5 * mm),
        Paragraph(t["total"].format(hours=_hours(cert.minutes, lang)), styles["h2"]),
        Spacer(1, 8 * mm),
        Table(
            footer, colWidths=[138 * mm, 32 * mm], style=[("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
        ),
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
        subject=name_conf,
        lang=lang,
    )
    doc.build(story)
    return buffer.getvalue()
