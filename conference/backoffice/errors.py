"""The errors of the back office, as the API names them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from conference.errors import Conflict


class AlreadySent(Conflict):
    """A broadcast is sent once; a sent one can be neither edited nor sent again."""

    code = "already_sent"
    message = _l("Dit bericht is al verstuurd.")
