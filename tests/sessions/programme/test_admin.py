"""Programme editing on the organiser screens, with the loader's rules; export and import."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from conference.clock import local
from conference.extensions import db
from conference.services import current_conference
from sessions.programme.export import export_programme
from sessions.programme.loader import load_programme, parse_programme
from sessions.programme.models import Activity, Block, Room, Speaker, Theme
from tests.factories import activity, give_seat, register, staff
from tests.helpers import audit_entries, login
from tests.support.apps import PROGRAMME


@pytest.fixture
def app(any_db_app):
    """Every test here on SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""
    return any_db_app


def _normalised(programme) -> dict:
    data = programme.model_dump()
    for act in data["activities"]:
        act["speakers"] = [
            {"speaker": ref, "role": "speaker"} if isinstance(ref, str) else ref
            for ref in act["speakers"]
        ]
    for key in (
        "date",
        "registration_opens",
        "registration_closes",
        "choice_opens",
        "choice_closes",
    ):
        data["conference"].pop(key)  # the demo moved the dates
    return data


def test_export_reads_back_as_the_same_programme(app):
    conf = current_conference()
    text = export_programme(conf)
    exported = parse_programme(text)
    assert _normalised(exported) == _normalised(parse_programme(PROGRAMME.read_text("utf-8")))
    assert exported.conference.date == local(conf.starts_at).date()
    assert '"10:45"' in text  # clock times quoted, as the loader asks
    load_programme(exported, demo=conf.is_demo)
    assert export_programme(current_conference()).split("\n", 2)[2] == text.split("\n", 2)[2]


def test_round_trip_keeps_edits_made_on_screen(app, client, tokens):
    login(client)
    act = activity("ws-diversiteit-1")
    form = _activity_form(act, location="Zaal Ü, tweede verdieping", published="")
    form["speakers"] = ["socius", "vlaams-platform"]
    assert client.post(f"/beheer/programma/activiteiten/{act.id}", data=form).status_code == 302
    text = client.get("/beheer/programma/export.yaml").get_data(as_text=True)
    again = parse_programme(text)
    item = next(a for a in again.activities if a.slug == "ws-diversiteit-1")
    assert item.location == "Zaal Ü, tweede verdieping" and item.published is False
    assert item.speakers == ["socius", "vlaams-platform"]
    response = client.post(
        "/beheer/programma/importeren",
        data={"file": (io.BytesIO(text.encode()), "programma.yaml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200 and "Ingeladen" in response.get_data(as_text=True)
    assert (
        client.get("/beheer/programma/export.yaml").get_data(as_text=True).split("\n", 2)[2]
        == text.split("\n", 2)[2]
    )


def test_import_is_all_or_nothing_with_line_numbers(app, client, tokens):
    login(client)
    text = export_programme(current_conference())
    broken = text.replace("capacity: 250", "capacity: 260", 1).replace(
        "room: zaal-3", "room: zaal-99", 1
    )
    response = client.post(
        "/beheer/programma/importeren",
        data={"file": (io.BytesIO(broken.encode()), "p.yaml")},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    line = next(i for i, row in enumerate(broken.splitlines(), 1) if "zaal-99" in row)
    assert f"Regel {line}" in html and "zaal-99" in html
    assert activity("ws-politiserend-werke-1").capacity == 250  # nothing changed
    other = text.replace("slug: swc2022", "slug: andere-conferentie", 1)
    response = client.post(
        "/beheer/programma/importeren",
        data={"file": (io.BytesIO(other.encode()), "p.yaml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and "andere-conferentie" in response.get_data(as_text=True)


def test_import_notifies_people_of_moved_activities(app, client, tokens, changes):
    login(client)
    text = export_programme(current_conference())
    moved = text.replace("room: zaal-3\n", "room: zaal-7\n", 1)
    response = client.post(
        "/beheer/programma/importeren",
        data={"file": (io.BytesIO(moved.encode()), "p.yaml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert changes == [("ws-diversiteit-1", {"location": ("Zaal 3", "Zaal 7")})]
    [entry] = audit_entries("programme.import")
    assert entry.after["moved"] == ["ws-diversiteit-1"] and entry.after["activities"] > 40


def _activity_form(act: Activity, **overrides) -> dict:
    conf = current_conference()

    def clock(moment):
        return local(moment, conf.timezone).strftime("%H:%M")

    data = {
        "kind": act.kind,
        "mode": act.mode,
        "title": act.title,
        "title_en": act.title_en or "",
        "summary": act.summary or "",
        "theme": act.theme.slug if act.theme else "",
        "blocks": [b.slug for b in act.blocks],
        "room": act.room.slug if act.room else "",
        "location": act.location or "",
        "starts": clock(act.starts_at),
        "ends": clock(act.ends_at),
        "capacity": "" if act.capacity is None else str(act.capacity),
        "speakers": [link.speaker.slug for link in act.speaker_links],
        "stream_url": act.stream_url or "",
        "join_url": act.join_url or "",
        "published": "y" if act.published else "",
        "reason": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v != "" or k in overrides}


def test_edit_time_goes_through_update_activity_and_notifies(app, client, tokens, changes):
    login(client)
    act = activity("ws-diversiteit-1")
    old_start = act.starts_at
    later = local(old_start + timedelta(minutes=15)).strftime("%H:%M")
    response = client.post(
        f"/beheer/programma/activiteiten/{act.id}",
        data=_activity_form(act, starts=later, reason="spreker later"),
    )
    assert response.status_code == 302
    assert activity("ws-diversiteit-1").starts_at == old_start + timedelta(minutes=15)
    assert [slug for slug, _ in changes] == ["ws-diversiteit-1"]
    assert "starts_at" in changes[0][1]
    [entry] = audit_entries("activity.update")
    assert entry.reason == "spreker later" and entry.actor_email == "organiser@example.org"


def test_room_change_notifies_and_is_audited(app, client, tokens, changes):
    login(client)
    act = activity("ws-diversiteit-1")
    sequence = act.sequence
    response = client.post(
        f"/beheer/programma/activiteiten/{act.id}", data=_activity_form(act, room="zaal-7")
    )
    assert response.status_code == 302
    assert changes == [("ws-diversiteit-1", {"location": ("Zaal 3", "Zaal 7")})]
    [entry] = audit_entries("activity.edit")
    assert entry.before == {"room": "zaal-3"} and entry.after == {"room": "zaal-7"}
    assert activity("ws-diversiteit-1").sequence == sequence + 1


def test_capacity_below_taken_is_refused(app, client, tokens):
    reg = register(1)
    give_seat(reg.id, "ws-diversiteit-1", by=staff())
    act = activity("ws-diversiteit-1")
    db.session.execute(db.update(Activity).where(Activity.id == act.id).values(taken=5))
    db.session.commit()
    login(client)
    response = client.post(
        f"/beheer/programma/activiteiten/{act.id}", data=_activity_form(act, capacity="4")
    )
    assert response.status_code == 422
    assert "meer plaatsen ingenomen" in response.get_data(as_text=True)
    assert activity("ws-diversiteit-1").capacity == 100
    # Blocks cannot change while people hold seats.
    response = client.post(
        f"/beheer/programma/activiteiten/{act.id}", data=_activity_form(act, blocks=["blok-2"])
    )
    assert response.status_code == 422 and "Verplaats hen eerst" in response.get_data(as_text=True)


def test_new_activity_follows_the_loaders_rules(app, client, tokens):
    login(client)
    base = {
        "slug": "ws-nieuw",
        "kind": "workshop",
        "title": "Een nieuwe workshop",
        "blocks": ["blok-2"],
        "room": "zaal-5",
        "theme": "diversiteit",
    }
    response = client.post("/beheer/programma/activiteiten/nieuw", data=base)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "heeft een capaciteit nodig" in html
    response = client.post(
        "/beheer/programma/activiteiten/nieuw", data={**base, "slug": "Niet Goed", "capacity": "30"}
    )
    assert response.status_code == 422 and "kleine letters" in response.get_data(as_text=True)
    response = client.post(
        "/beheer/programma/activiteiten/nieuw", data={**base, "capacity": "30", "starts": "9.30"}
    )
    assert response.status_code == 422 and "UU:MM" in response.get_data(as_text=True)
    response = client.post(
        "/beheer/programma/activiteiten/nieuw", data={**base, "capacity": "30", "published": "y"}
    )
    assert response.status_code == 302
    act = activity("ws-nieuw")
    db.session.rollback()
    assert (
        act.capacity == 30 and act.mode == "onsite" and [b.slug for b in act.blocks] == ["blok-2"]
    )
    assert act.starts_at == db.session.scalar(select(Block.starts_at).filter_by(slug="blok-2"))
    assert client.get("/programma/ws-nieuw").status_code == 200
    again = client.post("/beheer/programma/activiteiten/nieuw", data={**base, "capacity": "30"})
    assert again.status_code == 422 and "slug bestaat al" in again.get_data(as_text=True)
    assert [e.target_id for e in audit_entries("activity.create")] == [str(act.id)]


def test_publish_and_unpublish(app, client, tokens):
    login(client)
    act = activity("ws-diversiteit-1")
    client.post(f"/beheer/programma/activiteiten/{act.id}/publiceren", data={"published": "0"})
    assert client.get("/programma/ws-diversiteit-1").status_code == 404
    client.post(f"/beheer/programma/activiteiten/{act.id}/publiceren", data={"published": "1"})
    assert client.get("/programma/ws-diversiteit-1").status_code == 200
    assert [e.action for e in audit_entries()] == ["activity.unpublish", "activity.publish"]


def test_themes_rooms_speakers_and_blocks(app, client, tokens, changes):
    login(client)
    assert (
        client.post(
            "/beheer/programma/themas/nieuw",
            data={"slug": "digitaal", "name": "Digitaal sociaal werk"},
        ).status_code
        == 302
    )
    db.session.rollback()
    theme = db.session.scalar(select(Theme).filter_by(slug="digitaal"))
    assert theme.position == 6
    assert (
        client.post(
            f"/beheer/programma/themas/{theme.id}",
            data={"name": "Digitaal werken", "slug": "wordt-genegeerd"},
        ).status_code
        == 302
    )
    db.session.rollback()
    assert theme.name == "Digitaal werken" and theme.slug == "digitaal"
    assert (
        client.post(
            "/beheer/programma/zalen/nieuw",
            data={"slug": "zaal-8", "name": "Zaal 8", "capacity": "abc"},
        ).status_code
        == 422
    )
    assert (
        client.post(
            "/beheer/programma/zalen/nieuw",
            data={"slug": "zaal-8", "name": "Zaal 8", "capacity": "40", "step_free": "y"},
        ).status_code
        == 302
    )
    db.session.rollback()
    assert db.session.scalar(select(Room.capacity).filter_by(slug="zaal-8")) == 40
    assert (
        client.post(
            "/beheer/programma/sprekers/nieuw",
            data={"slug": "an-peeters", "name": "An Peeters", "organisation": "CAW"},
        ).status_code
        == 302
    )
    db.session.rollback()
    assert db.session.scalar(select(Speaker.name).filter_by(slug="an-peeters")) == "An Peeters"
    # Moving a block moves the activities that ran exactly over it, and tells their people.
    block = db.session.scalar(select(Block).filter_by(slug="blok-2"))
    response = client.post(
        f"/beheer/programma/blokken/{block.id}",
        data={"name": block.name, "starts": "13:45", "ends": "15:15"},
    )
    assert response.status_code == 302
    moved = activity("ws-diversiteit-2")
    assert local(moved.starts_at).strftime("%H:%M") == "13:45"
    assert "ws-diversiteit-2" in {slug for slug, _ in changes}
    assert (
        client.post(
            f"/beheer/programma/blokken/{block.id}",
            data={"name": block.name, "starts": "15:00", "ends": "14:00"},
        ).status_code
        == 422
    )
    assert client.get("/beheer/programma/onbekend/nieuw").status_code == 404
    kinds = {e.action for e in audit_entries()}
    assert {
        "theme.create",
        "theme.update",
        "room.create",
        "speaker.create",
        "block.update",
    } <= kinds
