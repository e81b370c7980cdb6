"""Streams, online workshops, presence, Q&A and certificates; wired in `setup.py`."""
