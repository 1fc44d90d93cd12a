"""GraphQL types of engagements and assessments: rows of one organisation's follow-up
work, each shown with that organisation (its owner).

An owner named on a row the viewer may see is shown with the row, whatever the
directory would show: its columns are joined to the row (`schema.followup.loaders`),
so only owners of visible rows are ever read this way.
"""

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from sqlalchemy import Row, RowMapping
from strawberry.types import Info

from schema.coalitions.queries import coalitions_by_id
from schema.coalitions.types import Coalition
from schema.context import Context
from schema.followup.common import EngagementRoleEnum, ImplementationStatusEnum, VisibilityEnum
from schema.organisations.types import Organisation, owner_of
from schema.relay import Node, to_global_id

if TYPE_CHECKING:
    from schema.recommendations.types import Recommendation


@strawberry.type
class FollowUp(Node):
    """What engagements and assessments share (not a GraphQL type of its own)."""

    key: strawberry.Private[uuid.UUID]
    recommendation_key: strawberry.Private[uuid.UUID]
    coalition_key: strawberry.Private[uuid.UUID | None]
    organisation: Organisation | None = strawberry.field(
        description="The organisation that recorded it; null where the directory hides it "
        "from you (it has no public profile)."
    )
    visibility: VisibilityEnum  # type: ignore[valid-type]
    version: int = strawberry.field(description="Give it back to change this row.")
    created_at: dt.datetime
    updated_at: dt.datetime

    @strawberry.field
    async def recommendation(
        self, info: Info[Context, None]
    ) -> Annotated["Recommendation", strawberry.lazy("schema.recommendations.types")]:
        from schema.recommendations.types import recommendations_by_id

        found: Recommendation = await info.context.loader(recommendations_by_id).load(
            self.recommendation_key
        )
        return found

    @strawberry.field(
        description="COALITION visibility: the coalition it is shared with, if you are in it."
    )
    async def coalition(self, info: Info[Context, None]) -> Coalition | None:
        if self.coalition_key is None:
            return None
        found: Coalition | None = await info.context.loader(coalitions_by_id).load(
            self.coalition_key
        )
        return found

    @staticmethod
    def shared_fields(type_name: str, columns: RowMapping, context: Context) -> dict[str, Any]:
        return {
            "id": to_global_id(type_name, columns["row_id"]),
            "key": columns["row_id"],
            "recommendation_key": columns["recommendation_id"],
            "coalition_key": columns["coalition_id"],
            "organisation": owner_of(columns, context),
            "visibility": columns["visibility"],
            "version": columns["version"],
            "created_at": columns["created_at"],
            "updated_at": columns["updated_at"],
        }


@strawberry.type(description="An organisation follows up a recommendation.")
class Engagement(FollowUp):
    role: EngagementRoleEnum  # type: ignore[valid-type]
    note: str | None

    @classmethod
    def from_row(cls, row: Row[Any], context: Context) -> "Engagement":
        columns = row._mapping
        return cls(
            **cls.shared_fields("Engagement", columns, context),
            role=columns["role"],
            note=columns["note"],
        )


@strawberry.type(
    description="One organisation's assessment of how far a recommendation is implemented, "
    "at a date. Every assessment is kept; partners may disagree."
)
class Assessment(FollowUp):
    status: ImplementationStatusEnum  # type: ignore[valid-type]
    assessed_on: dt.date = strawberry.field(description="The day the status was observed.")
    evidence: str | None
    source_url: str | None = strawberry.field(description="Where the evidence is published.")

    @classmethod
    def from_row(cls, row: Row[Any], context: Context) -> "Assessment":
        columns = row._mapping
        return cls(
            **cls.shared_fields("Assessment", columns, context),
            status=columns["status"],
            assessed_on=columns["assessed_on"],
            evidence=columns["evidence"],
            source_url=columns["source_url"],
        )
