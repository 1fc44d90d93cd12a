"""Filter arguments shared by several lists, checked against the reference data."""

from __future__ import annotations

from schema.errors import BadUserInput
from schema.reference.cache import ReferenceData


def state_code(reference: ReferenceData, code: str) -> str:
    """The alpha-3 code of a state given by alpha-3 or alpha-2 code, in any case."""
    state = reference.state(code)
    if state is None:
        raise BadUserInput("Unknown state code.")
    return state.code


def sessions_of_cycle(reference: ReferenceData, cycle: int) -> list[int]:
    found = reference.cycles.get(cycle)
    if found is None:
        raise BadUserInput("Unknown cycle.")
    return [session.number for session in found.sessions]


def session_number(reference: ReferenceData, session: int) -> int:
    if session not in reference.sessions:
        raise BadUserInput("Unknown session.")
    return session
