"""The errors of the evaluation, as the API names them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from conference.errors import Conflict, Forbidden

UNKNOWN_FIELD = _l("Onbekend veld.")
QUESTION_COUNT = _l("Geef 1 tot 20 vragen.")
DOUBLE_KEY = _l("Deze sleutel is dubbel.")
NOT_FOR_EVALUATION = _l("Dit veld hoort niet bij een evaluatievraag.")
YES_OR_NO = _l("Kies ja (true) of nee (false).")
UNKNOWN_QUESTION = _l("Deze vraag staat niet in de evaluatie.")
NOT_EVALUATED = _l("Geen activiteit met een evaluatie.")


class AlreadyAnswered(Conflict):
    """The person filled in this evaluation before: one answer per person."""

    code = "already_answered"
    message = _l("Je hebt deze evaluatie al ingevuld. Bedankt!")


class NotAttended(Forbidden):
    """Only people who attended (checked in, or watched long enough) evaluate."""

    code = "not_attended"
    message = _l("Deze evaluatie is voor wie erbij was. We vonden geen deelname van jou.")


class EvaluationClosed(Conflict):
    """The evaluation is not open (not yet, no longer, or switched off)."""

    code = "closed"
    message = _l("Deze evaluatie is nu niet open.")


class HasAnswers(Conflict):
    """Questions with answers keep their meaning: they cannot be changed any more."""

    code = "has_answers"
    message = _l("Er zijn al antwoorden: de vragen kunnen niet meer wijzigen.")
