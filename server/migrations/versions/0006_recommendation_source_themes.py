"""OHCHR's own themes of a recommendation, as published (UHRI imports)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A table of its own: `recommendations` is not altered, so SQLite's FTS5 triggers
    # on it (migration 0004) stay as they are.
    op.create_table(
        "recommendation_source_themes",
        sa.Column("recommendation_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_recommendation_source_themes_recommendation_id_recommendations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "recommendation_id", "name", name=op.f("pk_recommendation_source_themes")
        ),
    )
    op.create_index(
        "ix_recommendation_source_themes_name",
        "recommendation_source_themes",
        ["name", "recommendation_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_recommendation_source_themes_name", table_name="recommendation_source_themes")
    op.drop_table("recommendation_source_themes")
