"""The errors of streaming and attendance certificates, as the API names them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from conference.errors import Conflict


class CertificateNotYet(Conflict):
    """Certificates are made once the conference day has ended."""

    code = "not_yet"
    message = _l("Je attest is beschikbaar na afloop van de conferentie.")


class NoAttendance(Conflict):
    """Neither a check-in on site nor enough online viewing time: nothing to certify."""

    code = "no_attendance"
    message = _l("We vonden geen deelname: geen check-in ter plaatse en geen online kijktijd.")


class CertificateNotMade(Conflict):
    """Three attempts at a unique certificate code all clashed (practically never)."""

    message = _l("Het attest kon niet worden gemaakt. Probeer opnieuw.")
