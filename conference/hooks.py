"""The one way a higher package extends a lower one: the named blinker signals below.

Imports run one way (conference <- registration <- sessions <- streaming). Where a lower package
must reach a higher one, it sends a signal declared here and the higher package connects a
receiver at app start, in its `setup.py` (`connect` is idempotent: blinker keeps one connection
per receiver; receivers are module-level functions, as blinker holds them by weak reference).

Events are sent inside the write transaction of the change, with that `session` as a keyword;
receivers do their part in the same transaction and return nothing.

- `venue_capacity_raised(conference, session)`: sent by `conference.services.update_conference`;
  registration offers the new places to the waiting list.
- `venue_mode_changed(conference, session)`: sent by `conference.services.update_conference`
  when `venue_mode` changes; the draw commits to a seed (draw mode) or refuses to leave draw
  mode while applications wait for an unpublished draw.
- `registration_canceled(registration, session)`: sent by `registration.services` (a cancel, and
  an erasure); seats free the person's seats, waiting-list places and choices.
- `registration_mode_changed(registration, old_mode, new_mode, session)`: sent by
  `registration.services`; seats drop what no longer fits the mode, the agenda marks history.
- `registration_erased(registration, session)`: sent by `registration.account.personal_data`
  after `registration_canceled`; the agenda revokes calendar links and drops follows.
- `activity_changed(activity, changes={field: (old, new)}, session)`: sent once per edit by
  `sessions.programme.changes`; the agenda records a revision and queues one mail per person
  concerned.
- `activity_capacity_raised(activity, session)`: sent by `sessions.programme.changes`; seats
  offer the new seats to the waiting list.
- `programme_loaded(conference, session, evaluation)`: sent by `sessions.programme.loader`
  after a programme file (or an import) is applied, with the file's `evaluation:` section as
  plain data (None when left out); streaming gives new activities and the day an evaluation and
  applies the section. A receiver that finds the section wrong raises `Invalid` with fields
  named from the file's top (`evaluation.day.0.key`): the loader reports them, changing nothing.

Extension points: the sender asks and gathers what the receivers return (`collect`, `gather`,
`first`).

- `seat_summary(registration)` -> `[{"activity_id", "status"}, ...]`: asked by
  `registration.services` for `GET /api/v1/me` (`seats`); seats answer.
- `me_links(registration)` -> `{"agenda_url", "calendar_feed_url"}`: asked by
  `registration.services` for `GET /api/v1/me`; the agenda answers.
- `personal_data(registration)` -> `{key: data}`: asked by `registration.account.personal_data`
  for the data export; seats and the agenda answer.
- `calendar_attachments(registration_id)` -> `[attachment, ...]`: the person's calendar for a
  mail to them, asked by `registration.notify` (the confirmation, inside the registration's
  transaction, so answers must be cheap: deferred attachments) and by the seats' allocation
  result; the agenda answers with the person's `.ics`, drawn at delivery.
- `watch_url(activity_info)` -> URL or None: asked by `sessions.agenda.services.watch_url`;
  streaming answers with its watch page.
- `person_sections(registration, conference=..., forms=...)` -> `[PersonSection, ...]`
  (`registration/admin/sections.py`): asked by the people screens for a person's page; seats
  answer with seats, waiting lists, choices and the move form, streaming with online minutes.
- `seated_activities(conference)` -> `[(id, title), ...]`: asked by the people search for its
  "with a seat in" filter; seats answer.
- `seat_holders(activity_id)` -> a SELECT of registration ids: asked by the people search to
  filter on that activity; seats answer.
- `activity_checkpoints(None)` -> an `ActivityCheckpoints` (`registration/checkin/registry.py`):
  asked by the check-in service; seats answer with `sessions.seats.checkpoints.CHECKPOINTS`.
- `mail_attachment(kind, item=...)` -> bytes: asked by `conference.mail.delivery` for an
  attachment queued with `render=kind`; the agenda connects for "ics".
- `next_step_facts(registration)` -> `{fact: value}`: asked by `registration.journey` for the
  person's task list (thank-you page, confirmation mail, personal page); seats answer with
  `choices_made` (the person ranked a workshop in the preference round).
- `agenda_extras(registration, session=..., language=...)` -> `[AgendaExtra, ...]`
  (`sessions/agenda/extras.py`): asked by the agenda (page, API, `.ics` and feed) for items
  that are no programme activity; streaming answers with accepted networking meetings and
  themed-table places.
- `programme_sections(conference)` -> `{section: data}`: asked by `sessions.programme.export`
  for the data file's sections kept by higher packages; streaming answers with `evaluation`.
- `my_sections(registration)` -> `[PersonSection, ...]` (slot "activities"): asked by the
  personal page (`registration.account.views.manage`); streaming lists the open evaluations.
- `news_opted_out(target, ident=...)` -> bool: asked by `conference.mail.policy.opted_out` for a
  news token of another target than the kernel's accounts ("u"); registration connects for "r".

Keyed extension points (`mail_attachment`, `news_opted_out`) are connected with `sender=<key>`,
so only the receiver of that key answers.

Scheduled jobs are no hook: the scheduler process is part of the kernel's shell, so
`conference/scheduler.py` imports each package's job function and lists it in `JOBS`.
"""

from __future__ import annotations

from typing import Any

from blinker import Namespace, Signal

_signals = Namespace()

# --- events --------------------------------------------------------------------------------
venue_capacity_raised = _signals.signal("venue-capacity-raised")
venue_mode_changed = _signals.signal("venue-mode-changed")
registration_canceled = _signals.signal("registration-canceled")
registration_mode_changed = _signals.signal("registration-mode-changed")
registration_erased = _signals.signal("registration-erased")
activity_changed = _signals.signal("activity-changed")
activity_capacity_raised = _signals.signal("activity-capacity-raised")
programme_loaded = _signals.signal("programme-loaded")

# --- extension points ----------------------------------------------------------------------
seat_summary = _signals.signal("seat-summary")
me_links = _signals.signal("me-links")
personal_data = _signals.signal("personal-data")
calendar_attachments = _signals.signal("calendar-attachments")
watch_url = _signals.signal("watch-url")
activity_checkpoints = _signals.signal("activity-checkpoints")
mail_attachment = _signals.signal("mail-attachment")
news_opted_out = _signals.signal("news-opted-out")
person_sections = _signals.signal("person-sections")
seated_activities = _signals.signal("seated-activities")
seat_holders = _signals.signal("seat-holders")
next_step_facts = _signals.signal("next-step-facts")
agenda_extras = _signals.signal("agenda-extras")
programme_sections = _signals.signal("programme-sections")
my_sections = _signals.signal("my-sections")


def collect(signal: Signal, sender: Any = None, **kwargs: Any) -> list[Any]:
    """What every receiver returned (blinker keeps receivers in a set: no order is promised)."""
    return [result for _receiver, result in signal.send(sender, **kwargs)]


def gather(signal: Signal, sender: Any = None, **kwargs: Any) -> list[Any]:
    """The receivers' lists, joined into one."""
    return [item for answer in collect(signal, sender, **kwargs) for item in answer]


def first(signal: Signal, sender: Any = None, **kwargs: Any) -> Any:
    """The first answer that is not None, or None when no receiver answered."""
    return next((r for r in collect(signal, sender, **kwargs) if r is not None), None)
