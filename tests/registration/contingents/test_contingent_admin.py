"""The contingents' back office: revoking a code takes a confirm step, and is audited."""

from __future__ import annotations

from sqlalchemy import select

from conference.extensions import db
from conference.models import AuditEntry
from registration.contingents.errors import CodeRefused
from registration.contingents.services import create_contingent
from registration.services import register
from tests.factories import conference, person, set_venue
from tests.helpers import assert_counters_match, login


def test_revoking_a_code_asks_first_then_stops_the_code(app, tokens):
    set_venue(onsite_capacity=5)
    made = create_contingent(conference(), {"name": "Scholen", "places": 2, "codes": 2})
    client = app.test_client()
    login(client)
    base = f"/beheer/contingenten/{made.id}"
    codes = client.get(base)
    # The list only links to the confirm step: no button there changes anything.
    assert f'href="{base}/codes/1/intrekken"' in codes.text
    assert f'action="{base}/codes/1/intrekken"' not in codes.text
    ask = client.get(f"{base}/codes/1/intrekken")
    assert ask.status_code == 200 and "Ja, trek deze code in" in ask.text
    assert made.codes[0] in ask.text and "Nee, terug naar de codes" in ask.text
    register(person(1, code=made.codes[0]), venue_choice="waitlist")  # still works: not yet
    done = client.post(f"{base}/codes/2/intrekken", data={"reason": "uitgelekt"})
    assert done.status_code == 303 and done.location.endswith(base)
    try:
        register(person(2, code=made.codes[1]), venue_choice="waitlist")
    except CodeRefused:
        pass
    else:
        raise AssertionError("a revoked code gave a place")
    db.session.rollback()
    entry = db.session.scalar(select(AuditEntry).filter_by(action="contingent.revoke_code"))
    assert entry.reason == "uitgelekt" and entry.after == {"code": 2}
    # Asking again for a revoked code goes back to the list; an unknown code is 404.
    again = client.get(f"{base}/codes/2/intrekken")
    assert again.status_code == 303 and again.location.endswith(base)
    assert client.get(f"{base}/codes/9/intrekken").status_code == 404
    assert_counters_match()


def test_only_organisers_revoke(app, tokens):
    made = create_contingent(conference(), {"name": "Gidsen", "places": 1, "codes": 1})
    client = app.test_client()
    path = f"/beheer/contingenten/{made.id}/codes/1/intrekken"
    assert client.get(path).status_code in (302, 401)
    login(client, "checkin")
    assert client.get(path).status_code == 403
    assert client.post(path).status_code == 403
