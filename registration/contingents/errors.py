"""The errors of contingents."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from conference.errors import Conflict, DomainError, Invalid

# One message for a wrong, used, revoked or released code: it tells a guesser nothing.
WRONG_CODE = _l(
    "Deze code klopt niet of is al gebruikt. Kijk de code na of schrijf je in zonder code."
)


class CodeRefused(Invalid):
    """The code gives no place: unknown, used up, revoked, or its contingent released or full."""

    def __init__(self) -> None:
        super().__init__(fields={"code": WRONG_CODE})


class TooManyCodeFailures(DomainError):
    """Too many wrong codes from one address: wait before the next try."""

    code, status = "too_many_attempts", 429
    message = _l("Je probeerde te veel foute codes. Wacht even en probeer het dan opnieuw.")


class NotEnoughPlaces(Conflict):
    """The venue has fewer free places than the contingent asks for."""

    code = "not_enough_places"
    message = _l("Er zijn niet genoeg vrije plaatsen ter plaatse voor dit contingent.")
