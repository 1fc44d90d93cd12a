"""Batch loads of reviews."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select

from schema.context import Context
from schema.reviews.types import REVIEW_COLUMNS, Review
from schema.tables.reviews import Review as ReviewTable


async def reviews_by_id(context: Context, keys: list[uuid.UUID]) -> Sequence[Review | None]:
    """Reviews are public UN data: no policy filter applies."""
    rows = await context.fetch_all(select(*REVIEW_COLUMNS).where(ReviewTable.id.in_(keys)))
    found = {row.id: Review.from_row(row, context.reference) for row in rows}
    return [found.get(key) for key in keys]
