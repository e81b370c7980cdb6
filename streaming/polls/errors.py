"""The errors of live polls, as the API names them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from conference.errors import Conflict, Invalid


class PollClosed(Conflict):
    """A vote on a poll that a moderator closed."""

    code = "poll_closed"
    message = _l("Deze peiling is gesloten. Je kunt niet meer stemmen.")


class PollNotOpen(Conflict):
    """A vote on (or the closing of) a poll that was never opened."""

    code = "poll_not_open"
    message = _l("Deze peiling is nog niet geopend.")


class InvalidVote(Invalid):
    """Options that the poll does not have, none, several on a one-choice poll, a bad score."""

    code = "invalid_vote"
    message = _l("Deze keuze kan niet. Kijk je antwoord na.")
