"""Statements built once and run with parameters.

On a page of recommendations, building the SQLAlchemy statements (and their cache keys)
cost more Python time than PostgreSQL took to run them. A statement object built once
is compiled once and its cache key is memoized; each request brings only its values.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement

from security.sql import OneOf

# The keys of a batch load: `in_batch(column)`, run with `{BATCH_KEYS: keys}`.
BATCH_KEYS = "batch_keys"


def in_batch(column: ColumnElement[Any]) -> OneOf:
    """The rows of a batch load: `column` is one of the parameter `BATCH_KEYS`."""
    return OneOf(column, BATCH_KEYS)
