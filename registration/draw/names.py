"""Organisation names made comparable: one key per organisation, however people typed it."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

# Legal forms in Belgium (and a few abroad) that say nothing about which organisation it is.
LEGAL_FORMS = frozenset({
    "vzw", "ivzw", "asbl", "aisbl", "cv", "cvba", "cvso", "bv", "bvba", "nv", "vof", "commv",
    "sa", "sprl", "srl", "scrl", "sc", "scs", "snc", "ev", "gmbh", "ltd", "inc", "ngo", "npo",
})  # fmt: skip
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def normalise(name: str | None) -> str | None:
    """The comparable key of an organisation name, or None when nothing is left of it.

    Case, accents, punctuation, spacing and legal forms do not count:
    "CAW Antwerpen" and "caw  antwerpen vzw" give the same key.
    """
    if not name:
        return None
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    # Dots inside abbreviations ("v.z.w.", "c.v.b.a.") join the letters first.
    text = text.replace(".", "")
    words = _NOT_WORD.sub(" ", text).split()
    while words and words[-1] in LEGAL_FORMS:
        words.pop()
    while words and words[0] in LEGAL_FORMS:
        words.pop(0)
    return " ".join(words) or None


def organisation_key(name: str | None, merges: Mapping[str, str]) -> str | None:
    """The key an organisation counts under: normalised, then an organiser's merge if any."""
    key = normalise(name)
    if key is None:
        return None
    return merges.get(key, key)
