"""Evaluation tied to attendance: forms per activity and for the day, anonymous answers."""
