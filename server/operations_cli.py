"""`upright operations register FILES.graphql`: the documents clients may run by hash.

Each file is one document, registered exactly as written (clients hash the text they
send, so the file is what the client build ships). A document must validate against
the schema: a typo is refused here, not found by a user in production. Registering is
idempotent. With `UPRIGHT_PERSISTED_ONLY=true` the registered documents are the only
ones the server runs.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import select

from schema.db import utcnow
from server.database import create_engine, first_line, safe_url


def register(app: typer.Typer) -> None:
    """Adds `upright operations register` and `upright operations list`."""
    operations_app = typer.Typer(
        help="Persisted GraphQL operations (the allow-list).", no_args_is_help=True
    )
    operations_app.command("register")(register_command)
    operations_app.command("list")(list_command)
    app.add_typer(operations_app, name="operations")


def register_command(
    files: Annotated[list[Path], typer.Argument(help="GraphQL documents, one per file.")],
) -> None:
    """Register documents so clients may run them by SHA-256 (and, in allow-list mode,
    so they may run at all). Every file is checked before any is registered."""
    from schema import build_schema
    from server.cli import console, fail, load_settings, require_database
    from server.persisted import InvalidOperation, check, register

    schema = build_schema()._schema
    documents = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            fail(f"cannot read {path}: {first_line(error)}; nothing registered", code=2)
        try:
            check(schema, text)
        except InvalidOperation as error:
            fail(f"{path}: {error}; nothing registered", code=2)
        documents.append((path.name, text))
    settings = load_settings()
    require_database(settings, migrated=True)

    async def run() -> list[tuple[str, str, bool]]:
        engine = create_engine(settings)
        try:
            return await register(engine, documents, utcnow())
        finally:
            await engine.dispose()

    try:
        results = asyncio.run(run())
    except Exception as error:  # one line, never a traceback; one transaction
        fail(f"registering into {safe_url(settings.database_url)} failed: {first_line(error)}")
    # Plain lines (no table): a hash must never be cut to fit a terminal.
    for name, sha256, new in results:
        console.print(f"{sha256}  {name}  ({'new' if new else 'already registered'})")


def list_command() -> None:
    """The registered operations: hash, file name, when."""
    from schema.tables.operations import PersistedOperation
    from server.cli import console, fail, load_settings, require_database

    settings = load_settings()
    require_database(settings, migrated=True)
    table_columns = PersistedOperation.__table__.c

    async def run() -> list[tuple[str, str, str]]:
        engine = create_engine(settings)
        try:
            async with engine.connect() as connection:
                rows = await connection.execute(
                    select(
                        table_columns.sha256, table_columns.name, table_columns.registered_at
                    ).order_by(table_columns.registered_at, table_columns.name)
                )
                return [(r.sha256, r.name, r.registered_at.isoformat()) for r in rows]
        finally:
            await engine.dispose()

    try:
        rows = asyncio.run(run())
    except Exception as error:
        fail(f"reading {safe_url(settings.database_url)} failed: {first_line(error)}")
    console.print(f"{len(rows)} registered operation(s)")
    for sha256, name, registered_at in rows:
        console.print(f"{sha256}  {name}  (registered {registered_at})")
