"""Values derived from follow-up rows, over the rows the viewer may see only.

"Latest status" is per organisation: its latest assessment *that the viewer may see*.
Deriving over hidden rows would leak them: a visible assessment that stopped counting
as latest would tell the viewer a newer, hidden one exists.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, FromClause, and_, exists, select, tuple_

from schema.tables.followup import Assessment, Engagement
from security.policy import PolicyShape, Viewer, visible

_assessments = Assessment.__table__
_engagements = Engagement.__table__


def latest_order(assessment: FromClause) -> Any:
    """The order "latest" follows: assessment date, then recording time, then id."""
    c = assessment.c
    return tuple_(c.assessed_on, c.created_at, c.id)


def is_latest_visible(assessment: FromClause, viewer: Viewer | PolicyShape) -> ColumnElement[bool]:
    """`assessment` (an alias of the assessments table) is visible and no later visible
    assessment of the same organisation on the same recommendation exists. Answered per
    row from the `ix_assessments_latest` index."""
    later = _assessments.alias("later_assessment")
    newer = exists(
        select(later.c.id).where(
            later.c.recommendation_id == assessment.c.recommendation_id,
            later.c.owner_organisation_id == assessment.c.owner_organisation_id,
            visible(later.c, viewer),
            latest_order(later) > latest_order(assessment),
        )
    )
    return and_(visible(assessment.c, viewer), ~newer)


def has_latest_status(
    recommendation_id: ColumnElement[Any], statuses: list[str], viewer: Viewer
) -> ColumnElement[bool]:
    """Some organisation's latest visible assessment of the recommendation has one of
    `statuses`."""
    latest = _assessments.alias("latest_assessment")
    return exists(
        select(latest.c.id).where(
            latest.c.recommendation_id == recommendation_id,
            latest.c.status.in_(statuses),
            is_latest_visible(latest, viewer),
        )
    )


def engaged(
    recommendation_id: ColumnElement[Any], viewer: Viewer, organisations: Any = None
) -> ColumnElement[bool]:
    """A visible engagement on the recommendation (by one of `organisations`, a list or
    a subquery, if given).
    Its negation is "nobody is following this up", as far as the viewer may know."""
    engagement = _engagements.alias("visible_engagement")
    conditions = [
        engagement.c.recommendation_id == recommendation_id,
        visible(engagement.c, viewer),
    ]
    if organisations is not None:
        conditions.append(engagement.c.owner_organisation_id.in_(organisations))
    return exists(select(engagement.c.id).where(*conditions))
