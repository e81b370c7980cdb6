"""The errors of registration, as the API names them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from conference.errors import Conflict, Forbidden


class AlreadyRegistered(Conflict):
    """This e-mail address already has an active registration."""

    code = "already_registered"
    message = _l(
        "Met dit e-mailadres is al iemand ingeschreven. "
        "Vraag een link om je inschrijving te beheren."
    )


class VenueFull(Conflict):
    """No on-site place is free for this person, and they did not choose what to do then."""

    code = "venue_full"
    message = _l("Er is ter plaatse geen plaats meer vrij.")


class RegistrationClosed(Forbidden):
    """Outside the registration window."""

    code = "registration_closed"
    message = _l("De inschrijvingen zijn nu niet open.")


class RegistrationCanceled(Conflict):
    """The registration was canceled: nothing more can be done with it."""

    code = "canceled"
    message = _l("Deze inschrijving is geannuleerd.")


class NotOnSite(Conflict):
    """Only an on-site registration has a ticket."""

    code = "wrong_mode"
    message = _l("Alleen wie ter plaatse komt, krijgt een ticket.")


class NoTicket(Conflict):
    """On site, but without a confirmed place (still waiting): there is no ticket to replace."""

    code = "no_ticket"
    message = _l("Er is geen ticket om te vervangen: er is nog geen bevestigde plaats ter plaatse.")
