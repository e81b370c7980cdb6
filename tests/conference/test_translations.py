"""Dutch and English are complete: every string in the code has an English translation."""

from __future__ import annotations

import re

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from tests.support.apps import ROOT

CATALOG = ROOT / "conference" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
METHODS = [("**.py", "python"), ("**.html", "jinja2"), ("**.txt", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None,
            "lazy_ngettext": (1, 2)}  # fmt: skip
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def _strings_in_code() -> dict[str, str]:
    found: dict[str, str] = {}
    for folder in ("conference", "registration", "sessions", "streaming", "templates"):
        for filename, _line, message, _comments, _context in extract_from_dir(
            ROOT / folder, METHODS, keywords=KEYWORDS
        ):
            msgid = message[0] if isinstance(message, tuple) else message
            if msgid:
                found[msgid] = f"{folder}/{filename}"
    return found


def test_every_string_in_the_code_has_an_english_translation():
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    translated = {}
    for entry in catalog:
        if not entry.id:
            continue
        key = entry.id[0] if isinstance(entry.id, tuple) else entry.id
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if all(strings) and not entry.fuzzy:
            translated[key] = strings
    missing = sorted(
        f"{where}: {msgid!r}"
        for msgid, where in _strings_in_code().items()
        if msgid not in translated
    )
    assert not missing, (
        f"{len(missing)} strings without English (run pybabel extract/update, then translate):\n"
        + "\n".join(missing[:40])
    )


def test_translations_keep_their_placeholders():
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    broken = []
    for entry in catalog:
        if not entry.id or not entry.string:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        wanted = set(PLACEHOLDER.findall(" ".join(ids)))
        for text in strings:
            if set(PLACEHOLDER.findall(text)) - wanted:
                broken.append(f"{ids[0]!r} -> {text!r}")
    assert not broken, "\n".join(broken)


def test_the_compiled_catalog_is_current():
    mo = CATALOG.with_suffix(".mo")
    assert mo.exists(), "run `pybabel compile -d conference/translations` (make does it)"
