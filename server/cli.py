"""The `upright` command: serve, migrate, load the demo, import public data."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console

from schema.db import utcnow
from security.platform import PlatformKeys
from server.audit_tools import register as register_audit_commands
from server.database import (
    DatabaseUnavailable,
    check_connection,
    create_engine,
    first_line,
    safe_url,
)
from server.export_cli import register as register_export_commands
from server.import_cli import register as register_import_commands
from server.operations_cli import register as register_operations_commands
from server.report_cli import register as register_report_commands
from server.rotation_cli import register as register_rotation_commands
from server.settings import Settings, describe_errors

app = typer.Typer(
    help="upright: UPR follow-up collaboration platform.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(help="Database schema and reference data.", no_args_is_help=True)
app.add_typer(db_app, name="db")

console = Console(stderr=True, highlight=False, soft_wrap=True)


def fail(message: str, code: int = 1) -> NoReturn:
    console.print(f"[bold red]error:[/] {message}")
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


def require_keys(settings: Settings) -> PlatformKeys:
    """The platform keys, or one clear line and exit 1: a missing, unreadable or wrong key
    file (one that does not match the database) stops the server before it starts."""
    from server.keys import KeysRefused, load_keys, open_platform_keys

    async def open_keys() -> PlatformKeys:
        engine = create_engine(settings)
        try:
            return await open_platform_keys(engine, load_keys(settings))
        finally:
            await engine.dispose()

    try:
        return asyncio.run(open_keys())
    except KeysRefused as error:
        fail(str(error))


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on [UPRIGHT_HOST].")] = None,
    port: Annotated[int | None, typer.Option(help="Port [UPRIGHT_PORT].")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes [UPRIGHT_WORKERS].")] = None,
) -> None:
    """Serve the GraphQL API with uvicorn."""
    import uvicorn

    from server.logs import uvicorn_log_config
    from server.settings import LogFormat

    settings = load_settings(host=host, port=port, workers=workers)
    require_database(settings, migrated=True)
    require_keys(settings)
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
        proxy_headers=False,  # ours, from configured proxies only: server.http_security
        server_header=False,
        log_config=uvicorn_log_config(json=settings.log_style is LogFormat.JSON),
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


demo_app = typer.Typer(
    help="The demo dataset (for trying upright; never for real data).",
    invoke_without_command=True,
)
app.add_typer(demo_app, name="demo")
keys_app = typer.Typer(help="Key files.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
admin_app = typer.Typer(help="Platform administration.", no_args_is_help=True)
app.add_typer(admin_app, name="admin")
register_audit_commands(app)
register_import_commands(app)
register_operations_commands(app)
register_export_commands(app)
register_report_commands(app)


@demo_app.callback()
def demo(ctx: typer.Context) -> None:
    """Load the demo dataset into the configured database (an empty or demo one)."""
    if ctx.invoked_subcommand is not None:
        return
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


@demo_app.command("totp")
def demo_totp(email: str) -> None:
    """Print a demo user's current second-factor code (development only)."""
    from server.demo.users import current_code

    settings = load_settings()
    if not settings.development:
        fail("`upright demo totp` works in development only (UPRIGHT_ENV=development)")
    require_database(settings, migrated=True)
    keys = require_keys(settings)

    async def code() -> str | None:
        engine = create_engine(settings)
        try:
            async with engine.connect() as connection:
                return await current_code(connection, keys, email, utcnow())
        finally:
            await engine.dispose()

    found = asyncio.run(code())
    if found is None:
        fail(f"no demo user with a second factor has the email {email}")
    typer.echo(found)


@keys_app.command("init")
def keys_init() -> None:
    """Write a development key file (marked demo: production refuses it), unless one
    exists already."""
    from security.keyring import Keyring, write_keyring

    settings = load_settings()
    path = settings.keys_file
    if path.exists():
        console.print(f"key file {path} kept")
        return
    write_keyring(path, Keyring.generate(demo=True))
    console.print(f"development key file written to {path} (demo keys: refused in production)")


@keys_app.command("generate")
def keys_generate(
    output: Annotated[Path, typer.Option(help="Where to write it (never overwritten).")],
) -> None:
    """Write a production key file with a fresh key for every root. Keep it apart from
    the database and its backups: whoever holds both holds the contacts."""
    from security.keyring import Keyring, KeyringError, write_keyring

    try:
        write_keyring(output, Keyring.generate(demo=False))
    except (KeyringError, OSError) as error:
        fail(f"key file not written: {first_line(error)}")
    console.print(f"production key file written to {output} (mode 0600)")


@admin_app.command("create")
def admin_create(
    email: Annotated[str, typer.Option(help="The administrator's email (their login).")],
    name: Annotated[str, typer.Option(help="The administrator's name.")],
) -> None:
    """Create a platform administrator. The password comes from UPRIGHT_ADMIN_PASSWORD
    or a prompt, never from the command line (it would land in the shell history)."""
    from server.admin import AdminRefused, create_platform_admin

    settings = load_settings()
    require_database(settings, migrated=True)
    keys = require_keys(settings)
    password = os.environ.get("UPRIGHT_ADMIN_PASSWORD") or typer.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )
    try:
        asyncio.run(create_platform_admin(settings, keys, email, name, password))
    except AdminRefused as error:
        fail(str(error))
    console.print(
        f"platform administrator {email} created; they enrol a second factor at first sign-in"
    )


register_rotation_commands(keys_app)  # after init and generate: listed in the order used


def main() -> None:
    app()
