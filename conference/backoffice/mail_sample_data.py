"""The sample data of the mail previews: plain objects and one builder per template variant.

Built from plain objects, never from the database (see `mail_samples`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from types import SimpleNamespace as Obj
from typing import Any

from conference.backoffice.broadcasts import mail_context
from conference.backoffice.mail_sample_frame import (
    DAY,
    QR_CID,
    base_url,
    block,
    conf_name,
    frame,
    news_link,
    person,
    sample_conference,
    sample_links,
    stream,
    workshop,
)

# --- one function per template (and variant): language -> context -------------------------


def _registration_confirmation(status: str, mode: str, waiting: bool = False):
    def build(language: str) -> dict[str, Any]:
        return {
            **frame(language),
            "mail_language": language,
            "person": person(status, mode, waiting),
            "qr_cid": QR_CID,
            **sample_links(),
        }

    return build


def _ticket(reason: str):
    def build(language: str) -> dict[str, Any]:
        return {
            **frame(language),
            "person": person(),
            "reason": reason,
            "qr_cid": QR_CID,
            **sample_links(),
        }

    return build


def _reminder(onsite: bool):
    def build(language: str) -> dict[str, Any]:
        items = [
            {"starts_at": "2022-05-05T09:00:00+02:00", "ends_at": "2022-05-05T10:30:00+02:00",
             "title": "Plenaire opening", "title_en": "Opening plenary",
             "location": "Koningin Elisabethzaal" if onsite else None},
            {"starts_at": "2022-05-05T10:30:00+02:00", "ends_at": "2022-05-05T12:00:00+02:00",
             "title": workshop().title, "title_en": workshop().title_en,
             "location": "Zaal Rubens" if onsite else None},
        ]  # fmt: skip
        links = sample_links()
        return {
            **frame(language),
            "person": person(mode="onsite" if onsite else "online"),
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
            block("Workshops in de voormiddag", "Morning workshops", 1.5),
            block("Workshops in de namiddag", "Afternoon workshops", 4.5),
        ]
        rows = [(blocks[0], workshop() if any_seat else None), (blocks[1], None)]
        return {
            "reg": person(),
            **frame(language),
            "rows": rows,
            "ranked": True,
            "any_seat": any_seat,
            **sample_links(),
        }

    return build


def _window_notice(event: str):
    def build(language: str) -> dict[str, Any]:
        return {
            **frame(language),
            "event": event,
            "moment": DAY - timedelta(days=50),
            "user": Obj(name="Robin Organisator", email="organisator@example.org"),
            "unsubscribe_url": news_link(language),
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
        conf = sample_conference()
        link = None if essential else news_link(language)
        context = mail_context(conf, message, person(), language, link)
        context["conf_name"] = conf_name(language)
        return context

    return build


def _activity_changed(language: str) -> dict[str, Any]:
    act = workshop()
    return {
        "act": act,
        "reg": person(),
        **frame(language),
        "changes": {
            "starts_at": (act.starts_at - timedelta(minutes=30), act.starts_at),
            "location": ("Zaal Jordaens", act.place),
        },
        "agenda_url": sample_links()["agenda_url"],
        "activity_url": f"{base_url()}/programma/{act.slug}",
    }


def _login_link(language: str) -> dict[str, Any]:
    return {
        **frame(language),
        "person": person(),
        "link_url": f"{base_url()}/aanmelden/voorbeeld",
        "minutes": 20,
    }


def _registration_canceled(language: str) -> dict[str, Any]:
    return {
        **frame(language),
        "person": person(status="canceled"),
        "register_url": f"{base_url()}/inschrijven",
    }


def _seat_confirmation(language: str) -> dict[str, Any]:
    return {
        "reg": person(),
        **frame(language),
        "activity": workshop(),
        "released": True,
        **sample_links(),
    }


def _meeting(accepted: bool) -> Callable[[str], dict[str, Any]]:
    def build(language: str) -> dict[str, Any]:
        act = workshop()
        act.title, act.title_en, act.place = (
            "Lunch en netwerken",
            "Lunch and networking",
            "Wintertuin",
        )
        return {
            "reg": person(),
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
        "reg": person(),
        **frame(language),
        "activity": workshop(),
        "entry": Obj(offer_expires_at=DAY - timedelta(days=1, hours=-4)),
        "offer_url": f"{base_url()}/plaatsen/aanbod/voorbeeld",
        **sample_links(),
    }


def _staff_login_notice(language: str) -> dict[str, Any]:
    return {"name": "Robin Medewerker", "failures": 5, "email": "robin@example.org"}


def _staff_invite(language: str) -> dict[str, Any]:
    return {
        "link": f"{base_url()}/beheer/wachtwoord/voorbeeld",
        "role": "checkin",
        "name": "Robin Medewerker",
        "conf_name": conf_name(language),
        "days": 7,
    }


def _streaming_join_link(language: str) -> dict[str, Any]:
    act = workshop()
    act.title, act.title_en, act.place = "Online workshop: buurtwerk", "Online workshop", None
    return {
        "act": act,
        "person": person(mode="online"),
        **frame(language),
        "watch_url": f"{base_url()}/online/kijk/0",
    }


def _stream_starting(language: str) -> dict[str, Any]:
    act = stream()
    return {
        "act": act,
        "person": person(mode="online"),
        **frame(language),
        "watch_url": f"{base_url()}/online/kijk/0",
        "activity_url": f"{base_url()}/programma/{act.slug}",
        "minutes": 15,
        "unsubscribe_url": news_link(language),
    }


def _venue_offer(language: str) -> dict[str, Any]:
    return {
        **frame(language),
        "person": person(status="registered", mode="onsite"),
        "deadline": DAY - timedelta(days=10),
        "manage_url": sample_links()["manage_url"],
    }


def _venue_offer_expired(language: str) -> dict[str, Any]:
    return {
        **frame(language),
        "person": person(mode="online"),
        "manage_url": f"{base_url()}/mijn-inschrijving",
        "watch_url": sample_links()["watch_url"],
    }


def _reconfirm(language: str) -> dict[str, Any]:
    conf = sample_conference()
    link = f"{base_url()}/bevestigen/voorbeeld"
    return {**frame(language), "first_name": "Sam", "closes_at": conf.starts_at,
            "yes_url": f"{link}?antwoord=ja", "no_url": f"{link}?antwoord=nee"}  # fmt: skip


def _colleague_invitation(held: bool):
    def build(language: str) -> dict[str, Any]:
        return {
            **frame(language),
            "first_name": "Lies",
            "coordinator": "An Peeters",
            "mode": "onsite" if held else "online",
            "hold_expires_at": DAY - timedelta(days=20) if held else None,
            "confirm_url": f"{base_url()}/collega/voorbeeld",
        }

    return build


def _draw_result(drawn: bool):
    def build(language: str) -> dict[str, Any]:
        links = sample_links()
        return {
            **frame(language), "person": person("registered" if drawn else "waitlisted"),
            "drawn": drawn, "position": 17, "qr_cid": QR_CID, **links,
            "verify_url": f"{base_url()}/loting",
        }  # fmt: skip

    return build


def _evaluation_invite(language: str) -> dict[str, Any]:
    title = "Samen sterker in de wijk" if language == "nl" else "Stronger together"
    return {**frame(language), "person": person(), "title": title,
            "url": f"{base_url()}/evaluatie/0", "closes_at": DAY + timedelta(days=14)}  # fmt: skip


Builder = Callable[[str], dict[str, Any]]

# template -> variant -> builder. The first variant is the one a link opens by default.
SAMPLES: dict[str, dict[str, Builder]] = {
    "activity_changed": {"standard": _activity_changed},
    "allocation_result": {"seat": _allocation_result(True), "no_seat": _allocation_result(False)},
    "broadcast": {"news": _broadcast(False), "essential": _broadcast(True)},
    "colleague_invitation": {
        "held": _colleague_invitation(True),
        "online": _colleague_invitation(False),
    },
    "login_link": {"standard": _login_link},
    "registration_canceled": {"standard": _registration_canceled},
    "registration_confirmation": {
        "onsite": _registration_confirmation("registered", "onsite"),
        "online": _registration_confirmation("registered", "online"),
        "online_waiting": _registration_confirmation("registered", "online", waiting=True),
        "waitlisted": _registration_confirmation("waitlisted", "onsite"),
        "applied": _registration_confirmation("applied", "onsite"),
    },
    "evaluation_invite": {"standard": _evaluation_invite},
    "draw_result": {"drawn": _draw_result(True), "not_drawn": _draw_result(False)},
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
    "reconfirm": {"standard": _reconfirm},
    "reconfirm_reminder": {"standard": _reconfirm},
    "reconfirm_released": {"standard": _reconfirm},
    "reconfirm_declined": {"standard": _reconfirm},
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
