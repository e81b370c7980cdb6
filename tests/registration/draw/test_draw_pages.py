"""The draw's pages: the organiser's review and publish, the public verify page, the command,
the dashboard's fairness figures, and the result mails through a real SMTP server."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from conference.clock import utcnow
from conference.extensions import db
from conference.mail.delivery import deliver_due
from conference.models import MailMessage
from registration.draw.models import OrganisationMerge, VenueDraw
from registration.draw.verify import draw_verify_command
from registration.models import Registration
from registration.services import register
from tests.conference.backoffice.test_backoffice_settings import _form
from tests.factories import conference, person, set_venue, token_for
from tests.factories import register as registration_row
from tests.helpers import assert_counters_match, bearer, login


def _draw_conference(client, tokens, capacity: int = 2) -> None:
    set_venue(onsite_capacity=capacity)
    response = client.patch(
        "/api/v1/conference",
        json={"venue_mode": "draw", "draw_at": (utcnow() + timedelta(days=2)).isoformat()},
        headers=bearer(tokens["organiser"]),
    )
    assert response.status_code == 200


def test_the_review_page_is_for_organisers_only(app, client, tokens):
    assert client.get("/beheer/loting").status_code in (302, 401)
    login(client, "checkin")
    assert client.get("/beheer/loting").status_code == 403
    assert client.post("/beheer/loting/proef").status_code == 403
    assert client.post("/beheer/loting/publiceren").status_code == 403
    attendee = registration_row(1, mode="online")
    me = app.test_client()
    login(me, attendee)
    assert me.get("/beheer/loting").status_code == 403
    denied = me.post("/api/v1/venue/draw", json={"dry_run": True})
    assert denied.status_code in (400, 403)


def test_dry_run_merge_and_publish_through_the_pages(app, client, tokens):
    _draw_conference(client, tokens, capacity=3)
    for i, org in enumerate(["Huis A vzw", "huis a", "HUIS-A", "Huis Aa", "Dienst B", "Dienst C"]):
        register(person(i, organisation=org), venue_choice="waitlist")
    set_venue(organisation_cap=1)
    login(client, "organiser")
    page = client.get("/beheer/loting").get_data(as_text=True)
    assert "6 aanvragen wachten op de loting" in page
    assert client.post("/beheer/loting/proef").status_code == 303
    page = client.get("/beheer/loting").get_data(as_text=True)
    assert "Laatste proefloting" in page and "huis a" in page
    bad = client.post("/beheer/loting/samenvoegen", data={"alias": "Huis Aa", "canonical": ""})
    assert bad.status_code == 422 and "Vul de naam in waarmee hij samengaat." in bad.get_data(
        as_text=True
    )
    ok = client.post("/beheer/loting/samenvoegen", data={"alias": "Huis Aa", "canonical": "Huis A"})
    assert ok.status_code == 303, ok.get_data(as_text=True)
    db.session.rollback()
    assert [(m.alias, m.canonical) for m in db.session.scalars(select(OrganisationMerge))] == [
        ("huis aa", "huis a")
    ]
    client.post("/beheer/loting/proef")
    page = client.get("/beheer/loting").get_data(as_text=True)
    assert "Tegenover de vorige proef" in page
    # The publish page asks first; before the moment it is refused.
    assert "Ja, publiceer de loting nu" in client.get("/beheer/loting/publiceren").get_data(
        as_text=True
    )
    client.post("/beheer/loting/publiceren")
    assert conference().draw_published_at is None
    set_venue(draw_at=utcnow() - timedelta(minutes=1))
    assert client.post("/beheer/loting/publiceren").status_code == 303
    conf = assert_counters_match()
    assert conf.onsite_taken == 3 and conf.draw_published_at is not None
    # Huis A (four spellings, one merged by hand) gets one place under a cap of one.
    row = db.session.scalar(select(VenueDraw))
    labels = {org for _, _, org in row.published["applicants"][:4]}
    assert len(labels) == 1


def test_the_public_page_shows_seed_data_and_a_re_run_that_matches(app, client, tokens, tmp_path):
    _draw_conference(client, tokens, capacity=2)
    for i in range(5):
        register(person(i, first_name="Geheimnaam"), venue_choice="waitlist")
    before = client.get("/loting").get_data(as_text=True)
    row = db.session.scalar(select(VenueDraw))
    assert row.commitment in before and row.seed not in before
    assert client.get("/loting/gegevens.json").status_code == 404
    set_venue(draw_at=utcnow() - timedelta(minutes=1))
    login(client, "organiser")
    client.post("/beheer/loting/publiceren")
    page = app.test_client().get("/loting").get_data(as_text=True)
    assert row.seed in page and "draw-verify" in page and "Geheimnaam" not in page
    data = app.test_client().get("/loting/gegevens.json").get_json()
    assert len(data["drawn"]) == 2 and len(data["waitlist"]) == 3
    assert "Geheimnaam" not in json.dumps(data)
    path = tmp_path / "gegevens.json"
    path.write_text(json.dumps(data))
    runner = app.test_cli_runner()
    result = runner.invoke(draw_verify_command, [str(path), "--commitment", row.commitment])
    assert result.exit_code == 0 and result.output.startswith("OK: 2 drawn"), result.output
    data["drawn"].reverse()
    path.write_text(json.dumps(data))
    result = runner.invoke(draw_verify_command, [str(path)])
    assert result.exit_code == 1 and "drawn list differs" in result.output
    db.session.rollback()  # the test's own read snapshot predates the publish
    result = runner.invoke(draw_verify_command, [])  # from this database
    assert result.exit_code == 0, result.output


def test_the_dashboard_shows_fairness_figures(app, client, tokens):
    set_venue(onsite_capacity=2)
    register(person(1, profile="manager", organisation="Groot vzw"), venue_choice="waitlist")
    register(person(2, organisation="groot"), venue_choice="waitlist")
    register(person(3), venue_choice="waitlist")
    login(client, "organiser")
    page = client.get("/beheer").get_data(as_text=True)
    assert "Eerlijke toegang tot de plaatsen ter plaatse" in page
    assert '<th scope="row">groot</th><td class="num">2</td>' in page
    assert "Kans op een plaats" in page  # fcfs: the quarters


def test_one_result_mail_per_applicant_in_their_language(app, client, tokens, smtp):
    _draw_conference(client, tokens, capacity=2)
    for i in range(4):
        register(person(i, language="en" if i % 2 else "nl"), venue_choice="waitlist")
    deliver_due()
    smtp.messages.clear()
    set_venue(draw_at=utcnow() - timedelta(minutes=1))
    response = client.post(
        "/api/v1/venue/draw", json={"dry_run": False}, headers=bearer(tokens["organiser"])
    )
    assert response.status_code == 200
    assert deliver_due()["sent"] == 4
    assert deliver_due()["sent"] == 0
    by_address = {str(m["To"]): m for m in smtp.messages}
    assert len(smtp.messages) == 4 == len(by_address)
    subjects = {address: str(m["Subject"]) for address, m in by_address.items()}
    for i in range(4):
        subject = subjects[f"persoon{i}@example.be"].strip()
        assert subject.startswith("Draw result" if i % 2 else "Uitslag van de loting"), subject
    drawn = [m for m in smtp.messages if "ticket.png" in [p.get_filename() for p in m.walk()]]
    assert len(drawn) == 2


def test_the_form_in_draw_mode_explains_the_draw_and_the_person_can_switch(app, client, tokens):
    _draw_conference(app.test_client(), tokens)
    data = {**person(1, language="nl", consent="y"), "organisation": "Huis"}
    assert client.post("/inschrijven", data=data).status_code == 303
    done = client.get("/inschrijven/klaar").get_data(as_text=True)
    assert "Je doet mee aan de loting" in done and "geen voordeel" in done
    manage = client.get("/mijn-inschrijving").get_data(as_text=True)
    assert "Doet mee aan de loting" in manage and "Je ticket" not in manage
    db.session.rollback()
    confirmation = db.session.scalars(
        select(MailMessage).filter_by(kind="registration_confirmation")
    ).one()
    assert "loting" in confirmation.subject and "geen voordeel" in confirmation.body_text
    # Online and back: before the draw, on site is an application again.
    api = app.test_client()
    auth = bearer(token_for(db.session.get(Registration, confirmation.registration_id)))
    assert api.patch("/api/v1/me", json={"mode": "online"}, headers=auth).status_code == 200
    assert api.get("/api/v1/me", headers=auth).get_json()["status"] == "registered"
    assert api.patch("/api/v1/me", json={"mode": "onsite"}, headers=auth).status_code == 200
    me = api.get("/api/v1/me", headers=auth).get_json()
    assert (me["status"], me["mode"]) == ("applied", "onsite")
    assert conference().onsite_taken == 0


def test_the_settings_form_sets_draw_mode_and_keeps_it_while_applications_wait(app, client, tokens):
    login(client, "organiser")
    data = _form(client)
    data.update(venue_mode="draw", draw_at="2022-04-20T12:00", organisation_cap="4")
    assert client.post("/beheer/instellingen", data=data).status_code == 302
    conf = conference()
    assert (conf.venue_mode, conf.organisation_cap) == ("draw", 4)
    assert db.session.scalar(select(VenueDraw)) is not None  # the seed is committed
    register(person(1), venue_choice="waitlist")
    data = _form(client)
    data.update(venue_mode="fcfs")
    refused = client.post("/beheer/instellingen", data=data)
    assert refused.status_code == 422
    assert "Er zijn aanvragen voor de loting" in refused.get_data(as_text=True)
    assert conference().venue_mode == "draw"
