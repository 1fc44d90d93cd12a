"""`upright audit`: signed checkpoints of the chain heads, and verification of the log.

The hash chains show an edited, deleted or reordered entry; a checkpoint file, kept on
another system than the database, also shows a chain cut short or rebuilt whole. A
checkpoint of a chain that is already broken blesses nothing: the links are checked
on every verification whatever the checkpoints say.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from schema.audit import event_body
from schema.db import utcnow
from schema.tables.accounts import KeyCheck
from schema.tables.audit import AuditEvent
from security.audit_chain import GENESIS, entry_hash
from security.audit_checkpoint import (
    Checkpoint,
    from_json_line,
    sign,
    to_json_line,
    verify_signature,
)
from security.keyring import Keyring, UnknownKeyVersion
from server.database import create_engine, first_line
from server.settings import Settings

# Rows fetched per round trip while streaming: memory stays flat however long the log.
_BATCH = 1000


class WrongAuditKey(Exception):
    """The key file's audit key is not the one this database's checkpoints were made with."""


@dataclass
class AuditReport:
    entries: int = 0
    chains: int = 0
    problems: list[str] = field(default_factory=list)


async def take_checkpoints(
    engine: AsyncEngine, keyring: Keyring, now: dt.datetime
) -> list[Checkpoint]:
    """A signed checkpoint of the head of every chain, all read in one snapshot."""
    if now.tzinfo is None:
        raise ValueError("naive datetime: checkpoints are taken in UTC")
    taken_at = now.astimezone(dt.UTC).isoformat()
    version, key = keyring.audit.primary_key()
    table = AuditEvent.__table__
    heads = (
        select(table.c.chain, func.max(table.c.sequence).label("sequence"))
        .group_by(table.c.chain)
        .subquery()
    )
    query = (
        select(table.c.chain, table.c.sequence, table.c.entry_hash)
        .join(heads, and_(table.c.chain == heads.c.chain, table.c.sequence == heads.c.sequence))
        .order_by(table.c.chain)
    )
    async with engine.connect() as connection:
        await _refuse_wrong_key(connection, keyring)
        rows = await connection.execute(query)
        return [
            sign(key, version, row.chain, row.sequence, row.entry_hash, taken_at) for row in rows
        ]


async def verify(
    engine: AsyncEngine, keyring: Keyring, checkpoints: Sequence[Checkpoint]
) -> list[str]:
    """The problems found, one sentence each (the first break of each chain); [] if intact."""
    return (await check(engine, keyring, checkpoints)).problems


async def check(
    engine: AsyncEngine, keyring: Keyring, checkpoints: Sequence[Checkpoint]
) -> AuditReport:
    """Like `verify`, with the counts of what was checked."""
    report = AuditReport()
    problems: dict[str, list[str]] = defaultdict(list)
    trusted: dict[str, list[Checkpoint]] = defaultdict(list)
    for checkpoint in checkpoints:
        problem = _signature_problem(keyring, checkpoint)
        if problem is None:
            trusted[checkpoint.chain].append(checkpoint)
        else:
            problems[checkpoint.chain].append(problem)
    table = AuditEvent.__table__
    query = (
        select(*(column for column in table.c if column.name != "id"))
        .order_by(table.c.chain, table.c.sequence)
        .execution_options(yield_per=_BATCH)
    )
    walks: list[_ChainWalk] = []
    async with engine.connect() as connection:
        await _refuse_wrong_key(connection, keyring)
        walk: _ChainWalk | None = None
        async for row in await connection.stream(query):
            if walk is None or walk.chain != row.chain:
                walk = _ChainWalk(row.chain, trusted.pop(row.chain, []))
                walks.append(walk)  # only the walk's first break is kept, not its rows
            walk.add(row)
            report.entries += 1
    report.chains = len(walks)
    # Checkpoints of chains with no entry left at all: truncated to nothing.
    walks.extend(_ChainWalk(chain, left) for chain, left in trusted.items())
    for each in walks:
        if (problem := each.finish()) is not None:
            problems[each.chain].append(problem)
    report.problems = [problem for chain in sorted(problems) for problem in problems[chain]]
    return report


def _signature_problem(keyring: Keyring, checkpoint: Checkpoint) -> str | None:
    where = (
        f"checkpoint for chain {checkpoint.chain} at entry {checkpoint.sequence} "
        f"(taken {checkpoint.taken_at})"
    )
    try:
        if verify_signature(keyring.audit.key, checkpoint):
            return None
    except UnknownKeyVersion:
        return (
            f"{where} is signed with audit key version {checkpoint.key_version}, "
            "which the key file lacks"
        )
    return f"{where} has a bad signature"


async def _refuse_wrong_key(connection: AsyncConnection, keyring: Keyring) -> None:
    """Read-only: a key file that does not match the database would sign checkpoints no
    verification accepts, or call every good checkpoint forged."""
    ours = keyring.audit.check_values()
    table = KeyCheck.__table__
    stored = await connection.execute(
        select(table.c.version, table.c.check_value).where(table.c.root == "audit")
    )
    for version, check_value in stored:
        if version in ours and ours[version] != check_value:
            raise WrongAuditKey(
                f"the key file does not match this database (audit version {version}): "
                "wrong key file?"
            )


class _ChainWalk:
    """One chain in sequence order, keeping its first break only: after a break, every
    later entry would be reported too, and the first one is what an investigator needs."""

    def __init__(self, chain: str, checkpoints: list[Checkpoint]) -> None:
        self.chain = chain
        # Names come from the database: one written by an attacker must not drive a terminal.
        self._label = chain if chain.isascii() and chain.isprintable() else ascii(chain)
        self._checkpoints = sorted(checkpoints, key=lambda checkpoint: checkpoint.sequence)
        self._next_checkpoint = 0
        self._sequence = 0
        self._previous_hash = GENESIS
        self._problem: str | None = None

    def add(self, row: Any) -> None:
        if self._problem is None:
            problem = self._check(row)
            if problem is not None:
                self._problem = f"chain {self._label}: {problem}"

    def finish(self) -> str | None:
        if self._problem is None and self._next_checkpoint < len(self._checkpoints):
            checkpoint = self._checkpoints[self._next_checkpoint]
            end = f"it ends at entry {self._sequence}" if self._sequence else "it has no entries"
            self._problem = f"chain {self._label}: {_mismatch(checkpoint)} ({end})"
        return self._problem

    def _check(self, row: Any) -> str | None:
        sequence: int = row.sequence
        if sequence != self._sequence + 1:
            return _gap(self._sequence, sequence)
        if row.previous_hash != self._previous_hash:
            if sequence == 1:
                return "entry 1 does not start from the genesis hash"
            return (
                f"entry {sequence} does not follow entry {self._sequence} (previous hash differs)"
            )
        if not _hash_matches(row):
            return f"entry {sequence} was altered (its hash does not match its content)"
        self._sequence, self._previous_hash = sequence, row.entry_hash
        while (
            self._next_checkpoint < len(self._checkpoints)
            and self._checkpoints[self._next_checkpoint].sequence == sequence
        ):
            checkpoint = self._checkpoints[self._next_checkpoint]
            self._next_checkpoint += 1
            if checkpoint.entry_hash != row.entry_hash:
                return _mismatch(checkpoint)
        return None


def _gap(last: int, sequence: int) -> str:
    if sequence <= last:
        return f"sequence goes back from {last} to {sequence} (entries out of order)"
    missing = (
        f"entry {last + 1} missing"
        if sequence == last + 2
        else f"entries {last + 1} to {sequence - 1} missing"
    )
    if last == 0:
        return f"sequence starts at {sequence} ({missing})"
    return f"sequence jumps from {last} to {sequence} ({missing})"


def _mismatch(checkpoint: Checkpoint) -> str:
    return (
        f"checkpoint at entry {checkpoint.sequence} (taken {checkpoint.taken_at}) does not "
        "match: the chain was rewritten or truncated"
    )


def _hash_matches(row: Any) -> bool:
    try:
        body = event_body(
            chain=row.chain,
            sequence=row.sequence,
            occurred_at=row.occurred_at,
            actor_user_id=row.actor_user_id,
            actor_organisation_id=row.actor_organisation_id,
            action=row.action,
            subject_type=row.subject_type,
            subject_id=row.subject_id,
            details=row.details,
            sealed_details=row.sealed_details,
        )
        stored: bytes = row.entry_hash
        return entry_hash(row.previous_hash, body) == stored
    except (TypeError, ValueError):  # content that cannot be hashed is not what was hashed
        return False


def register(app: typer.Typer) -> None:
    """Adds `upright audit checkpoint` and `upright audit verify` to the command."""
    audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
    audit_app.command("checkpoint")(checkpoint_command)
    audit_app.command("verify")(verify_command)
    app.add_typer(audit_app, name="audit")


def checkpoint_command(
    output: Annotated[
        Path, typer.Option(help="The checkpoint file to append to (created with mode 0600).")
    ],
) -> None:
    """Append a signed checkpoint of every audit chain head to a file. Ship the file to
    another system than the database and its backups (and run this on a schedule):
    whoever can rewrite the database must not be able to rewrite the checkpoints."""
    from server.cli import console, fail, load_settings, require_database

    settings = load_settings()
    require_database(settings, migrated=True)
    keyring = _load_keys(settings)

    async def take() -> list[Checkpoint]:
        engine = create_engine(settings)
        try:
            return await take_checkpoints(engine, keyring, utcnow())
        finally:
            await engine.dispose()

    try:
        checkpoints = asyncio.run(take())
    except WrongAuditKey as error:
        fail(str(error))
    try:
        _append(output, checkpoints)
    except OSError as error:
        fail(f"checkpoints not written to {output}: {error.strerror or first_line(error)}")
    console.print(
        f"{_count(len(checkpoints), 'checkpoint')} appended to {output}: copy it to another system",
        markup=False,
    )


def verify_command(
    checkpoints: Annotated[
        Path | None, typer.Option(help="A checkpoint file written by `upright audit checkpoint`.")
    ] = None,
) -> None:
    """Check every audit chain, and the chain heads against signed checkpoints; name the
    first break of each chain and exit 1, or say the log is intact."""
    from server.cli import fail, load_settings, require_database

    settings = load_settings()
    require_database(settings, migrated=True)
    keyring = _load_keys(settings)
    problems, loaded = _read_checkpoints(checkpoints) if checkpoints else ([], [])

    async def run() -> AuditReport:
        engine = create_engine(settings)
        try:
            return await check(engine, keyring, loaded)
        finally:
            await engine.dispose()

    try:
        report = asyncio.run(run())
    except WrongAuditKey as error:
        fail(str(error))
    except Exception as error:  # e.g. a row altered past reading: one line, not a traceback
        fail(f"audit not verified: {first_line(error)}")
    problems += report.problems
    for problem in problems:
        typer.echo(problem)
    if problems:
        raise typer.Exit(1)
    summary = (
        f"audit intact: {_count(report.entries, 'entry', 'entries')} "
        f"in {_count(report.chains, 'chain')}"
    )
    if checkpoints is None:
        summary += " (no checkpoints given: a cut-off tail or a rebuilt chain would not show)"
    else:
        summary += f"; {_count(len(loaded), 'checkpoint')} checked"
    typer.echo(summary)


def _count(number: int, one: str, many: str | None = None) -> str:
    return f"{number} {one if number == 1 else many or one + 's'}"


def _load_keys(settings: Settings) -> Keyring:
    from server.cli import fail
    from server.keys import KeysRefused, load_keys

    try:
        return load_keys(settings)
    except KeysRefused as error:
        fail(str(error))


def _append(path: Path, checkpoints: list[Checkpoint]) -> None:
    """Appends in one write, then syncs: a crash leaves whole lines or none."""
    data = "".join(f"{to_json_line(checkpoint)}\n" for checkpoint in checkpoints).encode()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "ab") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())


def _read_checkpoints(path: Path) -> tuple[list[str], list[Checkpoint]]:
    """The checkpoints of a file, and a problem for each line that is not one (the file
    may have been tampered with too)."""
    from server.cli import fail

    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except (OSError, UnicodeDecodeError) as error:
        fail(f"cannot read the checkpoint file {path}: {first_line(error)}")
    problems: list[str] = []
    checkpoints: list[Checkpoint] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            checkpoints.append(from_json_line(line))
        except ValueError as error:
            problems.append(f"checkpoint file {path} line {number} is not a checkpoint: {error}")
    return problems, checkpoints
