"""The sample data of the mail previews: plain objects and one builder per template variant.

Built from plain objects, never from the database (see `mail_samples`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace as Obj
from typing import Any

from flask import current_app

from conference.backoffice.broadcasts import mail_context
from conference.mail import policy as mail_policy

# 5 May 2022, Antwerp (09:00 in Brussels is 07:00 UTC).
DAY = datetime(2022, 5, 5, 7, 0, tzinfo=UTC)
QR_CID = "ticket-qr"


# --- plain sample objects ------------------------------------------------------------------


def base_url() -> str:
    """BASE_URL without its trailing slash: the samples' links point at this site."""
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


def _frame(language: str) -> dict[str, Any]:
    """What every mail shows of the conference: the row and its name in the language."""
    return {"conf": _conf(), "conf_name": _conf_name(language)}


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
    base = base_url()
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
            **_frame(language),
            "mail_language": language,
            "person": _person(status, mode, waiting),
            "qr_cid": QR_CID,
            **_links(),
        }

    return build


def _ticket(reason: str):
    def build(language: str) -> dict[str, Any]:
        return {
            **_frame(language),
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
            **_frame(language),
            "person": _person(mode="onsite" if onsite else "online"),
            "items": items,
            "onsite": onsite,
            "agenda_url": links["agenda_url"],
            "practical_url": f"{base_url()}/praktisch",
            "online_url": f"{base_url()}/online",
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
            **_frame(language),
            "rows": rows,
            "ranked": True,
            "any_seat": any_seat,
            **_links(),
        }

    return build


def _window_notice(event: str):
    def build(language: str) -> dict[str, Any]:
        return {
            **_frame(language),
            "event": event,
            "moment": DAY - timedelta(days=50),
            "user": Obj(name="Robin Organisator", email="organisator@example.org"),
            "unsubscribe_url": _news_link(language),
        }

    return build


def _broadcast(essential: bool):
    def build(language: str) -> dict[str, Any]:
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
        **_frame(language),
        "changes": {
            "starts_at": (act.starts_at - timedelta(minutes=30), act.starts_at),
            "location": ("Zaal Jordaens", act.place),
        },
        "agenda_url": _links()["agenda_url"],
        "activity_url": f"{base_url()}/programma/{act.slug}",
    }


def _login_link(language: str) -> dict[str, Any]:
    return {
        **_frame(language),
        "person": _person(),
        "link_url": f"{base_url()}/aanmelden/voorbeeld",
        "minutes": 20,
    }


def _registration_canceled(language: str) -> dict[str, Any]:
    return {
        **_frame(language),
        "person": _person(status="canceled"),
        "register_url": f"{base_url()}/inschrijven",
    }


def _seat_confirmation(language: str) -> dict[str, Any]:
    return {
        "reg": _person(),
        **_frame(language),
        "activity": _workshop(),
        "released": True,
        **_links(),
    }


def _meeting(accepted: bool) -> Callable[[str], dict[str, Any]]:
    def build(language: str) -> dict[str, Any]:
        act = _workshop()
        act.title, act.title_en, act.place = (
            "Lunch en netwerken",
            "Lunch and networking",
            "Wintertuin",
        )
        return {
            "reg": _person(),
            "other": {"name": "Robin Collega", "organisation": "OCMW Gent"},
            "activity": act,
            "meeting": Obj(
                mode="onsite", note="Graag over buurtwerk.", table_no=4 if accepted else None
            ),
            "join_url": None,
            "page_url": f"{base_url()}/netwerken/afspraken",
        }

    return build


def _seat_offer(language: str) -> dict[str, Any]:
    return {
        "reg": _person(),
        **_frame(language),
        "activity": _workshop(),
        "entry": Obj(offer_expires_at=DAY - timedelta(days=1, hours=-4)),
        "offer_url": f"{base_url()}/plaatsen/aanbod/voorbeeld",
        **_links(),
    }


def _staff_login_notice(language: str) -> dict[str, Any]:
    return {"name": "Robin Medewerker", "failures": 5, "email": "robin@example.org"}


def _staff_invite(language: str) -> dict[str, Any]:
    return {
        "link": f"{base_url()}/beheer/wachtwoord/voorbeeld",
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
        **_frame(language),
        "watch_url": f"{base_url()}/online/kijk/0",
    }


def _stream_starting(language: str) -> dict[str, Any]:
    act = _stream()
    return {
        "act": act,
        "person": _person(mode="online"),
        **_frame(language),
        "watch_url": f"{base_url()}/online/kijk/0",
        "activity_url": f"{base_url()}/programma/{act.slug}",
        "minutes": 15,
        "unsubscribe_url": _news_link(language),
    }


def _venue_offer(language: str) -> dict[str, Any]:
    return {
        **_frame(language),
        "person": _person(status="registered", mode="onsite"),
        "deadline": DAY - timedelta(days=10),
        "manage_url": _links()["manage_url"],
    }


def _venue_offer_expired(language: str) -> dict[str, Any]:
    return {
        **_frame(language),
        "person": _person(mode="online"),
        "manage_url": f"{base_url()}/mijn-inschrijving",
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
    "meeting_accepted": {"standard": _meeting(True)},
    "meeting_request": {"standard": _meeting(False)},
    "seat_confirmation": {"standard": _seat_confirmation},
    "seat_offer": {"standard": _seat_offer},
    "staff_invite": {"standard": _staff_invite},
    "staff_login_notice": {"standard": _staff_login_notice},
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
