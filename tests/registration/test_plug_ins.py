"""The higher packages answer registration's hooks: a hook nobody answers fails silently.

No `.ics` in the confirmation, no seats in the data export, a person's page without seats: so
this checks that the app connects a receiver to every hook registration asks or sends.
"""

from __future__ import annotations

from conference import hooks

ASKED_OR_SENT_BY_REGISTRATION = (
    hooks.seat_summary,
    hooks.me_links,
    hooks.personal_data,
    hooks.calendar_attachments,
    hooks.activity_checkpoints,
    hooks.registration_canceled,
    hooks.registration_mode_changed,
    hooks.registration_erased,
    hooks.person_sections,
    hooks.seated_activities,
    hooks.seat_holders,
)


def test_every_hook_registration_uses_has_a_receiver(app):
    silent = [signal.name for signal in ASKED_OR_SENT_BY_REGISTRATION if not signal.receivers]
    assert silent == []


def test_a_persons_page_gets_the_seats_and_the_online_sections(app):
    modules = {r.__module__ for r in hooks.person_sections.receivers_for(None)}
    # The answers to the organisers' questions are registration's own section (same package).
    assert modules == {"registration.questions.admin", "sessions.seats.people", "streaming.people"}
