"""The plain sample objects the mail previews are built from (never the database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace as Obj
from typing import Any

from flask import current_app

from conference.mail import policy as mail_policy

# 5 May 2022, Antwerp (09:00 in Brussels is 07:00 UTC).
DAY = datetime(2022, 5, 5, 7, 0, tzinfo=UTC)
QR_CID = "ticket-qr"


def base_url() -> str:
    """BASE_URL without its trailing slash: the samples' links point at this site."""
    return current_app.config["BASE_URL"].rstrip("/")


def sample_conference() -> Obj:
    """The sample conference."""
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


def conf_name(language: str) -> str:
    """The sample conference's name in the language."""
    conf = sample_conference()
    return conf.name_en if language == "en" else conf.name


def frame(language: str) -> dict[str, Any]:
    """What every mail shows of the conference: the row and its name in the language."""
    return {"conf": sample_conference(), "conf_name": conf_name(language)}


def person(status: str = "registered", mode: str = "onsite", waiting: bool = False) -> Obj:
    """A sample attendee."""
    return Obj(
        id=0,
        first_name="Sam",
        last_name="Voorbeeld",
        full_name="Sam Voorbeeld",
        status=status,
        mode=mode,
        waiting=waiting,
    )


def workshop() -> Obj:
    """A sample workshop."""
    return Obj(
        id=0,
        slug="voorbeeld-workshop",
        title="Samen sterker in de wijk",
        title_en="Stronger together in the neighbourhood",
        starts_at=DAY + timedelta(hours=1, minutes=30),
        ends_at=DAY + timedelta(hours=3),
        place="Zaal Rubens",
    )


def stream() -> Obj:
    """A sample stream."""
    return Obj(
        id=0,
        slug="voorbeeld-stream",
        title="Stream: diversiteit in het sociaal werk",
        title_en="Stream: diversity in social work",
        starts_at=DAY + timedelta(hours=4, minutes=30),
        ends_at=DAY + timedelta(hours=6),
        place=None,
    )


def block(name: str, name_en: str, hours: float) -> Obj:
    """A sample programme block."""
    start = DAY + timedelta(hours=hours)
    return Obj(name=name, name_en=name_en, starts_at=start, ends_at=start + timedelta(hours=1.5))


def sample_links() -> dict[str, str]:
    """The links a mail carries, on this site."""
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


def news_link(language: str) -> str:
    """The news opt-out link of the mails."""
    # A real, signed link to nobody (id 0): opening it from a preview changes nothing.
    return mail_policy.unsubscribe_url(mail_policy.news_token("r", 0), language)
