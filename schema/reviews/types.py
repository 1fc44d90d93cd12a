"""GraphQL types of reviews."""

import datetime as dt
import uuid
from typing import Any

import strawberry
from sqlalchemy import Row
from strawberry.types import Info

from schema.context import Context
from schema.reference.cache import ReferenceData
from schema.reference.types import Session, State
from schema.relay import Node, to_global_id
from schema.reviews.milestones import Milestone, build_timeline
from schema.tables.reviews import Review as ReviewTable

REVIEW_COLUMNS = (
    ReviewTable.__table__.c.id,
    ReviewTable.__table__.c.state_code,
    ReviewTable.__table__.c.session_number,
    ReviewTable.__table__.c.review_date,
    ReviewTable.__table__.c.adoption_date,
    ReviewTable.__table__.c.hrc_session,
    ReviewTable.__table__.c.report_symbol,
)


@strawberry.type(description="One state's review at one Working Group session.")
class Review(Node):
    key: strawberry.Private[uuid.UUID]
    state: State = strawberry.field(description="The state under review.")
    session: Session
    review_date: dt.date = strawberry.field(description="The day of the review itself.")
    adoption_date: dt.date | None = strawberry.field(
        description="When the Human Rights Council adopted the outcome."
    )
    hrc_session: int | None = strawberry.field(description="The Council session adopting it.")
    report_symbol: str | None = strawberry.field(
        description='The Working Group report, e.g. "A/HRC/44/12".'
    )

    @strawberry.field(description="The UPR cycle of the review.")
    def cycle(self) -> int:
        return self.session.cycle

    @strawberry.field(
        description="The follow-up milestones, dated from the review's own date, each with "
        "its status today and the activities you may see for it."
    )
    async def timeline(self, info: Info[Context, None]) -> list[Milestone]:
        # An activity shows its review, so the activities module imports this one.
        from schema.activities.types import Activity, timeline_activities, today

        context = info.context
        activities: list[Activity] = await context.loader(timeline_activities).load(self.key)
        return build_timeline(
            self.review_date, self.adoption_date, self.hrc_session, activities, today(context)
        )

    @classmethod
    def from_row(cls, row: Row[Any], reference: ReferenceData) -> "Review":
        columns = row._mapping
        return cls(
            id=to_global_id("Review", columns["id"]),
            key=columns["id"],
            state=reference.states[columns["state_code"]],
            session=reference.sessions[columns["session_number"]],
            review_date=columns["review_date"],
            adoption_date=columns["adoption_date"],
            hrc_session=columns["hrc_session"],
            report_symbol=columns["report_symbol"],
        )
