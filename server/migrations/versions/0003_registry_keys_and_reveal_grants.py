"""registry keys and reveal grants

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "organisation_keys",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=False),
        sa.Column("kek_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_organisation_keys_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation_keys")),
        sa.UniqueConstraint(
            "organisation_id",
            "generation",
            name=op.f("uq_organisation_keys_organisation_id_generation"),
        ),
    )
    with op.batch_alter_table("organisation_keys", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_organisation_keys_kek_version"), ["kek_version"], unique=False
        )

    op.create_table(
        "reveal_grants",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("granted_by_user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["granted_by_user_id"],
            ["users.id"],
            name=op.f("fk_reveal_grants_granted_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_reveal_grants_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_reveal_grants_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reveal_grants")),
    )
    with op.batch_alter_table("reveal_grants", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reveal_grants_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_reveal_grants_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("key_checks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("destroyed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("key_checks", schema=None) as batch_op:
        batch_op.drop_column("destroyed_at")
        batch_op.drop_column("retired_at")

    with op.batch_alter_table("reveal_grants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reveal_grants_user_id"))
        batch_op.drop_index(batch_op.f("ix_reveal_grants_organisation_id"))

    op.drop_table("reveal_grants")
    with op.batch_alter_table("organisation_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisation_keys_kek_version"))

    op.drop_table("organisation_keys")
