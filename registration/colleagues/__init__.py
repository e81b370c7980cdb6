"""Colleagues registered together: a coordinator invites, each colleague consents themselves."""
