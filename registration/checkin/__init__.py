"""Check-in: tickets scanned at the entrance and at activity checkpoints."""
