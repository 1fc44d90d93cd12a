"""the latest-assessment index ends with the id and, on PostgreSQL, covers status,
visibility and coalition: the policy's "no later visible assessment" probe and the
statistics by implementation status read the index alone

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "ix_assessments_latest"
KEYS = ["recommendation_id", "owner_organisation_id", "assessed_on", "created_at"]


def _replace(columns: list[str], include: list[str]) -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.drop_index(NAME, table_name="assessments")
        op.create_index(NAME, "assessments", columns)
        return
    # The new index is built beside the old one, then takes its name: while it builds,
    # writes to assessments wait (0.2 s for 200,000 assessments here) but reads go
    # on through the old one. Dropping first would lock out reads for the whole build.
    # Dropping the old one needs the table to itself for an instant: rather than queue
    # every read behind a long one that holds it, give up after 5 s (run it again).
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.create_index(f"{NAME}_new", "assessments", columns, postgresql_include=include)
    op.drop_index(NAME, table_name="assessments")
    op.execute(f"ALTER INDEX {NAME}_new RENAME TO {NAME}")


def upgrade() -> None:
    _replace([*KEYS, "id"], ["status", "visibility", "coalition_id"])


def downgrade() -> None:
    _replace(KEYS, [])
