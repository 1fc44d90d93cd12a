"""activities by the country they take place in

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


def downgrade() -> None:
    op.drop_index("ix_activities_country_code", table_name="activities")
