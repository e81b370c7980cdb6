"""Networking pages and organiser screens through forms (no script), and erasure."""

from __future__ import annotations

from sqlalchemy import func, select

from conference.extensions import db
from registration.account.personal_data import erase_registration
from sessions.programme.models import Theme
from streaming.networking import meetings, profiles
from streaming.networking.models import Meeting, NetworkProfile, NetworkSlot, ThemeTable
from tests.factories import fresh, register
from tests.helpers import audit_entries, login
from tests.streaming.networking.support import default_slots, person


def test_organisers_set_up_slots_and_themed_tables(app, client, tokens):
    login(client, "organiser")
    assert client.get("/beheer/netwerken").status_code == 200
    assert client.post("/beheer/netwerken/momenten/standaard").status_code == 302
    fresh()
    found = db.session.scalars(select(NetworkSlot).order_by(NetworkSlot.id)).all()
    assert [s.activity.slug for s in found] == ["lunch", "netwerkreceptie"]
    theme = db.session.scalar(select(Theme).order_by(Theme.position))
    form = {
        "table-slot_id": found[0].id,
        "table-theme_id": theme.id,
        "table-title": "Buurtwerk",
        "table-capacity": 8,
    }
    assert client.post("/beheer/netwerken/tafels", data=form).status_code == 302
    bad = client.post("/beheer/netwerken/tafels", data={**form, "table-capacity": 0})
    assert bad.status_code == 422 and "Kijk dit na" in bad.get_data(as_text=True)
    fresh()
    table = db.session.scalar(select(ThemeTable))
    assert (table.title, table.capacity) == ("Buurtwerk", 8)
    data = {f"s{found[0].id}-tables": 5}
    assert client.post(f"/beheer/netwerken/momenten/{found[0].id}", data=data).status_code == 302
    fresh()
    assert db.session.get(NetworkSlot, found[0].id).tables == 5
    assert client.post(f"/beheer/netwerken/tafels/{table.id}/verwijderen").status_code == 302
    fresh()
    assert db.session.scalar(select(func.count()).select_from(ThemeTable)) == 0
    actions = [e.action for e in audit_entries()]
    assert "networking.table_added" in actions and "networking.table_removed" in actions


def test_an_attendee_may_not_open_the_organiser_screen(app, client):
    login(client, person())
    assert client.get("/beheer/netwerken").status_code in (302, 403)


def test_the_no_script_flow_decline_needs_a_confirm_step(app, client):
    asker, invitee = person(), person()
    slot = default_slots()[0]
    meeting = meetings.request_meeting(asker, {"with": invitee.id, "slot": slot.id})
    login(client, invitee)
    page = client.get(f"/netwerken/afspraken/{meeting.id}/weigeren")
    assert page.status_code == 200 and "Verzoek weigeren?" in page.get_data(as_text=True)
    fresh()
    assert db.session.get(Meeting, meeting.id).status == "requested"  # a GET changes nothing
    assert client.post(f"/netwerken/afspraken/{meeting.id}/weigeren").status_code == 302
    fresh()
    assert db.session.get(Meeting, meeting.id).status == "declined"
    # Somebody else's meeting is not there for a third person.
    login(client, person())
    assert client.get(f"/netwerken/afspraken/{meeting.id}/annuleren").status_code == 404


def test_the_profile_form_and_the_directory_page(app, client):
    other = person()
    viewer = person(visible=False)
    login(client, viewer)
    assert client.get("/netwerken/collegas").status_code == 403
    theme = db.session.scalar(select(Theme).order_by(Theme.position))
    saved = client.post(
        "/netwerken",
        data={"visible": "y", "sector": "OCMW", "themes": [theme.id], "ask_me_about": "Wijkwerk"},
    )
    assert saved.status_code == 302
    page = client.get("/netwerken/collegas").get_data(as_text=True)
    assert other.full_name in page and other.email not in page
    assert client.post("/netwerken", data={"sector": "OCMW"}).status_code == 302  # hidden again
    assert client.get("/netwerken/collegas").status_code == 403


def test_erasure_forgets_the_profile_and_the_meetings(app):
    asker, invitee = register(901), person()  # `asker` through the service: the venue counts them
    profiles.save_profile(asker, {"visible": True})
    slot = default_slots()[0]
    meeting = meetings.request_meeting(asker, {"with": invitee.id, "slot": slot.id})
    meetings.accept(invitee, meeting.id)
    erase_registration(asker.id)
    fresh()
    assert db.session.get(NetworkProfile, asker.id) is None
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 0
    assert db.session.get(NetworkSlot, slot.id).tables_taken == 0
    assert not profiles.is_visible(asker)
