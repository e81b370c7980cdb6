"""Sample data for every mail template, so organisers can preview each one in Dutch and English.

Built from plain objects, never from the database: a preview shows what a mail looks like
without touching anybody's data, and it only renders (`conference.mail.render_mail`), so nothing
is ever queued or sent. Every template in `templates/email/` needs an entry in `SAMPLES` (a test
walks the folder); `base.html` and `base.txt` are the frame and the news footer, not mails.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace as Obj
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l

from conference.mail import policy as mail_policy
from conference.mail.outbox import qr_png, render_mail

FRAME_FILES = ("base.html", "base.txt")
# 5 May 2022, Antwerp (09:00 in Brussels is 07:00 UTC).
DAY = datetime(2022, 5, 5, 7, 0, tzinfo=UTC)
QR_CID = "ticket-qr"


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


# --- plain sample objects ------------------------------------------------------------------


def _base() -> str:
    return current_app.config["BASE_URL"].rstrip("/")


def _conf() -> Obj:
    return Obj(
        id=0,
        name="Sociaalwerkconferentie 2022",
        name_en="Social Work Conference 2022",
        starts_at=DAY,
        ends_at=DAY + timedelta(hours=9),
        venue="Elisabethcenter",
        venue_address="Koningin Astridplein 26, 2018 Antwerpen",
        onsite_taken=1234,
        onsite_capacity=1800,
        organiser="Vlaams Platform Sterk Sociaal Werk",
    )


def _conf_name(language: str) -> str:
    conf = _conf()
    return conf.name_en if language == "en" else conf.name


def _person(status: str = "registered", mode: str = "onsite", waiting: bool = False) -> Obj:
    return Obj(
        id=0,
        first_name="Sam",
        last_name="Voorbeeld",
        full_name="Sam Voorbeeld",
        status=status,
        mode=mode,
        waiting=waiting,
    )


def _workshop() -> Obj:
    return Obj(
        id=0,
        slug="voorbeeld-workshop",
        title="Samen sterker in de wijk",
        title_en="Stronger together in the neighbourhood",
        starts_at=DAY + timedelta(hours=1, minutes=30),
        ends_at=DAY + timedelta(hours=3),
        place="Zaal Rubens",
    )


def _stream() -> Obj:
    return Obj(
        id=0,
        slug="voorbeeld-stream",
        title="Stream: diversiteit in het sociaal werk",
        title_en="Stream: diversity in social work",
        starts_at=DAY + timedelta(hours=4, minutes=30),
        ends_at=DAY + timedelta(hours=6),
        place=None,
    )


def _block(name: str, name_en: str, hours: float) -> Obj:
    start = DAY + timedelta(hours=hours)
    return Obj(name=name, name_en=name_en, starts_at=start, ends_at=start + timedelta(hours=1.5))


def _links() -> dict[str, str]:
    base = _base()
    return {
        "manage_url": f"{base}/mijn-inschrijving/link/voorbeeld",
        "ticket_url": f"{base}/t/voorbeeld",
        "print_url": f"{base}/t/voorbeeld/afdrukken",
        "watch_url": f"{base}/online",
        "agenda_url": f"{base}/agenda",
        "seats_url": f"{base}/mijn-plaatsen",
        "choices_url": f"{base}/keuzes",
        "programme_url": f"{base}/programma",
    }


def _news_link(language: str) -> str:
    # A real, signed link to nobody (id 0): opening it from a preview changes nothing.
    return mail_policy.unsubscribe_url(mail_policy.news_token("r", 0), language)


# --- one function per template (and variant): language -> context -------------------------


def _registration_confirmation(status: str, mode: str, waiting: bool = False):
    def build(language: str) -> dict[str, Any]:
        return {
            "conf": _conf(),
            "conf_name": _conf_name(language),
            "mail_language": language,
            "person": _person(status, mode, waiting),
            "qr_cid": QR_CID,
            **_links(),
        }

    return build


def _ticket(reason: str):
    def build(language: str) -> dict[str, Any]:
        return {
            "conf": _conf(),
            "conf_name": _conf_name(language),
            "person": _person(),
            "reason": reason,
            "qr_cid": QR_CID,
            **_links(),
        }

    return build


def _reminder(onsite: bool):
    def build(language: str) -> dict[str, Any]:
        items = [
            {"starts_at": "2022-05-05T09:00:00+02:00", "ends_at": "2022-05-05T10:30:00+02:00",
             "title": "Plenaire opening", "title_en": "Opening plenary",
             "location": "Koningin Elisabethzaal" if onsite else None},
            {"starts_at": "2022-05-05T10:30:00+02:00", "ends_at": "2022-05-05T12:00:00+02:00",
             "title": _workshop().title, "title_en": _workshop().title_en,
             "location": "Zaal Rubens" if onsite else None},
        ]  # fmt: skip
        links = _links()
        return {
            "conf": _conf(),
            "conf_name": _conf_name(language),
            "person": _person(mode="onsite" if onsite else "online"),
            "items": items,
            "onsite": onsite,
            "agenda_url": links["agenda_url"],
            "practical_url": f"{_base()}/praktisch",
            "online_url": f"{_base()}/online",
            "qr_cid": QR_CID,
            "ticket_url": links["ticket_url"] if onsite else None,
        }

    return build


def _allocation_result(any_seat: bool):
    def build(language: str) -> dict[str, Any]:
        blocks = [
            _block("Workshops in de voormiddag", "Morning workshops", 1.5),
            _block("Workshops in de namiddag", "Afternoon workshops", 4.5),
        ]
        rows = [(blocks[0], _workshop() if any_seat else None), (blocks[1], None)]
        return {
            "reg": _person(),
            "conf": _conf(),
            "conf_name": _conf_name(language),
            "rows": rows,
            "ranked": True,
            "any_seat": any_seat,
            **_links(),
        }

    return build


def _window_notice(event: str):
    def build(language: str) -> dict[str, Any]:
        return {
            "conf": _conf(),
            "conf_name": _conf_name(language),
            "event": event,
            "moment": DAY - timedelta(days=50),
            "user": Obj(name="Robin Organisator", email="organisator@example.org"),
            "unsubscribe_url": _news_link(language),
        }

    return build


def _broadcast(essential: bool):
    def build(language: str) -> dict[str, Any]:
        from conference.backoffice.broadcasts import mail_context

        message = Obj(
            subject="Nieuwe zaal voor de workshop van 10.30 uur",
            body="De workshop 'Samen sterker in de wijk' verhuist naar zaal Rubens.\n\n"
            "Volg de pijlen vanaf het onthaal.",
            subject_en="New room for the 10.30 workshop",
            body_en="The workshop 'Stronger together in the neighbourhood' moves to room "
            "Rubens.\n\nFollow the arrows from the reception desk.",
            essential=essential,
        )
        conf = _conf()
        link = None if essential else _news_link(language)
        context = mail_context(conf, message, _person(), language, link)
        context["conf_name"] = _conf_name(language)
        return context

    return build


def _activity_changed(language: str) -> dict[str, Any]:
    act = _workshop()
    return {
        "act": act,
        "reg": _person(),
        "conf": _conf(),
        "conf_name": _conf_name(language),
        "changes": {
            "starts_at": (act.starts_at - timedelta(minutes=30), act.starts_at),
            "location": ("Zaal Jordaens", act.place),
        },
        "agenda_url": _links()["agenda_url"],
        "activity_url": f"{_base()}/programma/{act.slug}",
    }


def _login_link(language: str) -> dict[str, Any]:
    return {
        "conf": _conf(),
        "conf_name": _conf_name(language),
        "person": _person(),
        "link_url": f"{_base()}/aanmelden/voorbeeld",
        "minutes": 20,
    }


def _registration_canceled(language: str) -> dict[str, Any]:
    return {
        "conf": _conf(),
        "conf_name": _conf_name(language),
        "person": _person(status="canceled"),
        "register_url": f"{_base()}/inschrijven",
    }


def _seat_confirmation(language: str) -> dict[str, Any]:
    return {
        "reg": _person(),
        "conf": _conf(),
        "conf_name": _conf_name(language),
        "activity": _workshop(),
        "released": True,
        **_links(),
    }


def _seat_offer(language: str) -> dict[str, Any]:
    return {
        "reg": _person(),
        "conf": _conf(),
        "conf_name": _conf_name(language),
        "activity": _workshop(),
        "entry": Obj(offer_expires_at=DAY - timedelta(days=1, hours=-4)),
        "offer_url": f"{_base()}/plaatsen/aanbod/voorbeeld",
        **_links(),
    }


def _staff_invite(language: str) -> dict[str, Any]:
    return {
        "link": f"{_base()}/beheer/wachtwoord/voorbeeld",
        "role": "checkin",
        "name": "Robin Medewerker",
        "conf_name": _conf_name(language),
        "days": 7,
    }


def _streaming_join_link(language: str) -> dict[str, Any]:
    act = _workshop()
    act.title, act.title_en, act.place = "Online workshop: buurtwerk", "Online workshop", None
    return {
        "act": act,
        "person": _person(mode="online"),
        "conf": _conf(),
        "conf_name": _conf_name(language),
        "watch_url": f"{_base()}/online/kijk/0",
    }


def _stream_starting(language: str) -> dict[str, Any]:
    act = _stream()
    return {
        "act": act,
        "person": _person(mode="online"),
        "conf": _conf(),
        "conf_name": _conf_name(language),
        "watch_url": f"{_base()}/online/kijk/0",
        "activity_url": f"{_base()}/programma/{act.slug}",
        "minutes": 15,
        "unsubscribe_url": _news_link(language),
    }


def _venue_offer(language: str) -> dict[str, Any]:
    return {
        "conf": _conf(),
        "conf_name": _conf_name(language),
        "person": _person(status="registered", mode="onsite"),
        "deadline": DAY - timedelta(days=10),
        "manage_url": _links()["manage_url"],
    }


def _venue_offer_expired(language: str) -> dict[str, Any]:
    return {
        "conf": _conf(),
        "conf_name": _conf_name(language),
        "person": _person(mode="online"),
        "manage_url": f"{_base()}/mijn-inschrijving",
        "watch_url": _links()["watch_url"],
    }


Builder = Callable[[str], dict[str, Any]]

# template -> variant -> builder. The first variant is the one a link opens by default.
SAMPLES: dict[str, dict[str, Builder]] = {
    "activity_changed": {"standard": _activity_changed},
    "allocation_result": {"seat": _allocation_result(True), "no_seat": _allocation_result(False)},
    "broadcast": {"news": _broadcast(False), "essential": _broadcast(True)},
    "login_link": {"standard": _login_link},
    "registration_canceled": {"standard": _registration_canceled},
    "registration_confirmation": {
        "onsite": _registration_confirmation("registered", "onsite"),
        "online": _registration_confirmation("registered", "online"),
        "online_waiting": _registration_confirmation("registered", "online", waiting=True),
        "waitlisted": _registration_confirmation("waitlisted", "onsite"),
    },
    "reminder": {"onsite": _reminder(True), "online": _reminder(False)},
    "seat_confirmation": {"standard": _seat_confirmation},
    "seat_offer": {"standard": _seat_offer},
    "staff_invite": {"standard": _staff_invite},
    "stream_starting": {"standard": _stream_starting},
    "streaming_join_link": {"standard": _streaming_join_link},
    "ticket": {"new": _ticket("confirmed"), "reissued": _ticket("reissued")},
    "venue_offer": {"standard": _venue_offer},
    "venue_offer_expired": {"standard": _venue_offer_expired},
    "window_notice": {
        event: _window_notice(event)
        for event in (
            "registration_opened",
            "registration_closed",
            "choice_opened",
            "choice_closed",
        )
    },
}

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
    "login_link": _l("Iemand vraagt een link om zich aan te melden."),
    "registration_canceled": _l("Iemand annuleert de inschrijving."),
    "registration_confirmation": _l("Na de inschrijving, met ticket of link om te volgen."),
    "reminder": _l("De dag voor de conferentie."),
    "seat_confirmation": _l("Iemand krijgt een plaats in een workshop of bezoek."),
    "seat_offer": _l("Een plaats komt vrij voor wie op de wachtlijst van een activiteit staat."),
    "staff_invite": _l("Een organisator nodigt een medewerker uit."),
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
    png = base64.b64encode(qr_png(f"{_base()}/t/voorbeeld", box=4)).decode()
    return html.replace(f"cid:{QR_CID}", f"data:image/png;base64,{png}")
