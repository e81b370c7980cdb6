"""Registrations, the venue waiting list, tickets, check-in and the people screens; wired in
`setup.py`."""
