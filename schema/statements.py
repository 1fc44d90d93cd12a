"""Statements built once and run with parameters.

On a page of recommendations, building the SQLAlchemy statements (and their cache keys)
cost more Python time than PostgreSQL took to run them. A statement object built once
is compiled once and its cache key is memoized; each request brings only its values.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BindParameter, bindparam

# The keys of a batch load: `column.in_(KEYS)`, run with `{KEYS.key: keys}`.
KEYS: BindParameter[Any] = bindparam("batch_keys", expanding=True)
