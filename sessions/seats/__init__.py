"""Seats: booking, waiting lists, preferences, activity checkpoints and their admin screens."""
