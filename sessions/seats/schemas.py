"""The seats API's shapes: rankings, bookings and the allocation's runs."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, RootModel

from conference.schemas import Body, maybe

Share = Annotated[float, Field(ge=0, le=1)]


class Ranking(RootModel[dict[str, Annotated[list[int], Field(max_length=5)]]]):
    """Block id -> up to five activity ids, best first."""


class SeatStatus(BaseModel):
    """A seat (enrolled) or a waiting-list place (waitlisted, offered)."""

    activity_id: int
    status: Literal["enrolled", "waitlisted", "offered"]


class Seats(BaseModel):
    """The attendee's seats and waiting-list places."""

    items: list[SeatStatus]


class Enrollment(BaseModel):
    """A booking; with `replace_activity_id`, a swap in one step."""

    activity_id: int
    replace_activity_id: int = maybe()


class EnrollmentKept(BaseModel):
    """Already enrolled, or a place on the waiting list."""

    status: Literal["enrolled", "waitlisted"]
    position: int = maybe()
    activity_id: int = maybe()


class Enrolled(BaseModel):
    """A seat, and the seats given up for it."""

    status: Literal["enrolled"]
    activity_id: int = maybe()
    released: list[int] = maybe()


class AllocationRequest(Body):
    """How to run the allocation."""

    dry_run: bool = True
    seed: int = maybe(ge=0, le=2_147_483_647)
    fill_unranked: bool = maybe("Give people whose choices are full a free seat in the same theme.")
    profile_quotas: dict[str, Share] = maybe("Share of each activity's seats reserved per profile.")
    exact: bool = maybe(
        "Solve the joint program exactly, up to 30 s. Without it the optimum is still "
        "published when proven within `allocation_proof_seconds`, else the fast path's result."
    )


class AllocationRun(BaseModel):
    """The figures of an allocation run."""

    run_id: int = maybe()
    seed: int = maybe()
    status: Literal["dry_run", "published"] = maybe()
    published: bool
    method: str = maybe()
    objective: int = maybe()
    proven_optimal: bool = maybe(
        "HiGHS proved this run optimal within `allocation_proof_seconds` (default 5); false: "
        "the fast path's result (within a few hundredths of a percent in measured runs)."
    )
    applicants: int = maybe()
    assigned: int = Field(description="Person-blocks with a seat.")
    unassigned: int = Field(
        description="Person-blocks without a seat where the person ranked something."
    )
    first_choice_share: float
    top3_share: float = maybe()
    none_of_choices_share: float = maybe()
    mean_rank: float
    worst_rank: int
    per_profile: dict[str, dict] = maybe()
