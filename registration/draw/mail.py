"""The draw's result mail: one per applicant, in their language, through the outbox.

A draw mails thousands at once, inside the publishing transaction: each kind of result is
rendered once per language with stand-ins for the personal parts (as the confirmation is, see
`registration.notify.render_confirmation`), filled in per person and inserted as outbox rows.
"""

from __future__ import annotations

from typing import Any

from markupsafe import escape
from sqlalchemy.orm import Session

from conference.mail.outbox import add_new_mails, new_mail_row, render_mail
from conference.models import Conference
from registration.links import external_url, manage_url, watch_url
from registration.models import Registration
from registration.notify import QR_CID, ticket_attachments
from registration.tickets import ticket_url

# Stand-ins for the personal parts (URL-safe, never in real text).
_LINK, _SECRET, _POSITION, _NAME = (
    "swcdrawlinkzq",
    "swcdrawsecretzq",
    "swcdrawposzq",
    "swcdrawnamezq",
)


def _template(conf: Conference, language: str, drawn: bool) -> tuple[str, str, str]:
    name = conf.name_en if language == "en" and conf.name_en else conf.name
    context: dict[str, Any] = {
        "conf": conf, "conf_name": name, "mail_language": language, "drawn": drawn,
        "person": {"first_name": _NAME}, "position": _POSITION, "qr_cid": QR_CID,
        "manage_url": manage_url(_LINK), "watch_url": watch_url(),
        "verify_url": external_url("draw.public"), "ticket_url": ticket_url(_SECRET),
        "print_url": external_url("registration.ticket_print", secret=_SECRET),
    }  # fmt: skip
    return render_mail("draw_result", language, context)


def _fill(value: str, values: dict[str, str]) -> str:
    for stand_in, real in values.items():  # the name last: it cannot smuggle in a stand-in
        value = value.replace(stand_in, real)
    return value


def queue_results(
    session: Session,
    conf: Conference,
    results: list[tuple[Registration, str | None, int | None]],
    links: dict[int, str],
) -> None:
    """One result mail per (registration, ticket secret if drawn, waiting position if not)."""
    templates: dict[tuple[str, bool], tuple[str, str, str]] = {}
    rows = []
    for reg, secret, position in results:
        key = (reg.language, secret is not None)
        if key not in templates:
            templates[key] = _template(conf, *key)
        subject, text, html = templates[key]
        plain = {_LINK: links[reg.user_id], _SECRET: secret or "", _POSITION: str(position or 0),
                 _NAME: reg.first_name}  # fmt: skip
        escaped = {**plain, _NAME: str(escape(reg.first_name))}
        # The key is the registration: one result per applicant, whatever happens after.
        rows.append(new_mail_row(
            to=reg.email, kind="draw_result",
            rendered=(_fill(subject, plain), _fill(text, plain), _fill(html, escaped)),
            dedupe_key=f"draw_result:{reg.id}", registration_id=reg.id,
            attachments=ticket_attachments(secret) if secret else [],
        ))  # fmt: skip
    add_new_mails(session, rows)
