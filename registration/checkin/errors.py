"""The errors of check-in, and what an activity checkpoint may answer to a standby scan.

`sessions` owns seats; when its checkpoint cannot seat a person waiting at the door it raises
one of the `StandbyRefused` errors below (mapping its own errors to them), so check-in never
reads another package's error words.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from conference.errors import Conflict


class NonceReused(Conflict):
    """A scan's nonce was already used at another conference."""

    code = "nonce_reused"
    message = _l("Deze nonce werd al gebruikt.")


class StandbyRefused(Conflict):
    """A person waiting at an activity's door cannot get a seat; `detail` is the scan's word."""

    detail = "full"


class NoFreeSeat(StandbyRefused):
    """No free seat and no seat of a no-show to give."""

    code = detail = "full"
    message = _l("Er is geen vrije plaats meer.")


class SeatedElsewhere(StandbyRefused):
    """The person already attends another activity at the same time."""

    code = detail = "conflict"
    message = _l("Deze persoon zit al in een andere activiteit.")
