"""The errors of reconfirmation."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from conference.errors import Conflict


class ReconfirmClosed(Conflict):
    """Outside the reconfirmation window."""

    code = "closed"
    message = _l("Je komst bevestigen kan nu niet: dat kan alleen in de periode die we je mailden.")


class NoPlaceToConfirm(Conflict):
    """The registration holds no confirmed on-site place (any more)."""

    code = "not_onsite"
    message = _l("Je hebt geen plaats ter plaatse (meer) om te bevestigen.")


class LinkUsed(Conflict):
    """The mail's link was used already, or is not valid."""

    code = "link_used"
    message = _l(
        "Deze link werkt niet meer: je hebt al geantwoord. Op je persoonlijke pagina zie je wat je "
        "koos."
    )
