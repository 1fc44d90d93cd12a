"""Batch loads of reviews."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select

from schema.batch import fetch_by_keys
from schema.context import Context
from schema.reviews.types import REVIEW_COLUMNS, Review
from schema.tables.reviews import Review as ReviewTable


async def reviews_by_id(context: Context, keys: list[uuid.UUID]) -> Sequence[Review | None]:
    """Reviews are public UN data: no policy filter applies."""
    return await fetch_by_keys(
        context,
        select(*REVIEW_COLUMNS),
        ReviewTable.__table__.c.id,
        keys,
        lambda row: Review.from_row(row, context.reference),
    )
