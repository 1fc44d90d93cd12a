"""Reference data held in memory: it changes only with a deployment.

Loaded from the database once per process (on first use), so resolving a state's
name or a theme of a recommendation costs no SQL at all. `upright db upgrade` seeds
it; a server started before a reference change sees the change after a restart.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.reference.types import AffectedPerson, Cycle, SdgGoal, Session, State, Theme
from schema.tables import reference as tables


@dataclass(frozen=True, slots=True)
class ReferenceData:
    states: dict[str, State]
    states_by_alpha2: dict[str, State]
    cycles: dict[int, Cycle]
    sessions: dict[int, Session]
    themes: dict[str, Theme]
    affected_persons: dict[str, AffectedPerson]
    sdg_goals: dict[int, SdgGoal]

    def state(self, code: str) -> State | None:
        """A state by alpha-3 or alpha-2 code, in any case."""
        code = code.strip().upper()
        return self.states.get(code) or self.states_by_alpha2.get(code)


async def load_reference(engine: AsyncEngine) -> ReferenceData:
    async with engine.connect() as connection:
        state_rows = (await connection.execute(select(tables.State.__table__))).all()
        cycle_rows = (await connection.execute(select(tables.Cycle.__table__))).all()
        session_rows = (await connection.execute(select(tables.Session.__table__))).all()
        theme_rows = (await connection.execute(select(tables.Theme.__table__))).all()
        affected_rows = (await connection.execute(select(tables.AffectedPerson.__table__))).all()
        goal_rows = (await connection.execute(select(tables.SdgGoal.__table__))).all()
    states = {
        row.code: State(
            id=State.global_id(row.code),
            code=row.code,
            alpha2=row.alpha2,
            name=row.name,
            official_name=row.official_name,
            un_member=row.un_member,
            un_observer=row.un_observer,
            regional_group=row.regional_group,
        )
        for row in state_rows
    }
    sessions = {
        row.number: Session(number=row.number, cycle=row.cycle_number, starts_on=row.starts_on)
        for row in sorted(session_rows, key=lambda row: row.number)
    }
    cycles = {
        row.number: Cycle(
            number=row.number,
            first_session=row.first_session,
            last_session=row.last_session,
            starts_on=row.starts_on,
            ends_on=row.ends_on,
            sessions=[s for s in sessions.values() if s.cycle == row.number],
        )
        for row in sorted(cycle_rows, key=lambda row: row.number)
    }
    return ReferenceData(
        states=states,
        states_by_alpha2={state.alpha2: state for state in states.values()},
        cycles=cycles,
        sessions=sessions,
        themes={
            row.code: Theme(code=row.code, name=row.name)
            for row in sorted(theme_rows, key=lambda r: r.name)
        },
        affected_persons={
            row.code: AffectedPerson(code=row.code, name=row.name)
            for row in sorted(affected_rows, key=lambda r: r.name)
        },
        sdg_goals={
            row.number: SdgGoal(number=row.number, name=row.name)
            for row in sorted(goal_rows, key=lambda r: r.number)
        },
    )


class ReferenceCache:
    """Loads the reference data once, on first use (the database may be down at start)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._data: ReferenceData | None = None
        self._lock = asyncio.Lock()

    async def get(self) -> ReferenceData:
        if self._data is None:
            async with self._lock:
                if self._data is None:
                    self._data = await load_reference(self._engine)
        return self._data
