"""Contingent codes: easy to type, hard to guess, stored only as a keyed hash.

A code is 16 characters of Crockford's base32 (no I, L, O, U: nothing that looks like another
character), shown in groups of four: `K7QM-3XPD-9H2R-WC4T`, 80 bits. Typing is forgiving:
lower case, spaces and dashes are ignored, and O, I and L read as 0, 1 and 1. The codes are
derived from the contingent's random seed and the app's secret key, so organisers can print
them again, while the database alone holds nothing that gives a code away.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 16
GROUP = 4
# What people type for what they see.
LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def _key(purpose: str) -> bytes:
    return hmac.new(current_app.secret_key.encode(), purpose.encode(), hashlib.sha256).digest()


def derive(seed: str, number: int) -> str:
    """The code number `number` of a contingent with this seed, grouped with dashes."""
    digest = hmac.new(_key("contingent-code"), f"{seed}:{number}".encode(), hashlib.sha256)
    value = int.from_bytes(digest.digest()[:10], "big")  # 80 bits: 16 characters of 5 bits
    chars = [ALPHABET[(value >> (5 * i)) & 31] for i in reversed(range(LENGTH))]
    raw = "".join(chars)
    return "-".join(raw[i : i + GROUP] for i in range(0, LENGTH, GROUP))


def normalise(typed: object) -> str | None:
    """The code as stored for hashing, or None when it cannot be one (wrong length or letter)."""
    if not isinstance(typed, str):
        return None
    cleaned = "".join(typed.split()).replace("-", "").upper().translate(LOOK_ALIKES)
    if len(cleaned) != LENGTH or any(c not in ALPHABET for c in cleaned):
        return None
    return cleaned


def code_hash(normalised: str) -> str:
    """The keyed hash a code is looked up by."""
    return hmac.new(_key("contingent-hash"), normalised.encode(), hashlib.sha256).hexdigest()
