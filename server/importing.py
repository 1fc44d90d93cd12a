"""Importing parsed recommendations: batched, audited (`schema.imports.writing` does
the idempotent writes themselves).

Each batch of recommendations is one transaction holding the recommendations, their
reviews (found or created) and every tag, so no recommendation is ever half-written;
re-running an import adds nothing at all. A dry run does the same work and rolls
each batch back, so its counts are exactly what an import would do.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from schema.audit import PLATFORM_CHAIN, record
from schema.db import utcnow
from schema.imports.parsed import ParsedRecommendation
from schema.imports.writing import Reviews, WriteCounts, search_documents, write_batch

__all__ = ["BATCH_SIZE", "WriteCounts", "record_import", "write_recommendations"]

# Recommendations a batch (measured with bench/import_throughput.py: 2,000 wrote faster
# than 1,000 and 5,000, and a batch holds its transaction no longer than a second).
BATCH_SIZE = 2000


async def write_recommendations(
    engine: AsyncEngine,
    recommendations: Sequence[ParsedRecommendation],
    *,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int], None] | None = None,
    counts: WriteCounts | None = None,
) -> WriteCounts:
    """All recommendations, one transaction per batch; `progress` gets the source rows
    each batch stood for, `counts` (when given) what the committed batches did."""
    counts = counts if counts is not None else WriteCounts()
    # Reviews found or created by committed batches; a dry run commits none.
    reviews: Reviews | None = None if dry_run else {}
    batches = [
        recommendations[start : start + batch_size]
        for start in range(0, len(recommendations), batch_size)
    ]
    loop = asyncio.get_running_loop()
    # The next batch's search documents are computed while the database writes this
    # one: the two sides of an import then work at the same time.
    with ThreadPoolExecutor(1) as ahead:
        upcoming = [loop.run_in_executor(ahead, search_documents, batch) for batch in batches[:1]]
        async with engine.connect() as connection:
            for index, batch in enumerate(batches):
                documents = await upcoming[index]
                if index + 1 < len(batches):
                    upcoming.append(
                        loop.run_in_executor(ahead, search_documents, batches[index + 1])
                    )
                transaction = await connection.begin()
                try:
                    done = await write_batch(
                        connection, batch, reviews=reviews, documents=documents
                    )
                except BaseException:
                    await transaction.rollback()
                    raise
                if dry_run:
                    await transaction.rollback()
                else:
                    await transaction.commit()
                counts.new += done.new
                counts.already_present += done.already_present
                if progress:
                    progress(sum(rec.rows for rec in batch))
    return counts


async def record_import(engine: AsyncEngine, action: str, details: dict[str, Any]) -> None:
    """The run in the platform audit chain: who, which files, counts; no row content."""
    async with engine.begin() as connection:
        await record(connection, PLATFORM_CHAIN, action, utcnow(), details=details)
