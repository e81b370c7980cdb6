"""QR codes, drawn one way for every output: SVG for pages, PNG for mails, an image for PDFs.

Error correction M with a quiet zone of 4 modules (what scanners expect) unless a caller asks for
a narrower border on a screen. A QR code here only ever carries one of our own URLs.
"""

from __future__ import annotations

import io

import qrcode
from markupsafe import Markup, escape
from PIL import Image
from qrcode.image.pil import PilImage
from qrcode.image.svg import SvgPathImage
from reportlab.lib.utils import ImageReader


def _code(text: str, *, box: int = 10, border: int = 4, mask: int | None = None) -> qrcode.QRCode:
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        box_size=box,
        border=border,
        mask_pattern=mask,
    )
    code.add_data(text)
    code.make(fit=True)
    return code


def qr_svg(text: str, border: int = 4, attributes: dict[str, str] | None = None) -> Markup:
    """An SVG QR code of `text` (one path, scales to any size), to put in a page or serve.

    `attributes` go on the `<svg>` element (a label for screen readers, or `aria-hidden`).
    """
    svg = _code(text, border=border).make_image(image_factory=SvgPathImage)
    markup = svg.to_string(encoding="unicode")
    if attributes:
        extra = "".join(f' {name}="{escape(value)}"' for name, value in attributes.items())
        markup = markup.replace("<svg", f"<svg{extra}", 1)
    return Markup(markup)  # noqa: S704  (drawn by qrcode; the attributes are escaped)


def qr_png(text: str, box: int = 8) -> bytes:
    """A PNG QR code of `text`, `box` pixels per module."""
    out = io.BytesIO()
    _code(text, box=box).make_image(image_factory=PilImage).save(out)
    return out.getvalue()


def qr_image(text: str, box: int = 4) -> ImageReader:
    """A QR code as a black-and-white image for reportlab, `box` pixels per module.

    A fixed mask skips qrcode's slow search for the best of eight (the code stays valid), and
    the image is made from the module matrix at once instead of square by square: a thousand
    badges stay fast.
    """
    matrix = _code(text, mask=2).get_matrix()
    size = len(matrix)
    pixels = bytes(0 if dark else 255 for row in matrix for dark in row)
    image = Image.frombytes("L", (size, size), pixels).resize(
        (size * box, size * box), Image.Resampling.NEAREST
    )
    return ImageReader(image)
