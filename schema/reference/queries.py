"""Queries over reference data: states and the vocabularies."""

from __future__ import annotations

from collections.abc import Sequence

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from schema.context import Context
from schema.node import register_node
from schema.pagination import Ordering, PageArgs, SortKey, paginate
from schema.reference.types import AffectedPerson, Cycle, RegionalGroupEnum, SdgGoal, State, Theme
from schema.relay import After, Before, Connection, First, Last
from schema.tables.reference import RegionalGroup
from schema.tables.reference import State as StateTable

_states = StateTable.__table__.c
STATES_BY_NAME = Ordering("states:name", (SortKey(_states.name, str), SortKey(_states.code, str)))


@strawberry.input(description="Narrows a list of states; every field given must match.")
class StateFilter:
    regional_group: RegionalGroupEnum | None = None  # type: ignore[valid-type]
    un_member: bool | None = None


async def _states_by_code(context: Context, codes: list[str]) -> Sequence[State | None]:
    return [context.reference.states.get(code) for code in codes]


register_node("State", _states_by_code)


@strawberry.type
class ReferenceQuery:
    @strawberry.field(description="States, ordered by their UN name.")
    async def states(
        self,
        info: Info[Context, None],
        filter: StateFilter | None = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[State]:
        context = info.context
        query = select(_states.code, _states.name)
        if filter is not None and filter.regional_group is not None:
            query = query.where(_states.regional_group == RegionalGroup(filter.regional_group))
        if filter is not None and filter.un_member is not None:
            query = query.where(_states.un_member == filter.un_member)
        return await paginate(
            context,
            query,
            STATES_BY_NAME,
            PageArgs(first, after, last, before),
            lambda row: context.reference.states[row.code],
        )

    @strawberry.field(description="A state by its ISO 3166-1 alpha-3 or alpha-2 code.")
    def state(self, info: Info[Context, None], code: str) -> State | None:
        return info.context.reference.state(code)

    @strawberry.field(description="The 54 UPR themes, by name.")
    def themes(self, info: Info[Context, None]) -> list[Theme]:
        return list(info.context.reference.themes.values())

    @strawberry.field(description="OHCHR's list of affected persons, by name.")
    def affected_persons(self, info: Info[Context, None]) -> list[AffectedPerson]:
        return list(info.context.reference.affected_persons.values())

    @strawberry.field(description="The 17 Sustainable Development Goals.")
    def sdg_goals(self, info: Info[Context, None]) -> list[SdgGoal]:
        return list(info.context.reference.sdg_goals.values())

    @strawberry.field(description="The UPR cycles with their Working Group sessions.")
    def cycles(self, info: Info[Context, None]) -> list[Cycle]:
        return list(info.context.reference.cycles.values())
