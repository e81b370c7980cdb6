"""The venue draw: applications, a seeded and verifiable lottery, its review and publication."""
