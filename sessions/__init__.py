"""Programme, seats and allocation, agendas: three sub-packages, wired in `setup.py`."""
