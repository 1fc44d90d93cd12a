"""activities by the country they take place in; assessments without a status index

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # `activities(filter: {state})` matches activities without a review by their country.
    op.create_index("ix_activities_country_code", "activities", ["country_code"])
    # Status is asked per recommendation (ix_assessments_latest); with its own index,
    # SQLite scanned every assessment of a status once per recommendation.
    op.drop_index("ix_assessments_status", table_name="assessments")


def downgrade() -> None:
    op.create_index("ix_assessments_status", "assessments", ["status"])
    op.drop_index("ix_activities_country_code", table_name="activities")
