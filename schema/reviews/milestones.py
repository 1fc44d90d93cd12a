"""GraphQL types of a review's follow-up timeline (the dates and statuses are
`schema.reviews.timeline`'s), with the activities attached to each milestone.

Statuses read only the activities the viewer may see: a hidden activity neither makes
a milestone PLANNED nor shows that it exists.
"""

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

import strawberry

from schema.reviews import timeline
from schema.reviews.timeline import MilestoneKind, MilestoneStatus

if TYPE_CHECKING:
    from schema.activities.types import Activity

MilestoneKindEnum = strawberry.enum(MilestoneKind, name="MilestoneKind")
MilestoneStatusEnum = strawberry.enum(
    MilestoneStatus,
    name="MilestoneStatus",
    description="DONE: its day passed (UN milestones) or an activity for it was held; "
    "PLANNED: an activity for it is upcoming or under way; DUE: within 60 days, nothing "
    "planned; OVERDUE: its day passed and no activity for it was held; UPCOMING: later.",
)


@strawberry.type(description="One step of a review's follow-up, dated from the review.")
class Milestone:
    kind: MilestoneKindEnum  # type: ignore[valid-type]
    date: dt.date
    approximate: bool = strawberry.field(
        description="Computed from the review's date (DOMAIN's usual offsets), not recorded."
    )
    hrc_session: int | None = strawberry.field(
        description="ADOPTION: the Human Rights Council session adopting the outcome."
    )
    status: MilestoneStatusEnum  # type: ignore[valid-type]
    activities: list[Annotated["Activity", strawberry.lazy("schema.activities.types")]] = (
        strawberry.field(
            description="Partner milestones: the activities of this kind on the review that "
            "you may see, not cancelled, by date."
        )
    )


def build_timeline(
    review_date: dt.date,
    adoption_date: dt.date | None,
    hrc_session: int | None,
    activities: Sequence["Activity"],
    today: dt.date,
) -> list[Milestone]:
    found = []
    for milestone in timeline.milestones(review_date, adoption_date, hrc_session):
        attached = [a for a in activities if a.kind == milestone.kind]
        held = any(a.stage == "HELD" for a in attached)
        planned = any(a.stage in ("UPCOMING", "ONGOING") for a in attached)
        found.append(
            Milestone(
                kind=milestone.kind,
                date=milestone.day,
                approximate=milestone.approximate,
                hrc_session=milestone.hrc_session,
                status=timeline.status(milestone, held, planned, today),
                activities=attached,
            )
        )
    return found
