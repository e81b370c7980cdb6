"""The errors of networking, as the API names them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from conference.errors import Conflict, Forbidden, NotFound


class NotVisible(Forbidden):
    """Only people who are in the directory themselves may see it and send requests."""

    code = "not_visible"
    message = _l(
        "Alleen wie zelf zichtbaar is voor collega's, ziet de lijst. "
        "Zet je profiel eerst op zichtbaar."
    )


class NotRegistered(Forbidden):
    """Networking is for people with a registered place (not waiting, not canceled)."""

    code = "not_registered"
    message = _l("Netwerken kan alleen met een bevestigde inschrijving.")


class PersonNotFound(NotFound):
    """Nobody visible with that id (invisible people and blocks are never revealed)."""

    message = _l("Die persoon staat niet (meer) in de lijst.")


class SlotNotFound(NotFound):
    """No networking moment with that id."""

    message = _l("Dat netwerkmoment bestaat niet.")


class SlotClosed(Conflict):
    """The networking moment has begun or passed."""

    code = "closed"
    message = _l("Dit netwerkmoment is al begonnen of voorbij.")


class Busy(Conflict):
    """One of the two already has a meeting or a table talk at that moment."""

    code = "busy"
    message = _l("Op dat moment heeft een van jullie al een afspraak of een tafelgesprek.")


class NoTableFree(Conflict):
    """Every numbered meeting table of the slot is taken."""

    code = "full"
    message = _l("Alle tafels zijn op dat moment bezet. Spreek online af of kies een ander moment.")


class TableFull(Conflict):
    """The themed table has no place left."""

    code = "full"
    message = _l("Deze tafel is volzet.")


class WrongMode(Conflict):
    """An on-site meeting or table with somebody who does not come to the venue."""

    code = "wrong_mode"
    message = _l("Ter plaatse afspreken kan alleen als jullie allebei ter plaatse zijn.")


class NotPending(Conflict):
    """The request was already answered or withdrawn."""

    code = "already_answered"
    message = _l("Dit verzoek is al beantwoord of ingetrokken.")


class BelowBooked(Conflict):
    """A capacity or table count below what is already taken."""

    code = "below_taken"
    message = _l("Er zijn al meer plaatsen ingenomen dan dat aantal.")
