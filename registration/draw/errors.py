"""The errors of the venue draw, as the API names them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from conference.errors import Conflict


class DrawClosed(Conflict):
    """A real draw before `draw_at`, or for a conference not in draw mode."""

    code = "closed"
    message = _l("De loting kan nu nog niet: wacht tot het moment van de loting.")


class DrawPublished(Conflict):
    """The draw was already published: it is done once."""

    code = "already_published"
    message = _l("De loting is al gepubliceerd. Ze kan maar één keer gebeuren.")


class ApplicationsWaiting(Conflict):
    """Leaving draw mode would strand the applications that wait for the draw."""

    code = "applications_waiting"
    message = _l("Er zijn aanvragen voor de loting. Doe eerst de loting.")
