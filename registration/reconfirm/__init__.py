"""Reconfirmation: before the day, every on-site registrant says whether they still come."""
