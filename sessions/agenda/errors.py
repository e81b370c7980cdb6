"""The errors of agendas, follows and calendar feeds, as the API names them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from conference.errors import Conflict


class NotFollowable(Conflict):
    """Only published streams and the radio can be followed."""

    code = "not_followable"
    message = _l("Je kunt alleen streams en de radio volgen.")
