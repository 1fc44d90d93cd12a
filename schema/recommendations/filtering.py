"""`RecommendationFilter`: what partners narrow recommendations by, as SQL.

Values within one field are alternatives (any of them); fields are combined (all of
them). Filters on partners' work (implementation status, engagement) look at the rows
the viewer may see only (`schema.followup.derived`), so a filter never tells a viewer
that hidden rows exist. Vocabulary values are checked against the reference data:
an unknown code is BAD_USER_INPUT, not an empty list that looks like an answer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

import strawberry
from sqlalchemy import ColumnElement, Select, Table, exists, false, select

from schema.context import Context
from schema.errors import BadUserInput
from schema.filters import session_number, sessions_of_cycle, state_code
from schema.followup.common import ImplementationStatusEnum
from schema.followup.derived import engaged, has_latest_status
from schema.node import uuid_key
from schema.recommendations.search import search_clause
from schema.recommendations.types import MechanismEnum, ResponseEnum
from schema.reference.types import RegionalGroupEnum
from schema.relay import expect_global_id
from schema.tables.organisations import CoalitionMembership, MembershipStatus
from schema.tables.recommendations import (
    Mechanism,
    Recommendation,
    recommendation_affected_persons,
    recommendation_sdg_goals,
    recommendation_sdg_targets,
    recommendation_themes,
    recommending_states,
)
from schema.tables.recommendations import Response as ResponseValue
from schema.tables.reviews import Review

_recommendations = Recommendation.__table__.c
_reviews = Review.__table__.c
_memberships = CoalitionMembership.__table__.c
_TARGET = re.compile(r"(1[0-7]|[1-9])\.([0-9]{1,2}|[a-z])")
MAX_VALUES = 100
K = TypeVar("K")  # per list field: a filter is a question, not a bulk export


@strawberry.input(
    description="Narrows a list of recommendations: every field given must match; "
    "a list matches any of its values."
)
class RecommendationFilter:
    state: str | None = strawberry.field(
        default=None, description="ISO 3166-1 code of the state under review or concerned."
    )
    states: list[str] | None = strawberry.field(
        default=None, description="Any of these states under review or concerned."
    )
    regional_group: RegionalGroupEnum | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="The regional group of the state under review."
    )
    recommending_state: str | None = strawberry.field(
        default=None, description="One of the states that made it."
    )
    recommending_regional_group: RegionalGroupEnum | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Made by at least one state of this regional group."
    )
    review: strawberry.ID | None = None
    cycle: int | None = None
    session: int | None = None
    mechanism: MechanismEnum | None = None  # type: ignore[valid-type]
    responses: list[ResponseEnum] | None = None  # type: ignore[valid-type]
    action_categories: list[int] | None = strawberry.field(
        default=None, description="Action categories, 1 to 5."
    )
    themes: list[str] | None = strawberry.field(default=None, description="Theme codes.")
    affected_persons: list[str] | None = strawberry.field(
        default=None, description="Affected-persons codes."
    )
    sdg_goals: list[int] | None = strawberry.field(default=None, description="SDG goals, 1 to 17.")
    sdg_targets: list[str] | None = strawberry.field(
        default=None, description='SDG targets, e.g. "16.3".'
    )
    implementation_statuses: list[ImplementationStatusEnum] | None = strawberry.field(  # type: ignore[valid-type]
        default=None,
        description="Some organisation's latest assessment you may see has one of these.",
    )
    engaged_organisation: strawberry.ID | None = strawberry.field(
        default=None, description="This organisation follows it up (an engagement you may see)."
    )
    engaged_coalition: strawberry.ID | None = strawberry.field(
        default=None,
        description="A member of this coalition (one of yours) follows it up, visibly to you.",
    )
    followed_up: bool | None = strawberry.field(
        default=None,
        description="false: nobody follows it up (no engagement you may see); true: someone does.",
    )
    search: str | None = strawberry.field(
        default=None,
        description="Words of the text, all of them, in any form "
        '("ratified" finds "ratify"); case, accents and common words ignored.',
    )


def _values(field: str, values: Sequence[Any] | None) -> list[Any] | None:
    if values is None:
        return None
    if not values or len(values) > MAX_VALUES:
        raise BadUserInput(f"`{field}` takes 1 to {MAX_VALUES} values.")
    return list(dict.fromkeys(values))


def _codes(field: str, values: list[K] | None, known: Mapping[K, Any]) -> list[K] | None:
    checked = _values(field, values)
    if checked is None:
        return None
    unknown = [value for value in checked if value not in known]
    if unknown:
        raise BadUserInput(f"Unknown value in `{field}`.")
    return checked


def _tagged(table: Table, column: str, values: list[Any]) -> ColumnElement[bool]:
    return exists(
        select(table.c.recommendation_id).where(
            table.c.recommendation_id == _recommendations.id, table.c[column].in_(values)
        )
    )


def _coalition_members(context: Context, coalition: strawberry.ID) -> Any:
    """Active members of one of the viewer's coalitions; any other coalition (unknown, or
    not the viewer's) has none, so it answers like one nobody joined."""
    key = uuid_key(expect_global_id(coalition, "Coalition"))
    if key not in context.viewer.coalition_ids:
        return None
    return select(_memberships.organisation_id).where(
        _memberships.coalition_id == key, _memberships.status == MembershipStatus.ACTIVE
    )


def conditions(context: Context, given: RecommendationFilter) -> list[ColumnElement[bool]]:
    """The WHERE clauses of a filter, over `recommendation_select()` (which joins the
    review). Raises BadUserInput on any value that names nothing."""
    return [*_where(context, given), *_tags(context, given), *_work(context, given)]


def _where(context: Context, given: RecommendationFilter) -> list[ColumnElement[bool]]:
    """Where and when: states, regional groups, review, cycle, session, mechanism."""
    reference = context.reference
    where: list[ColumnElement[bool]] = []
    if given.state is not None:
        where.append(_recommendations.state_code == state_code(reference, given.state))
    states = _values("states", given.states)
    if states is not None:
        codes = sorted({state_code(reference, code) for code in states})
        where.append(_recommendations.state_code.in_(codes))
    if given.regional_group is not None:
        where.append(_recommendations.state_code.in_(_group(context, given.regional_group)))
    if given.recommending_state is not None:
        code = state_code(reference, given.recommending_state)
        where.append(_tagged(recommending_states, "state_code", [code]))
    if given.recommending_regional_group is not None:
        group = _group(context, given.recommending_regional_group)
        where.append(_tagged(recommending_states, "state_code", group))
    if given.review is not None:
        review = uuid_key(expect_global_id(given.review, "Review"))
        where.append(_recommendations.review_id == review)
    if given.cycle is not None:
        where.append(_reviews.session_number.in_(sessions_of_cycle(reference, given.cycle)))
    if given.session is not None:
        where.append(_reviews.session_number == session_number(reference, given.session))
    if given.mechanism is not None:
        where.append(_recommendations.mechanism == Mechanism(given.mechanism))
    return where


def _tags(context: Context, given: RecommendationFilter) -> list[ColumnElement[bool]]:
    """What it says: response, action category, themes, affected persons, SDGs."""
    reference = context.reference
    where: list[ColumnElement[bool]] = []
    responses = _values("responses", given.responses)
    if responses is not None:
        where.append(_recommendations.response.in_([ResponseValue(r) for r in responses]))
    categories = _values("actionCategories", given.action_categories)
    if categories is not None:
        if any(not 1 <= category <= 5 for category in categories):
            raise BadUserInput("Action categories are 1 to 5.")
        where.append(_recommendations.action_category.in_(categories))
    themes = _codes("themes", given.themes, reference.themes)
    if themes is not None:
        where.append(_tagged(recommendation_themes, "theme_code", themes))
    affected = _codes("affectedPersons", given.affected_persons, reference.affected_persons)
    if affected is not None:
        where.append(_tagged(recommendation_affected_persons, "affected_person_code", affected))
    goals = _codes("sdgGoals", given.sdg_goals, reference.sdg_goals)
    if goals is not None:
        where.append(_tagged(recommendation_sdg_goals, "goal_number", goals))
    targets = _values("sdgTargets", given.sdg_targets)
    if targets is not None:
        if not all(_TARGET.fullmatch(target) for target in targets):
            raise BadUserInput('SDG targets look like "16.3" or "16.a".')
        where.append(_tagged(recommendation_sdg_targets, "target_code", targets))
    if given.search is not None:
        where.append(search_clause(context.engine.dialect.name, given.search))
    return where


def _work(context: Context, given: RecommendationFilter) -> list[ColumnElement[bool]]:
    """The partners' work, over the rows the viewer may see: status, engagement."""
    viewer = context.viewer
    where: list[ColumnElement[bool]] = []
    statuses = _values("implementationStatuses", given.implementation_statuses)
    if statuses is not None:
        values = [status.value for status in statuses]
        where.append(has_latest_status(_recommendations.id, values, viewer))
    if given.engaged_organisation is not None:
        organisation = uuid_key(expect_global_id(given.engaged_organisation, "Organisation"))
        where.append(engaged(_recommendations.id, viewer, [organisation]))
    if given.engaged_coalition is not None:
        members = _coalition_members(context, given.engaged_coalition)
        where.append(false() if members is None else engaged(_recommendations.id, viewer, members))
    if given.followed_up is not None:
        someone = engaged(_recommendations.id, viewer)
        where.append(someone if given.followed_up else ~someone)
    return where


def _group(context: Context, group: Any) -> list[str]:
    return sorted(
        state.code
        for state in context.reference.states.values()
        if state.regional_group is not None and state.regional_group.value == group.value
    )


def apply_filter(
    query: Select[Any], context: Context, given: RecommendationFilter | None
) -> Select[Any]:
    if given is None:
        return query
    return query.where(*conditions(context, given))
