"""Typed questions: the kinds, the one answer validator, their form fields and macro."""
