"""Statements for activities and pledges, under the policy: every one reads the rows
the viewer may see only, and batches many activities into one statement.

Each row is joined to its owner. An organisation named on a row the viewer may see
(owner, organiser, pledger) is shown with the row, whatever the directory would show.
The row's own columns are labelled where they would clash with the organisation's
(`row_id`, `activity_kind`, `place_code`), so `Organisation.from_row` reads the row.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, and_, func, or_, select

from schema.batch import position
from schema.context import Context
from schema.organisations.types import ORGANISATION_COLUMNS
from schema.recommendations.loaders import recommendation_select
from schema.tables.followup import Activity, FundingPledge, activity_organisers
from schema.tables.followup import activity_recommendations as _links
from schema.tables.organisations import Organisation
from schema.tables.recommendations import Recommendation
from security.policy import Viewer, child_visible, directory_visible, visible

activities = Activity.__table__
pledges = FundingPledge.__table__
_a, _p = activities.c, pledges.c
_organisations = Organisation.__table__

ACTIVITY_KEY = _a.id.label("row_id")
PLEDGE_KEY = _p.id.label("row_id")


def activity_select() -> Select[Any]:
    """An activity and its owner: filter it with `visible` (or the writer's view)."""
    return select(
        *ORGANISATION_COLUMNS,
        ACTIVITY_KEY,
        _a.kind.label("activity_kind"),
        _a.title,
        _a.description,
        _a.review_id,
        _a.starts_on,
        _a.ends_on,
        _a.city,
        _a.country_code.label("place_code"),
        _a.budget_minor,
        _a.currency,
        _a.cancelled_at,
        _a.visibility,
        _a.coalition_id,
        _a.version,
        _a.created_at,
        _a.updated_at,
    ).select_from(activities.join(_organisations, _organisations.c.id == _a.owner_organisation_id))


def pledge_select() -> Select[Any]:
    """A pledge and its pledger: filter it with `pledge_visible` (or the writer's view)."""
    return select(
        *ORGANISATION_COLUMNS,
        PLEDGE_KEY,
        _p.activity_id,
        _p.amount_minor,
        _p.currency,
        _p.status,
        _p.visibility,
        _p.coalition_id,
        _p.version,
        _p.created_at,
        _p.updated_at,
    ).select_from(
        pledges.join(activities, _a.id == _p.activity_id).join(
            _organisations, _organisations.c.id == _p.owner_organisation_id
        )
    )


def pledge_visible(viewer: Viewer) -> ColumnElement[bool]:
    """A pledge is never more visible than its activity: the viewer must see both."""
    return child_visible(_p, _a, viewer)


def last_day() -> ColumnElement[dt.date]:
    return func.coalesce(_a.ends_on, _a.starts_on)


def covered(viewer: Viewer) -> ColumnElement[int]:
    """What the pledges the viewer may see give an activity, in its own currency (no
    exchange rates here: a pledge in another currency does not count)."""
    return func.coalesce(
        select(func.sum(_p.amount_minor))
        .where(_p.activity_id == _a.id, _p.currency == _a.currency, child_visible(_p, _a, viewer))
        .scalar_subquery(),
        0,
    )


def not_yet_funded(viewer: Viewer, wanted: bool) -> ColumnElement[bool]:
    """Activities with a budget that the visible pledges do not cover (or, not
    `wanted`, do cover). Activities without a budget are neither."""
    gap = covered(viewer) < _a.budget_minor
    return and_(_a.budget_minor.is_not(None), gap if wanted else ~gap)


def writable(viewer: Viewer, author: uuid.UUID) -> ColumnElement[bool]:
    """The activities a writer looks up: its own, and those it may read."""
    return or_(_a.owner_organisation_id == author, visible(_a, viewer))


def pledge_writable(viewer: Viewer, author: uuid.UUID) -> ColumnElement[bool]:
    """The pledges a writer looks up: its own or readable, on an activity it may look up."""
    mine_or_visible = or_(_p.owner_organisation_id == author, visible(_p, viewer))
    return and_(writable(viewer, author), mine_or_visible)


async def organiser_rows(context: Context, keys: list[uuid.UUID]) -> dict[Any, list[Row[Any]]]:
    link = activity_organisers.c
    rows = await context.fetch_all(
        select(*ORGANISATION_COLUMNS, link.activity_id)
        .join(activity_organisers, link.organisation_id == _organisations.c.id)
        # Named where the directory lets the reader see them, at read time: an organiser
        # that later hides its profile, or leaves the coalition, is no longer named.
        .where(link.activity_id.in_(keys), directory_visible(_organisations.c, context.viewer))
        .order_by(_organisations.c.name, _organisations.c.id)
    )
    return _grouped(rows, "activity_id")


async def recommendation_rows(context: Context, keys: list[uuid.UUID]) -> dict[Any, list[Row[Any]]]:
    """Recommendations are public UN data: the activity's visibility is what counts."""
    link = _links.c
    rows = await context.fetch_all(
        recommendation_select()
        .add_columns(link.activity_id)
        .join(_links, link.recommendation_id == Recommendation.__table__.c.id)
        .where(link.activity_id.in_(keys))
        .order_by(link.recommendation_id)
    )
    return _grouped(rows, "activity_id")


async def pledge_rows(context: Context, keys: list[uuid.UUID]) -> dict[Any, list[Row[Any]]]:
    rows = await context.fetch_all(
        pledge_select()
        .where(_p.activity_id.in_(keys), pledge_visible(context.viewer))
        .order_by(_p.id)  # ids are time-ordered: the order they were pledged
    )
    return _grouped(rows, "activity_id")


def _grouped(rows: Sequence[Row[Any]], column: str) -> dict[Any, list[Row[Any]]]:
    grouped: dict[Any, list[Row[Any]]] = defaultdict(list)
    key = position(rows, column)
    for row in rows:
        grouped[row[key]].append(row)
    return grouped
