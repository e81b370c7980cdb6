"""The evaluation pages without JavaScript: the list, the form, errors next to fields, once."""

from __future__ import annotations

import time_machine
from sqlalchemy import func, select

from conference.extensions import db
from streaming.evaluation.models import EvaluationAnswer
from tests.factories import activity_of_kind, attendee
from tests.helpers import login
from tests.streaming.evaluation.support import after, form_of, scan_in


def test_a_plain_form_post_answers_once(app, client):
    workshop = activity_of_kind("workshop")
    reg = attendee()
    scan_in(reg, workshop)
    ev = form_of(workshop)
    url = f"/evaluatie/{ev.id}"
    with time_machine.travel(after(workshop), tick=False):
        login(client, reg)  # at that moment: sessions end after a while
        listing = client.get("/evaluatie").get_data(as_text=True)
        assert url in listing and workshop.title in listing
        page = client.get(url)
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert 'name="vraag_score"' in html and 'type="radio"' in html
        missing = client.post(url, data={"vraag_meenemen": "Luisteren"})
        assert missing.status_code == 422
        html = missing.get_data(as_text=True)
        assert "Beantwoord deze vraag." in html and "Luisteren" in html  # nothing typed is lost
        done = client.post(url, data={"vraag_score": "s5", "vraag_meenemen": "Luisteren"})
        assert done.status_code == 303 and done.headers["Location"].endswith("/evaluatie")
        again = client.get(url)
        assert again.status_code == 409
        assert "al ingevuld" in again.get_data(as_text=True)
        assert url not in client.get("/evaluatie").get_data(as_text=True)
    db.session.rollback()  # a fresh snapshot: the answer was written by the request
    assert db.session.scalar(select(func.count()).select_from(EvaluationAnswer)) == 1


def test_the_form_in_english_and_refused_for_the_absent(app, client):
    workshop = activity_of_kind("workshop")
    present, absent = attendee(language="en"), attendee()
    scan_in(present, workshop)
    ev = form_of(workshop)
    with time_machine.travel(after(workshop), tick=False):
        login(client, present)
        html = client.get(f"/evaluatie/{ev.id}?lang=en").get_data(as_text=True)
        assert "What do you take back to your practice?" in html
        assert "Send the evaluation" in html
        login(client, absent)
        refused = client.get(f"/evaluatie/{ev.id}")
        assert refused.status_code == 403
        assert "We vonden geen deelname" in refused.get_data(as_text=True)
