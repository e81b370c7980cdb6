"""Sample data for every mail template, so organisers can preview each one in Dutch and English.

Built from plain objects, never from the database: a preview shows what a mail looks like
without touching anybody's data, and it only renders (`conference.mail.outbox.render_mail`), so
nothing is ever queued or sent. Every template in `templates/email/` needs an entry in `SAMPLES`
(in `mail_sample_data.py`; a test walks the folder); `base.html` and `base.txt` are the frame
and the news footer, not mails.
"""

from __future__ import annotations

import base64
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l

from conference.backoffice.mail_sample_data import QR_CID, SAMPLES, base_url
from conference.mail import policy as mail_policy
from conference.mail.outbox import render_mail
from conference.mail.qr import qr_png

FRAME_FILES = ("base.html", "base.txt")


def email_folder() -> Path:
    """The folder of the mail templates."""
    return Path(current_app.template_folder) / "email"


def template_names() -> list[str]:
    """Every mail template in the folder (by the name before its first dot)."""
    names = {
        path.name.split(".", 1)[0]
        for path in email_folder().iterdir()
        if path.is_file() and path.name not in FRAME_FILES and not path.name.startswith(".")
    }
    return sorted(names)


VARIANT_LABELS = {
    "standard": _l("Standaard"),
    "seat": _l("Met een plaats"),
    "no_seat": _l("Zonder plaats"),
    "news": _l("Nieuws"),
    "essential": _l("Belangrijk"),
    "onsite": _l("Ter plaatse"),
    "online": _l("Online"),
    "online_waiting": _l("Online, wacht op een plaats ter plaatse"),
    "waitlisted": _l("Op de wachtlijst"),
    "applied": _l("Doet mee aan de loting"),
    "drawn": _l("Geloot"),
    "not_drawn": _l("Niet geloot"),
    "new": _l("Nieuw ticket"),
    "reissued": _l("Vervangen ticket"),
    "registration_opened": _l("Inschrijvingen open"),
    "registration_closed": _l("Inschrijvingen gesloten"),
    "choice_opened": _l("Keuzeronde open"),
    "choice_closed": _l("Keuzeronde gesloten"),
}
DESCRIPTIONS = {
    "activity_changed": _l("Een activiteit in iemands agenda verandert van uur of plaats."),
    "allocation_result": _l("Na de verdeling van de workshops en bezoeken."),
    "broadcast": _l("Een bericht van de organisatoren aan een groep deelnemers."),
    "draw_result": _l("Na de loting van de plaatsen ter plaatse: een plaats, of de wachtlijst."),
    "login_link": _l("Iemand vraagt een link om zich aan te melden."),
    "registration_canceled": _l("Iemand annuleert de inschrijving."),
    "registration_confirmation": _l("Na de inschrijving, met ticket of link om te volgen."),
    "reminder": _l("De dag voor de conferentie."),
    "reconfirm": _l("Bij de start van de bevestiging: kom je nog ter plaatse?"),
    "reconfirm_reminder": _l("Halverwege de bevestiging, aan wie nog niet antwoordde."),
    "reconfirm_released": _l("Na de termijn, zonder antwoord: de plaats ging naar de wachtlijst."),
    "reconfirm_declined": _l("Iemand antwoordt: ik kom niet meer ter plaatse."),
    "seat_confirmation": _l("Iemand krijgt een plaats in een workshop of bezoek."),
    "seat_offer": _l("Een plaats komt vrij voor wie op de wachtlijst van een activiteit staat."),
    "staff_invite": _l("Een organisator nodigt een medewerker uit."),
    "staff_login_notice": _l("Iemand geeft vijf keer een verkeerd wachtwoord voor een medewerker."),
    "stream_starting": _l("Een stream die iemand volgt, begint binnen 15 minuten."),
    "streaming_join_link": _l("De link naar een online workshop komt vrij."),
    "ticket": _l("Een nieuw of vervangen ticket."),
    "venue_offer": _l("Een plaats ter plaatse komt vrij voor wie op de wachtlijst staat."),
    "venue_offer_expired": _l("Een plaats ter plaatse werd niet op tijd bevestigd."),
    "window_notice": _l(
        "De organisatoren horen dat inschrijvingen of de keuzeronde open of dicht gaan."
    ),
}
# The kind a template is queued as, where it differs from the template's name.
TEMPLATE_KINDS = {"streaming_join_link": "join_link"}


def mail_class(name: str) -> str:
    """essential, news, or chosen (per broadcast) for a template."""
    kind = TEMPLATE_KINDS.get(name, name)
    if kind in mail_policy.NEWS_KINDS:
        return "news"
    if kind in mail_policy.CHOSEN_KINDS:
        return "chosen"
    return "essential"


def render_sample(name: str, variant: str, language: str) -> tuple[str, str, str]:
    """Subject, text and HTML of a template with its sample data; KeyError if unknown."""
    builder = SAMPLES[name][variant]
    return render_mail(name, language, builder(language))


def inline_images(html: str) -> str:
    """The HTML with the ticket's `cid:` image as a data URI, so a browser can show it."""
    if f"cid:{QR_CID}" not in html:
        return html
    png = base64.b64encode(qr_png(f"{base_url()}/t/voorbeeld", box=4)).decode()
    return html.replace(f"cid:{QR_CID}", f"data:image/png;base64,{png}")
