"""the latest-assessment index ends with the id and, on PostgreSQL, covers status and
visibility: the policy's "no later visible assessment" probe and the statistics by
implementation status read the index alone

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

KEYS = ["recommendation_id", "owner_organisation_id", "assessed_on", "created_at"]


def upgrade() -> None:
    # Rebuilt in the migration's transaction: writes to assessments wait for it (about
    # a second per 200,000 assessments here).
    op.drop_index("ix_assessments_latest", table_name="assessments")
    op.create_index(
        "ix_assessments_latest",
        "assessments",
        [*KEYS, "id"],
        postgresql_include=["status", "visibility", "coalition_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_assessments_latest", table_name="assessments")
    op.create_index("ix_assessments_latest", "assessments", KEYS)
