"""Signals of the programme, for agendas, mail and streaming to react to."""

from blinker import Namespace

_signals = Namespace()

# Sent inside the write transaction when an activity's time, place or links changed:
# (activity, changes={field: (old, new)}, session).
activity_changed = _signals.signal("activity-changed")
# Sent inside the write transaction after an activity's capacity was raised: (activity, session).
activity_capacity_raised = _signals.signal("activity-capacity-raised")
