"""PDF helpers shared by every PDF the system prints (badges, attendance lists, certificates)."""

from __future__ import annotations

from pathlib import Path

import reportlab
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT, FONT_BOLD = "SwcSans", "SwcSans-Bold"
_VERA = Path(reportlab.__file__).with_name("fonts")
_FONT_CANDIDATES = [
    (
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ),
    # Bitstream Vera ships with reportlab, so there is always a font with é, ë and ï.
    (_VERA / "Vera.ttf", _VERA / "VeraBd.ttf"),
]


def fonts() -> tuple[str, str]:
    """The names of a Unicode TrueType pair (regular, bold), registered once per process."""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return FONT, FONT_BOLD
    for regular, bold in _FONT_CANDIDATES:
        if regular.exists() and bold.exists():
            pdfmetrics.registerFont(TTFont(FONT, str(regular)))
            pdfmetrics.registerFont(TTFont(FONT_BOLD, str(bold)))
            return FONT, FONT_BOLD
    raise RuntimeError("no TrueType font found for the PDFs")
