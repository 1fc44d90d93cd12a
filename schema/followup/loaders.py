"""Batch loads of engagements and assessments under the policy: one statement per
relation whatever the page size, over the rows the viewer may see only."""

from __future__ import annotations

import functools
import uuid
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, FromClause, Row, Select, select

from schema.batch import position
from schema.context import Context
from schema.followup.derived import is_latest_visible
from schema.followup.types import Assessment, Engagement
from schema.node import register_node, uuid_key
from schema.organisations.types import ORGANISATION_COLUMNS
from schema.statements import BATCH_KEYS, in_batch
from schema.tables.followup import Assessment as AssessmentTable
from schema.tables.followup import Engagement as EngagementTable
from schema.tables.followup import ImplementationStatus
from schema.tables.organisations import Organisation as OrganisationTable
from security.policy import PolicyShape, policy_parameters, policy_shape, visible

T = TypeVar("T")

_engagements = EngagementTable.__table__
_assessments = AssessmentTable.__table__
_organisations = OrganisationTable.__table__


def _with_owner(table: FromClause, *columns: ColumnElement[Any]) -> Select[Any]:
    """A row of `table` joined to its owner. The owner's directory columns keep their
    own names, so `Organisation.from_row` reads them; the row's own id is `row_id`."""
    c = table.c
    return select(
        *ORGANISATION_COLUMNS,
        c.id.label("row_id"),
        c.recommendation_id,
        c.visibility,
        c.coalition_id,
        c.created_at,
        c.updated_at,
        c.version,
        *columns,
    ).select_from(table.join(_organisations, _organisations.c.id == c.owner_organisation_id))


def engagement_select() -> Select[Any]:
    c = _engagements.c
    return _with_owner(_engagements, c.role, c.note)


def assessment_select(table: FromClause = _assessments) -> Select[Any]:
    c = table.c
    return _with_owner(table, c.status, c.assessed_on, c.evidence, c.source_url)


async def _by_key(
    context: Context, query: Select[Any], keys: Sequence[uuid.UUID], build: Callable[[Row[Any]], T]
) -> list[T | None]:
    rows = await context.fetch_all(query)
    row_id = position(rows, "row_id")
    found = {row[row_id]: build(row) for row in rows}
    return [found.get(key) for key in keys]


async def _by_recommendation(
    context: Context,
    query: Select[Any],
    keys: Sequence[uuid.UUID],
    build: Callable[[Row[Any]], T],
    parameters: Mapping[str, Any] | None = None,
) -> list[list[T]]:
    """Rows of `query` grouped by recommendation, in the query's order."""
    grouped: dict[uuid.UUID, list[T]] = defaultdict(list)
    rows = await context.fetch_all(query, parameters)
    recommendation = position(rows, "recommendation_id")
    for row in rows:
        grouped[row[recommendation]].append(build(row))
    return [grouped.get(key, []) for key in keys]


async def engagements_by_id(context: Context, keys: list[uuid.UUID]) -> list[Engagement | None]:
    c = _engagements.c
    query = engagement_select().where(c.id.in_(keys), visible(c, context.viewer))
    return await _by_key(context, query, keys, lambda row: Engagement.from_row(row, context))


async def assessments_by_id(context: Context, keys: list[uuid.UUID]) -> list[Assessment | None]:
    c = _assessments.c
    query = assessment_select().where(c.id.in_(keys), visible(c, context.viewer))
    return await _by_key(context, query, keys, lambda row: Assessment.from_row(row, context))


register_node("Engagement", engagements_by_id, uuid_key)
register_node("Assessment", assessments_by_id, uuid_key)


async def engagements_by_recommendation(
    context: Context, keys: list[uuid.UUID]
) -> list[list[Engagement]]:
    """The visible engagements on each recommendation, by organisation name."""
    c = _engagements.c
    query = (
        engagement_select()
        .where(c.recommendation_id.in_(keys), visible(c, context.viewer))
        .order_by(_organisations.c.name, c.id)
    )
    return await _by_recommendation(
        context, query, keys, lambda row: Engagement.from_row(row, context)
    )


async def assessments_by_recommendation(
    context: Context, keys: list[uuid.UUID]
) -> list[list[Assessment]]:
    """The visible assessments of each recommendation, latest first."""
    c = _assessments.c
    query = (
        assessment_select()
        .where(c.recommendation_id.in_(keys), visible(c, context.viewer))
        .order_by(c.assessed_on.desc(), c.created_at.desc(), c.id.desc())
    )
    return await _by_recommendation(
        context, query, keys, lambda row: Assessment.from_row(row, context)
    )


@functools.cache
def _latest_statement(shape: PolicyShape) -> Select[Any]:
    """Built once per policy shape: the hottest statement of a page of recommendations."""
    latest = _assessments.alias("assessment")
    return (
        assessment_select(latest)
        .where(in_batch(latest.c.recommendation_id), is_latest_visible(latest, shape))
        .order_by(_organisations.c.name, latest.c.id)
    )


async def latest_assessments_by_recommendation(
    context: Context, keys: list[uuid.UUID]
) -> list[list[Assessment]]:
    """Per organisation, its latest assessment the viewer may see; by organisation name."""
    viewer = context.viewer
    return await _by_recommendation(
        context,
        _latest_statement(policy_shape(viewer)),
        keys,
        lambda row: Assessment.from_row(row, context),
        {BATCH_KEYS: keys, **policy_parameters(viewer)},
    )


_STATUS_ORDER = {status: rank for rank, status in enumerate(ImplementationStatus)}


async def implementation_statuses(
    context: Context, keys: list[uuid.UUID]
) -> list[list[ImplementationStatus]]:
    """The distinct statuses among the latest visible assessments of each
    recommendation: more than one means partners disagree."""
    latest = _assessments.alias("assessment")
    rows = await context.fetch_all(
        select(latest.c.recommendation_id, latest.c.status)
        .where(latest.c.recommendation_id.in_(keys), is_latest_visible(latest, context.viewer))
        .distinct()
    )
    grouped: dict[uuid.UUID, list[ImplementationStatus]] = defaultdict(list)
    for row in rows:
        grouped[row.recommendation_id].append(ImplementationStatus(row.status))
    return [sorted(grouped.get(key, []), key=_STATUS_ORDER.__getitem__) for key in keys]
