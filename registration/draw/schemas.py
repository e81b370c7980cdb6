"""The draw's API shapes (OpenAPI); the checks themselves are in `api.py`."""

from __future__ import annotations

from pydantic import BaseModel

from conference.schemas import Body, maybe


class DrawRequest(Body):
    """A dry run (any seed, to try) or the real draw (the committed seed)."""

    dry_run: bool
    seed: int = maybe("Dry run: try another seed. Real draw: must be the committed seed.")


class ProfileFigures(BaseModel):
    """Applicants and places of one profile."""

    applicants: int
    registered: int


class DrawFigures(BaseModel):
    """What a draw came to."""

    applicants: int
    registered: int
    waitlisted: int
    per_profile: dict[str, ProfileFigures]
    max_per_organisation: int
    published: bool
