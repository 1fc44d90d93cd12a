"""recommendation search

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# The live tokeniser, not a copy: the stored words must be the ones queries look for.
from schema.recommendations.search import search_document

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 1000


def upgrade() -> None:
    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("search_tokens", sa.Text(), server_default="", nullable=False)
        )
    _backfill()
    _create_index()


def downgrade() -> None:
    _drop_index()
    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.drop_column("search_tokens")


def _backfill() -> None:
    """Every existing recommendation's words, a batch at a time in id order."""
    connection = op.get_bind()
    recommendations = sa.table(
        "recommendations", sa.column("id", sa.Uuid()), sa.column("text"), sa.column("search_tokens")
    )
    page = sa.select(recommendations.c.id, recommendations.c.text).order_by(recommendations.c.id)
    store = (
        sa.update(recommendations)
        .where(recommendations.c.id == sa.bindparam("row_id"))
        .values(search_tokens=sa.bindparam("tokens"))
    )
    last = None
    while rows := connection.execute(
        (page if last is None else page.where(recommendations.c.id > last)).limit(_BATCH)
    ).all():
        connection.execute(
            store, [{"row_id": row.id, "tokens": search_document(row.text)} for row in rows]
        )
        last = rows[-1].id


# Autogenerate cannot see these (server.migrate.UNMANAGED_*); the search tests check them.
# On SQLite the triggers keep the FTS5 index in step with `recommendations`, and the index
# refers to rows by rowid: a later batch migration that copies `recommendations` drops
# the triggers and renumbers rows, so it must recreate them and rebuild the index.
def _create_index() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX ix_recommendations_search ON recommendations"
            " USING gin (to_tsvector('simple', search_tokens))"
        )
        return
    op.execute(
        "CREATE VIRTUAL TABLE recommendation_search USING fts5("
        "search_tokens, content='recommendations', content_rowid='rowid',"
        " tokenize='unicode61')"
    )
    op.execute("INSERT INTO recommendation_search(recommendation_search) VALUES ('rebuild')")
    forget = (
        "INSERT INTO recommendation_search(recommendation_search, rowid, search_tokens)"
        " VALUES ('delete', old.rowid, old.search_tokens);"
    )
    index = (
        "INSERT INTO recommendation_search(rowid, search_tokens)"
        " VALUES (new.rowid, new.search_tokens);"
    )
    op.execute(
        f"CREATE TRIGGER recommendation_search_insert AFTER INSERT ON recommendations"
        f" BEGIN {index} END"
    )
    op.execute(
        f"CREATE TRIGGER recommendation_search_delete AFTER DELETE ON recommendations"
        f" BEGIN {forget} END"
    )
    op.execute(
        f"CREATE TRIGGER recommendation_search_update AFTER UPDATE OF search_tokens"
        f" ON recommendations BEGIN {forget} {index} END"
    )


def _drop_index() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_recommendations_search")
        return
    for event in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER recommendation_search_{event}")
    op.execute("DROP TABLE recommendation_search")
