"""Signals that let higher packages react to kernel events without the kernel importing them."""

from blinker import Namespace

_signals = Namespace()

# Sent inside the write transaction after the venue cap was raised: (conference, session).
venue_capacity_raised = _signals.signal("venue-capacity-raised")
