"""The `upright` command: serve, migrate, load the demo."""

from __future__ import annotations

import asyncio
import os
from typing import Annotated, Any, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console

from server.database import (
    DatabaseUnavailable,
    check_connection,
    create_engine,
    first_line,
    safe_url,
)
from server.settings import Settings, describe_errors

app = typer.Typer(
    help="upright: UPR follow-up collaboration platform.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(help="Database schema and reference data.", no_args_is_help=True)
app.add_typer(db_app, name="db")

console = Console(stderr=True, highlight=False)


def fail(message: str, code: int = 1) -> NoReturn:
    console.print(f"[bold red]error:[/] {message}", soft_wrap=True)
    raise typer.Exit(code)


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment; one line per invalid variable, then exit 2."""
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as error:
        fail(describe_errors(error), code=2)


async def _database_state(settings: Settings, create: bool = False) -> str | None:
    """The migration revision of the database; raises DatabaseUnavailable."""
    from server.migrate import current_revision

    engine = create_engine(settings)
    try:
        await check_connection(engine, create=create)
        return await current_revision(engine)
    except Exception as error:  # a misconfigured URL fails in many ways; each is one line
        raise DatabaseUnavailable(settings.database_url, error) from None
    finally:
        await engine.dispose()


def require_database(settings: Settings, migrated: bool) -> None:
    """Exit with one clear line unless the database answers (and, if asked, is current)."""
    from server.migrate import head_revision

    try:
        revision = asyncio.run(_database_state(settings, create=not migrated))
    except DatabaseUnavailable as error:
        fail(str(error))
    if migrated and revision != head_revision():
        fail(
            f"the database at {safe_url(settings.database_url)} is at revision "
            f"{revision or 'none'}, not {head_revision()}: run `upright db upgrade` first"
        )


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on [UPRIGHT_HOST].")] = None,
    port: Annotated[int | None, typer.Option(help="Port [UPRIGHT_PORT].")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes [UPRIGHT_WORKERS].")] = None,
) -> None:
    """Serve the GraphQL API with uvicorn."""
    import uvicorn

    settings = load_settings(host=host, port=port, workers=workers)
    require_database(settings, migrated=True)
    # Workers build their app from the environment: hand them the same settings.
    os.environ.update(
        UPRIGHT_HOST=settings.host,
        UPRIGHT_PORT=str(settings.port),
        UPRIGHT_WORKERS=str(settings.workers),
    )
    mode = "development (GraphiQL on)" if settings.development else "production"
    console.print(
        f"upright: {mode}, database {safe_url(settings.database_url)}, "
        f"http://{settings.host}:{settings.port}/graphql"
    )
    uvicorn.run(
        "server.app:app_from_environment",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        proxy_headers=False,
        server_header=False,
        log_level="info",
    )


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database to the latest schema and seed the reference data."""
    from server.migrate import head_revision, seed, upgrade

    settings = load_settings()
    require_database(settings, migrated=False)

    async def seed_reference() -> dict[str, int]:
        engine = create_engine(settings)
        try:
            return await seed(engine)
        finally:
            await engine.dispose()

    try:
        upgrade(settings.database_url)
        changed = asyncio.run(seed_reference())
    except Exception as error:  # one line, never a traceback; the database rolled back
        fail(f"upgrade of {safe_url(settings.database_url)} failed: {first_line(error)}")
    console.print(
        f"database {safe_url(settings.database_url)} at revision {head_revision()}; "
        f"reference rows added or updated: {sum(changed.values())}"
    )


@db_app.command("current")
def db_current() -> None:
    """Show the database's migration revision and the latest one."""
    from server.migrate import head_revision

    settings = load_settings()
    try:
        revision = asyncio.run(_database_state(settings))
    except DatabaseUnavailable as error:
        fail(str(error))
    typer.echo(f"current: {revision or 'none'}\nlatest:  {head_revision()}")


@app.command()
def demo() -> None:
    """Load the demo dataset into the configured database (an empty or demo one)."""
    settings = load_settings()
    require_database(settings, migrated=True)
    from server.demo.load import DemoRefused, load_demo

    try:
        summary = asyncio.run(load_demo(settings))
    except DemoRefused as error:
        fail(str(error))
    except Exception as error:  # one transaction: nothing of the demo was written
        fail(f"demo not loaded into {safe_url(settings.database_url)}: {first_line(error)}")
    console.print(summary)


def main() -> None:
    app()
