"""The root Query: each domain's fields merged into one type."""

from __future__ import annotations

import strawberry
from strawberry.tools import merge_types
from strawberry.types import Info

from schema.accounts.queries import AccountQuery
from schema.activities.queries import ActivityQuery
from schema.auditlog.queries import AuditQuery
from schema.coalitions.queries import CoalitionQuery
from schema.context import Context
from schema.node import resolve_node
from schema.organisations.queries import OrganisationQuery
from schema.recommendations.queries import RecommendationQuery
from schema.reference.queries import ReferenceQuery
from schema.registry.queries import RegistryQuery
from schema.relay import Node
from schema.reports.queries import ReportQuery
from schema.reviews.queries import ReviewQuery


@strawberry.type
class NodeQuery:
    @strawberry.field(description="Any object by its global id; null when you may not see it.")
    async def node(self, info: Info[Context, None], id: strawberry.ID) -> Node | None:
        return await resolve_node(info.context, id)


Query = merge_types(
    "Query",
    (
        NodeQuery,
        AccountQuery,
        ReferenceQuery,
        ReviewQuery,
        RecommendationQuery,
        OrganisationQuery,
        CoalitionQuery,
        RegistryQuery,
        AuditQuery,
        ActivityQuery,
        ReportQuery,
    ),
)
