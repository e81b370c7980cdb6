"""The colleagues pages without JavaScript, the confirmation link, and the mails over real SMTP."""

from __future__ import annotations

from conference.mail.delivery import deliver_due
from registration.admin.services import cancel_person
from registration.colleagues import services
from tests.factories import register, staff
from tests.helpers import audit_entries, login
from tests.registration.colleagues.support import (
    CONFIRM_LINK,
    colleague,
    invitation_of,
    link_token,
    registration_of,
)


def _rows(n: int, **extra) -> dict[str, str]:
    data = {}
    for i in range(n):
        data |= {
            f"email_{i}": f"collega{i}@example.be",
            f"first_name_{i}": "Col",
            f"last_name_{i}": f"Lega {i}",
            f"mode_{i}": "onsite",
            f"language_{i}": "nl",
        }
    return data | extra


def test_one_invitation_per_colleague_in_the_chosen_language_over_smtp(app, smtp):
    coordinator = register(1, first_name="Coördinator")
    rows = [colleague(1, language="nl"), colleague(2, language="en"), colleague(3)]

    services.invite_colleagues(coordinator.id, rows)

    result = deliver_due()
    assert deliver_due()["sent"] == 0  # nothing twice
    invitations = [m for m in smtp.messages if "collega" in str(m["To"])]
    assert result["sent"] >= 3 and len(invitations) == 3
    by_address = {str(m["To"]): m for m in invitations}
    dutch = by_address["collega1@example.be"].get_body(("plain",)).get_content()
    english = by_address["collega2@example.be"].get_body(("plain",)).get_content()
    assert "bevestig" in dutch.lower() and "Coördinator" in dutch
    assert "confirm" in english.lower() and "bevestig" not in english.lower()
    assert "please confirm yourself" in str(by_address["collega2@example.be"]["Subject"])
    assert CONFIRM_LINK.search(dutch) and CONFIRM_LINK.search(english)
    # The coordinator's language is the default for a row without one.
    third = by_address["collega3@example.be"].get_body(("plain",)).get_content()
    assert "bevestig" in third.lower()


def test_the_colleagues_page_invites_without_javascript(app, client):
    coordinator = register(1)
    login(client, coordinator)
    page = client.get("/mijn-inschrijving/collegas")
    assert page.status_code == 200 and 'name="email_4"' in page.text
    assert 'name="email_5"' not in page.text
    more = client.get("/mijn-inschrijving/collegas?rijen=20")
    assert 'name="email_19"' in more.text

    answer = client.post("/mijn-inschrijving/collegas", data=_rows(2))

    assert answer.status_code == 200
    assert "collega0@example.be" in answer.text and "collega1@example.be" in answer.text
    assert invitation_of("collega1@example.be").status == "invited"


def test_bad_rows_show_the_error_next_to_the_field_and_keep_the_input(app, client):
    login(client, register(1))
    data = _rows(2) | {"email_1": "geen-adres"}

    answer = client.post("/mijn-inschrijving/collegas", data=data)

    assert answer.status_code == 422
    assert 'id="email_1-error"' in answer.text and 'aria-invalid="true"' in answer.text
    assert "error-summary" in answer.text and 'value="geen-adres"' in answer.text
    assert invitation_of("collega0@example.be") is None  # nothing half done


def test_the_link_shows_a_form_its_post_confirms_once(app, client):
    services.invite_colleagues(register(1).id, [colleague(1)])
    token = link_token("collega1@example.be")
    url = f"/collega/{token}"

    form = client.get(url)
    assert form.status_code == 200 and client.get(url).status_code == 200  # GET uses nothing
    assert form.headers["Cache-Control"] == "private, no-store"
    assert (
        'name="consent"' in form.text and "checked" not in form.text.split('name="consent"')[1][:80]
    )
    fields = {"first_name": "Eigen", "last_name": "Naam",
              "profile": "student", "mode": "onsite", "language": "nl"}  # fmt: skip
    refused = client.post(url, data=fields)
    assert refused.status_code == 422 and 'id="consent-error"' in refused.text
    assert registration_of("collega1@example.be").status == "invited"

    done = client.post(url, data=fields | {"consent": "y"})

    assert done.status_code == 200 and "ticket" in done.text.lower()
    reg = registration_of("collega1@example.be")
    assert (reg.status, reg.profile, reg.first_name) == ("registered", "student", "Eigen")
    assert client.get(url).status_code == 410
    assert client.post(url, data=fields | {"consent": "y"}).status_code == 410


def test_declining_takes_a_confirm_step(app, client):
    services.invite_colleagues(register(1).id, [colleague(1)])
    url = f"/collega/{link_token('collega1@example.be')}/weigeren"
    page = client.get(url)
    assert page.status_code == 200
    assert registration_of("collega1@example.be").status == "invited"

    answer = client.post(url, data={})

    assert answer.status_code == 200
    assert registration_of("collega1@example.be") is None
    assert invitation_of("collega1@example.be").status == "declined"


def test_an_organiser_invites_for_someone_and_it_is_audited(app, client, tokens):
    coordinator = register(1)
    path = f"/beheer/deelnemers/{coordinator.id}/collegas"
    login(client, coordinator)
    assert client.get(path).status_code in (302, 403)
    client.get("/beheer/logout")
    with client.session_transaction() as session:
        session.clear()
    login(client, "organiser")
    page = client.get(path)
    assert page.status_code == 200

    answer = client.post(path, data=_rows(1))

    assert answer.status_code == 200
    invitation = invitation_of("collega0@example.be")
    assert invitation.coordinator_id == coordinator.id and invitation.invited_by_user_id
    assert audit_entries("registration.invite_colleagues")


def test_a_person_who_cannot_invite_leads_the_organiser_back_to_their_page(app, client, tokens):
    coordinator = register(1)
    services.invite_colleagues(coordinator.id, [colleague(1)])
    invited = registration_of("collega1@example.be")
    cancel_person(coordinator.id, actor=staff())
    login(client, "organiser")

    for person, told in ((coordinator, "geannuleerd"), (invited, "nog niet bevestigd")):
        for method in ("GET", "POST"):
            path = f"/beheer/deelnemers/{person.id}/collegas"
            answer = client.open(path, method=method, data=_rows(1))
            assert answer.status_code == 302, (method, path)
            assert answer.headers["Location"] == f"/beheer/deelnemers/{person.id}"
            assert told in client.get(answer.headers["Location"]).get_data(as_text=True)
    assert invitation_of("collega0@example.be") is None  # nothing sent on their behalf
    assert client.get("/beheer/deelnemers/999/collegas").status_code == 404
