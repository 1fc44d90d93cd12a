"""The same recommendation made again in another cycle.

States repeat recommendations from cycle to cycle with small changes of wording
("Ratify …" becomes "Consider ratifying …"). Two UPR recommendations to the same state
in different cycles are related when their search tokens (stemmed, without common
words) overlap enough: a Jaccard similarity of at least `SIMILARITY`.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import Row, select

from schema.context import Context
from schema.recommendations.loaders import recommendation_select
from schema.tables.recommendations import Mechanism, Recommendation

SIMILARITY = 0.6
_recommendations = Recommendation.__table__.c


def similarity(first: frozenset[str], second: frozenset[str]) -> float:
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)


async def related_rows(context: Context, keys: list[uuid.UUID]) -> list[list[Row[Any]]]:
    """For each key, the rows of its related recommendations, oldest session first: one
    statement for the batch (every UPR recommendation to the states of the keys)."""
    states = select(_recommendations.state_code).where(_recommendations.id.in_(keys))
    rows = await context.fetch_all(
        recommendation_select()
        .add_columns(_recommendations.search_tokens)
        .where(
            _recommendations.state_code.in_(states),
            _recommendations.mechanism == Mechanism.UPR,
        )
    )
    cycle_of = {number: session.cycle for number, session in context.reference.sessions.items()}
    by_state: dict[str, list[tuple[Row[Any], frozenset[str], int]]] = defaultdict(list)
    own: dict[uuid.UUID, tuple[Row[Any], frozenset[str], int]] = {}
    for row in rows:
        entry = (row, frozenset(row.search_tokens.split()), cycle_of[row.session_number])
        by_state[row.state_code].append(entry)
        own[row.id] = entry
    related: list[list[Row[Any]]] = []
    for key in keys:
        if key not in own:
            related.append([])
            continue
        row, tokens, cycle = own[key]
        matches = [
            other
            for other, other_tokens, other_cycle in by_state[row.state_code]
            if other_cycle != cycle and similarity(tokens, other_tokens) >= SIMILARITY
        ]
        related.append(sorted(matches, key=lambda r: (r.session_number, r.id)))
    return related
