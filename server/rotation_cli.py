"""`upright keys add-version | promote | rotate | status | destroy`: the operator's side of
KEK rotation (server.rotation), with a progress bar and one-line errors, never a traceback."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Coroutine
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from schema.db import utcnow
from security.keyring import ROOTS, Keyring, KeyringError, replace_keyring
from server.database import create_engine, first_line, safe_url
from server.keys import KeysRefused, load_keys
from server.rotation import (
    BATCH_SIZE,
    Rotation,
    RotationRefused,
    VersionStatus,
    destroy_kek_version,
    destroy_refusal,
    key_status,
    pending_count,
    rotate,
)
from server.settings import Settings, describe_errors

T = TypeVar("T")

_console = Console(stderr=True, highlight=False, soft_wrap=True)
Root = Annotated[str, typer.Option("--root", help=f"The key root: {', '.join(ROOTS)}.")]
Version = Annotated[int, typer.Option("--version", min=1, help="The key version.")]


def register(keys_app: typer.Typer) -> None:
    """Adds the rotation commands to `upright keys`."""
    keys_app.command("add-version")(add_version)
    keys_app.command("promote")(promote)
    keys_app.command("rotate")(rotate_command)
    keys_app.command("status")(status_command)
    keys_app.command("destroy")(destroy_command)


def add_version(root: Root) -> None:
    """Phase 1: add a new version of a root to the key file, not yet primary."""
    settings = _settings()
    keyring = _file_keyring(settings, root)
    added = keyring.with_new_version(root)
    _rewrite(settings.keys_file, added)
    version = max(added.roots[root].versions)
    _console.print(
        f"{root} version {version} added to {settings.keys_file}, not primary (version "
        f"{keyring.roots[root].primary} still is). Next: copy this file over the key file of "
        "every replica, restart each one and check it is ready (/readyz); then run "
        f"`upright keys promote --root {root} --version {version}`."
    )


def promote(root: Root, version: Version) -> None:
    """Phase 2: make a version the one new data is written under."""
    settings = _settings()
    keyring = _file_keyring(settings, root)
    if version not in keyring.roots[root].versions:
        _fail(f"{root} version {version} is not in {settings.keys_file}: add it first")
    if keyring.roots[root].primary == version:
        _console.print(f"{root} version {version} is already the primary")
        return
    _rewrite(settings.keys_file, keyring.promoted(root, version))
    then = (
        "then run `upright keys rotate` to replace the keys under older versions"
        if root == "kek"
        else f"older {root} versions stay in the file for what was made under them"
    )
    _console.print(
        f"{root} version {version} is now primary in {settings.keys_file}. Next: copy this "
        f"file to every replica and restart each one; {then}."
    )


def rotate_command(
    batch_size: Annotated[
        int,
        typer.Option(
            min=1, max=10_000, help="Keys (contact, organisation, platform) per transaction."
        ),
    ] = (BATCH_SIZE),
) -> None:
    """Phase 3: replace every organisation key under an older KEK version with a new one
    under the primary, moving its contacts' data keys to it, and re-wrap the platform key
    (safe while servers run; run it again to finish an interrupted run)."""
    settings = _settings()
    keyring = _keys(settings)

    async def run() -> Rotation:
        engine = create_engine(settings)
        try:
            total = await pending_count(engine, keyring.kek.primary)
            columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
            with Progress(*columns, TimeRemainingColumn(), console=_console) as progress:
                task = progress.add_task("rotating keys", total=total)
                return await rotate(
                    engine,
                    keyring,
                    utcnow,
                    batch_size=batch_size,
                    on_batch=lambda count: progress.advance(task, count),
                )
        finally:
            await engine.dispose()

    done = _run(settings, run(), "rotation stopped (what was done stays done; run it again)")
    _console.print(
        f"under kek version {keyring.kek.primary}: {done.made} new organisation keys, "
        f"{done.contacts} contact keys moved to them, {done.deleted} old organisation keys "
        f"deleted, {done.platform_keys} platform keys re-wrapped"
    )
    if done.retired:
        retired = ", ".join(str(version) for version in done.retired)
        _console.print(
            f"retired kek versions: {retired} (`upright keys status` says when each may be "
            "destroyed)"
        )
    if done.unfinished:
        _fail(
            f"{done.conflicts} keys changed meanwhile, {done.unreadable} could not be "
            f"unwrapped and {done.kept} old organisation keys are still used: they stay "
            "under their old version; run `upright keys rotate` again"
        )


def status_command() -> None:
    """Show each root's versions: in the key file, recorded, retired, destroyed, in use."""
    settings = _settings()
    keyring = _keys(settings)
    retention = dt.timedelta(days=settings.backup_retention_days)

    async def run() -> list[VersionStatus]:
        engine = create_engine(settings)
        try:
            async with engine.connect() as connection:
                return await key_status(connection, keyring)
        finally:
            await engine.dispose()

    statuses = _run(settings, run(), "status unavailable")
    now = utcnow()
    output = Console(highlight=False)
    for root in ROOTS:
        output.print(_table(root, [s for s in statuses if s.root == root], now, retention))


def destroy_command(root: Root, version: Version) -> None:
    """Destroy a retired KEK version: backups from its time then decrypt nothing."""
    if root != "kek":
        _fail(f"only kek versions are destroyed; {root} versions stay for what they made")
    settings = _settings()
    keyring = _file_keyring(settings, root)
    retention = dt.timedelta(days=settings.backup_retention_days)

    async def run() -> Keyring:
        engine = create_engine(settings)
        try:
            return await destroy_kek_version(
                engine, settings.keys_file, keyring, version, utcnow(), retention
            )
        finally:
            await engine.dispose()

    _run(settings, run(), f"kek version {version} not destroyed")
    _console.print(
        f"kek version {version} destroyed: removed from {settings.keys_file} and recorded. "
        "Copy this file to every replica and restart each one (a key file still holding "
        f"version {version} is refused), and delete every other copy of the old key file "
        "(secret stores, backups of it): erasure in old backups depends on it."
    )


def _table(
    root: str, statuses: list[VersionStatus], now: dt.datetime, retention: dt.timedelta
) -> Table:
    table = Table(title=f"{root} versions", title_justify="left")
    headings = ["version", "key file", "created", "retired", "destroyed"]
    if root == "kek":
        headings += ["org keys", "platform keys", "destroy"]
    for heading in headings:
        table.add_column(heading)
    for status in statuses:
        cells = [
            str(status.version),
            _in_file(status),
            _day(status.created_at),
            _day(status.retired_at),
            _day(status.destroyed_at),
        ]
        if root == "kek":
            cells += [
                str(status.wraps["organisation_keys"]),
                str(status.wraps["platform_keys"]),
                _destroyable(status, now, retention),
            ]
        table.add_row(*cells)
    return table


def _in_file(status: VersionStatus) -> str:
    if status.matches is False:
        return "WRONG KEY"
    if status.in_file:
        return "primary" if status.primary else "yes"
    return "no" if status.destroyed_at else "MISSING"


def _destroyable(status: VersionStatus, now: dt.datetime, retention: dt.timedelta) -> str:
    if status.destroyed_at is not None:
        return "-"
    if destroy_refusal(status, now, retention) is None:
        return "yes"
    unused = not status.primary and not any(status.wraps.values())
    if unused and status.retired_at is not None:
        return f"after {status.retired_at + retention:%Y-%m-%d %H:%M}"
    return "no"


def _day(moment: dt.datetime | None) -> str:
    return "-" if moment is None else f"{moment:%Y-%m-%d}"


def _fail(message: str, code: int = 1) -> NoReturn:
    _console.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        _fail(describe_errors(error), code=2)


def _keys(settings: Settings) -> Keyring:
    try:
        return load_keys(settings)  # refuses a demo key file in production
    except KeysRefused as error:
        _fail(str(error))


def _file_keyring(settings: Settings, root: str) -> Keyring:
    """The keyring of the key file these commands rewrite."""
    if root not in ROOTS:
        _fail(f"unknown key root {root!r}: one of {', '.join(ROOTS)}")
    if settings.keys is not None:
        _fail("the keys come from UPRIGHT_KEYS: these commands rewrite a key file")
    return _keys(settings)


def _rewrite(path: Path, keyring: Keyring) -> None:
    try:
        replace_keyring(path, keyring)
    except (KeyringError, OSError) as error:
        _fail(f"key file {path} not rewritten: {first_line(error)}")


def _run(settings: Settings, work: Coroutine[Any, Any, T], failed: str) -> T:
    try:
        return asyncio.run(work)
    except (KeysRefused, RotationRefused) as error:
        _fail(str(error))
    except Exception as error:  # one line, never a traceback; each batch committed or not
        _fail(f"{failed} ({safe_url(settings.database_url)}): {first_line(error)}")
