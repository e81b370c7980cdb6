"""The errors of the programme, as the API and the screens name them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from conference.errors import Conflict, Invalid


class BelowTaken(Conflict):
    """A capacity below the seats already taken."""

    code = "below_taken"
    message = _l("Er zijn al meer plaatsen ingenomen dan die capaciteit.")


class HasSeats(Conflict):
    """People hold seats, so the activity's blocks, kind or mode cannot change."""

    code = "has_seats"
    message = _l(
        "Er hebben al mensen een plaats. Verplaats hen eerst, en wijzig dan "
        "de blokken, de soort of on site/online."
    )


class SlugTaken(Invalid):
    """Another item of this kind already has the slug."""

    def __init__(self, field: str = "slug", **kw: Any):
        super().__init__(fields={field: _l("deze slug bestaat al; kies een andere")}, **kw)


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the data file."""

    line: int | None
    field: str
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return f"{where}{self.field}: {self.reason}"


class ProgrammeError(Exception):
    """The data file cannot be loaded; nothing was changed."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
