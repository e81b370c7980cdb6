"""Registration signals for seats, agendas and streaming (sent inside the transaction)."""

from blinker import Namespace

_signals = Namespace()

# (registration, session): the registration was canceled or erased; free everything it held.
registration_canceled = _signals.signal("registration-canceled")
# (registration, old_mode, new_mode, session): on site <-> online; seats of the wrong mode go.
registration_mode_changed = _signals.signal("registration-mode-changed")
