"""The errors of seats, waiting lists, choices and the allocation, as the API names them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from conference.errors import Conflict


class ActivityFull(Conflict):
    """No seat is free at the activity."""

    code = "full"
    message = _l("Deze activiteit is volzet.")


class AlreadySeated(Conflict):
    """The person already has a seat at this very activity."""

    code = "conflict"
    message = _l("Je hebt al een plaats in deze activiteit.")


class BlockTaken(Conflict):
    """The person already has a seat in an activity at the same time."""

    code = "conflict"
    message = _l("Je hebt al een plaats in een activiteit op hetzelfde moment.")


class WrongMode(Conflict):
    """An on-site activity for someone registered online."""

    code = "wrong_mode"
    message = _l(
        "Deze activiteit is ter plaatse. Je bent online ingeschreven, dus je kunt er niet aan"
        " deelnemen."
    )


class BookingClosed(Conflict):
    """Outside the window in which attendees book this activity themselves."""

    code = "closed"
    message = _l("Je kunt je nu niet inschrijven voor deze activiteit.")


class NotRegistered(Conflict):
    """The person's conference registration is not active."""

    code = "not_registered"
    message = _l("Je inschrijving voor de conferentie is niet actief.")


class NotEnrolled(Conflict):
    """A swap names a seat the person does not hold at the same time."""

    code = "not_enrolled"
    message = _l("Je hebt geen plaats in die activiteit op hetzelfde moment.")


class OfferClosed(Conflict):
    """The waiting-list offer was already accepted, declined or expired."""

    code = "closed"
    message = _l("Dit aanbod is niet meer open.")


class ChoiceClosed(Conflict):
    """Rankings are saved only while the preference round is open."""

    code = "closed"
    message = _l("De keuzeronde is gesloten.")


class ChoiceStillOpen(Conflict):
    """An allocation is published only after the preference round has closed."""

    code = "closed"
    message = _l("De keuzeronde loopt nog. Publiceer na het einde van de keuzeronde.")


class AlreadyPublished(Conflict):
    """The allocation of this conference was published before."""

    code = "already_published"
    message = _l("De verdeling is al gepubliceerd.")


class StaleRun(Conflict):
    """Rankings, seats or capacities changed since the run: run it again."""

    code = "stale"
    message = _l("Er is iets veranderd sinds deze verdeling. Voer ze opnieuw uit.")


class FormExpired(Conflict):
    """A page form without a valid CSRF token."""

    code = "csrf"
    message = _l("Dit formulier is verlopen. Laad de pagina opnieuw.")
