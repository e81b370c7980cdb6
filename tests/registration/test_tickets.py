"""Tickets: a random secret, a QR code of the ticket URL only, revoke and reissue, print."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import zxingcpp
from PIL import Image
from sqlalchemy import select

from conference.extensions import db
from conference.mail.qr import qr_png
from conference.models import MailMessage
from registration.models import Registration, Ticket
from registration.services import cancel_registration, register, reissue_ticket
from registration.tickets import ticket_url
from tests.factories import person
from tests.helpers import manage_path


def secret_of(result) -> str:
    return result.ticket_url.rsplit("/", 1)[1]


def test_the_qr_code_carries_only_the_ticket_url(client):
    result = register(person(1, first_name="Fatima", organisation="OCMW Gent"))
    secret = secret_of(result)

    png = client.get(f"/t/{secret}/qr.png")
    assert png.status_code == 200 and png.mimetype == "image/png"
    texts = [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png.data)))]
    assert texts == [f"http://127.0.0.1:5000/t/{secret}"]
    assert "Fatima" not in texts[0] and "persoon1" not in texts[0]

    svg = client.get(f"/t/{secret}/qr.svg")
    assert svg.mimetype == "image/svg+xml"
    assert ET.fromstring(svg.data).tag.endswith("svg")  # noqa: S314  (our own output)
    assert svg.headers["Cache-Control"] == "private, no-store"


def test_the_ticket_page_and_the_printable_versions(client):
    result = register(person(1, first_name="Fatima"))
    secret = secret_of(result)
    page = client.get(f"/t/{secret}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Fatima" in html and f"/t/{secret}/qr.svg" in html
    assert '<meta name="referrer" content="no-referrer">' in html
    assert page.headers["Cache-Control"] == "private, no-store"

    a4 = client.get(f"/t/{secret}/afdrukken").get_data(as_text=True)
    a6 = client.get(f"/t/{secret}/afdrukken?formaat=a6").get_data(as_text=True)
    assert "size: A4" in a4 and "size: A6" in a6
    assert "Fatima" in a6


def test_online_and_waiting_registrations_have_no_ticket(app):
    online = register(person(1, mode="online"))
    assert online.ticket_url is None
    db.session.rollback()
    assert db.session.scalar(select(Ticket)) is None


def test_reissue_revokes_the_old_secret(client):
    result = register(person(1))
    old = secret_of(result)
    new = reissue_ticket(result.id, actor=None)
    db.session.rollback()
    new = db.session.get(Ticket, new.id)

    assert new.secret != old and len(new.secret) >= 32
    assert client.get(f"/t/{old}").status_code == 404
    assert client.get(f"/t/{old}/qr.png").status_code == 404
    assert client.get(f"/t/{new.secret}").status_code == 200
    kinds = list(db.session.scalars(select(MailMessage.kind).filter_by(registration_id=result.id)))
    assert kinds == ["registration_confirmation", "ticket"]
    ticket_mail = db.session.scalar(select(MailMessage).filter_by(kind="ticket"))
    assert ticket_mail.attachments[0]["qr"] == ticket_url(new.secret)


def test_reissue_from_the_personal_page(client):
    result = register(person(1))
    client.post(manage_path(result.id))
    old = secret_of(result)
    page = client.post("/mijn-inschrijving/nieuw-ticket", follow_redirects=True)
    assert "Je hebt een nieuw ticket" in page.get_data(as_text=True)
    assert client.get(f"/t/{old}").status_code == 404


def test_a_canceled_registration_has_no_valid_ticket(client):
    result = register(person(1))
    cancel_registration(result.id)
    assert client.get(f"/t/{secret_of(result)}").status_code == 404
    db.session.rollback()
    reg = db.session.get(Registration, result.id)
    assert [t.status for t in reg.tickets] == ["revoked"]


def test_unknown_secrets_are_not_found(client):
    response = client.get("/t/geen-geldig-geheim")
    assert response.status_code == 404 and "niet geldig" in response.get_data(as_text=True)


def test_qr_png_decodes():
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(qr_png("abc"))))] == [
        "abc"
    ]
