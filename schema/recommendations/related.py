"""The same recommendation made again in another cycle.

States repeat recommendations from cycle to cycle with small changes of wording
("Ratify …" becomes "Consider ratifying …"). Two UPR recommendations to the same state
in different cycles are related when their search tokens (stemmed, without common
words) overlap enough: a Jaccard similarity of at least `SIMILARITY`.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, select

from schema.context import Context
from schema.recommendations.loaders import recommendation_select
from schema.tables.recommendations import Mechanism, Recommendation
from schema.tables.reviews import Review

SIMILARITY = 0.6
_recommendations = Recommendation.__table__.c


def similarity(first: frozenset[str], second: frozenset[str]) -> float:
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)


async def related_rows(context: Context, keys: list[uuid.UUID]) -> list[list[Row[Any]]]:
    """For each key, the rows of its related recommendations, oldest session first: two
    statements for the batch. The first compares the tokens of every UPR recommendation
    to the states of the keys (ids and tokens only); the second reads the matches."""
    reviews = Review.__table__.c
    states = select(_recommendations.state_code).where(_recommendations.id.in_(keys))
    candidates = await context.fetch_all(
        select(
            _recommendations.id,
            _recommendations.state_code,
            _recommendations.search_tokens,
            reviews.session_number,
        )
        .join(Review.__table__, reviews.id == _recommendations.review_id)
        .where(
            _recommendations.state_code.in_(states),
            _recommendations.mechanism == Mechanism.UPR,
        )
    )
    matches = _matches(context, candidates, keys)
    wanted = sorted({key for found in matches for key in found})
    rows = {}
    if wanted:
        query = recommendation_select().where(_recommendations.id.in_(wanted))
        rows = {row.id: row for row in await context.fetch_all(query)}
    return [
        sorted((rows[key] for key in found), key=lambda r: (r.session_number, r.id))
        for found in matches
    ]


def _matches(
    context: Context, candidates: Sequence[Row[Any]], keys: list[uuid.UUID]
) -> list[list[uuid.UUID]]:
    cycle_of = {number: session.cycle for number, session in context.reference.sessions.items()}
    by_state: dict[str, list[tuple[uuid.UUID, frozenset[str], int]]] = defaultdict(list)
    own: dict[uuid.UUID, tuple[str, frozenset[str], int]] = {}
    for row in candidates:
        tokens, cycle = frozenset(row.search_tokens.split()), cycle_of[row.session_number]
        by_state[row.state_code].append((row.id, tokens, cycle))
        own[row.id] = (row.state_code, tokens, cycle)
    found: list[list[uuid.UUID]] = []
    for key in keys:
        if key not in own:
            found.append([])
            continue
        state, tokens, cycle = own[key]
        found.append(
            [
                other
                for other, other_tokens, other_cycle in by_state[state]
                if other_cycle != cycle and similarity(tokens, other_tokens) >= SIMILARITY
            ]
        )
    return found
