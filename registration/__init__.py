"""Registrations, the venue waiting list, tickets and check-in; wired in `setup.py`."""
