"""The errors of inviting colleagues, as the API names them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from conference.errors import DomainError


class TooManyInvitations(DomainError):
    """A coordinator (or one address) reached the limit of invitations for now."""

    code, status = "too_many_invitations", 429
    message = _l("Je hebt nu te veel uitnodigingen verstuurd. Probeer het later opnieuw.")


class InvitationInvalid(DomainError):
    """The confirmation link is used, replaced, or unknown."""

    code, status = "invitation_invalid", 410
    message = _l(
        "Deze link werkt niet meer. Hij is al gebruikt of vervangen door een nieuwere link."
    )
