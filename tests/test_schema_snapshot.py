"""The GraphQL schema, printed and committed, so every API change shows in review.

After an intended change: UPRIGHT_UPDATE_SNAPSHOT=1 pytest tests/test_schema_snapshot.py
"""

from __future__ import annotations

import os
from pathlib import Path

from schema import build_schema

SNAPSHOT = Path(__file__).parent / "snapshots" / "schema.graphql"


def test_schema_matches_the_committed_snapshot() -> None:
    printed = build_schema().as_str() + "\n"
    if os.environ.get("UPRIGHT_UPDATE_SNAPSHOT") == "1":
        SNAPSHOT.write_text(printed)
    assert printed == SNAPSHOT.read_text(), "schema changed: review it, then update the snapshot"
