"""The organisers' people and tickets screens (`/beheer/deelnemers`): search, a person's page,
and the organiser actions on it, each audited in the transaction of its change.

Seats, choices and online presence belong to higher packages: they add their sections of the
page (and the seat filter of the search) through the kernel's hooks (`sections.py`).
"""
