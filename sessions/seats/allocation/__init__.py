"""Fair allocation of seats: the engine, the exact solver, baselines and the service."""
