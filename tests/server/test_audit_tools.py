"""Audit checkpoints and verification: every kind of tampering is found and named."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
import os
import uuid
from pathlib import Path

import pytest
import typer
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from typer.testing import CliRunner

from schema.audit import PLATFORM_CHAIN, event_body, organisation_chain, record
from schema.tables.audit import AuditEvent
from security.audit_chain import entry_hash
from security.audit_checkpoint import (
    Checkpoint,
    from_json_line,
    sign,
    to_json_line,
    verify_signature,
)
from security.keyring import Keyring, UnknownKeyVersion, load_keyring, write_keyring
from server import audit_tools
from server.audit_tools import WrongAuditKey, check, register, take_checkpoints, verify
from server.database import create_engine, write_transaction
from server.keys import open_platform_keys
from server.settings import Settings
from tests.conftest import run_sync
from tests.tampering import tampering

WHEN = dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC)
LATER = WHEN + dt.timedelta(hours=1)
KEY = bytes(range(32))
HEAD = bytes.fromhex("ab" * 32)
TABLE = AuditEvent.__table__


@pytest.fixture
def keyring(keys_file: Path) -> Keyring:
    return load_keyring(keys_file)


async def _append(engine: AsyncEngine, chain: str, count: int, start: int = 1) -> None:
    for number in range(start, start + count):
        async with write_transaction(engine) as connection:
            await record(connection, chain, "contact.revealed", WHEN, details={"n": number})


def _entry(chain: str, sequence: int) -> object:
    return (TABLE.c.chain == chain) & (TABLE.c.sequence == sequence)


async def _rebuild(connection: AsyncConnection, chain: str, start: int) -> None:
    """Rewrite a chain from entry `start` on, with new content and valid hashes."""
    rows = (
        await connection.execute(
            select(TABLE).where(TABLE.c.chain == chain).order_by(TABLE.c.sequence)
        )
    ).all()
    previous = rows[start - 2].entry_hash if start > 1 else bytes(32)
    for row in rows[start - 1 :]:
        details = {"n": "forged"}
        body = event_body(
            chain=row.chain,
            sequence=row.sequence,
            occurred_at=row.occurred_at,
            actor_user_id=row.actor_user_id,
            actor_organisation_id=row.actor_organisation_id,
            action=row.action,
            subject_type=row.subject_type,
            subject_id=row.subject_id,
            details=details,
            sealed_details=row.sealed_details,
        )
        current = entry_hash(previous, body)
        await connection.execute(
            update(TABLE)
            .where(_entry(chain, row.sequence))
            .values(details=details, previous_hash=previous, entry_hash=current)
        )
        previous = current


# The checkpoint itself (pure).


def test_a_checkpoint_survives_its_json_line_and_verifies() -> None:
    # Given a checkpoint signed with key version 3
    checkpoint = sign(KEY, 3, "platform", 7, HEAD, "2026-11-28T09:00:00+00:00")
    # When it goes through a checkpoint file and back
    line = to_json_line(checkpoint)
    # Then it is one line, unchanged, and its signature holds under version 3's key
    assert "\n" not in line
    assert from_json_line(line) == checkpoint
    assert verify_signature({3: KEY}.__getitem__, from_json_line(line))


@pytest.mark.parametrize(
    "change",
    [
        {"chain": "org:other"},
        {"sequence": 8},
        {"entry_hash": bytes(32)},
        {"taken_at": "2026-11-29T09:00:00+00:00"},
        {"key_version": 4},
    ],
)
def test_changing_any_signed_field_breaks_the_signature(change: dict[str, object]) -> None:
    # Given a signed checkpoint, then one field changed, signature kept
    checkpoint = sign(KEY, 3, "platform", 7, HEAD, "2026-11-28T09:00:00+00:00")
    forged = dataclasses.replace(checkpoint, **change)  # type: ignore[arg-type]
    # Then the signature no longer holds
    assert not verify_signature(lambda _version: KEY, forged)


def test_an_unknown_key_version_is_the_callers_to_report() -> None:
    checkpoint = sign(KEY, 2, "platform", 1, HEAD, "2026-11-28T09:00:00+00:00")
    with pytest.raises(UnknownKeyVersion):
        verify_signature(Keyring.generate(demo=False).audit.key, checkpoint)


def test_only_utc_times_are_signed() -> None:
    for taken_at in ("2026-11-28T09:00:00", "2026-11-28T10:00:00+01:00", "yesterday"):
        with pytest.raises(ValueError, match="time"):
            sign(KEY, 1, "platform", 1, HEAD, taken_at)


_GOOD = json.loads(to_json_line(sign(KEY, 1, "platform", 1, HEAD, "2026-11-28T09:00:00Z")))


@pytest.mark.parametrize(
    "line",
    [
        "",
        "not json",
        "[]",
        json.dumps({**_GOOD, "extra": 1}),
        json.dumps({key: value for key, value in _GOOD.items() if key != "signature"}),
        json.dumps(_GOOD)[:-1] + ',"chain":"platform"}',  # a field twice
        json.dumps({**_GOOD, "format": "upright-audit-checkpoint/0"}),
        json.dumps({**_GOOD, "sequence": True}),
        json.dumps({**_GOOD, "sequence": 0}),
        json.dumps({**_GOOD, "key_version": "1"}),
        json.dumps({**_GOOD, "entry_hash": _GOOD["entry_hash"].upper()}),
        json.dumps({**_GOOD, "entry_hash": "ab" * 31}),
        json.dumps({**_GOOD, "signature": "zz" * 32}),
        json.dumps({**_GOOD, "taken_at": "2026-11-28T09:00:00"}),
        json.dumps({**_GOOD, "chain": "platform\x1b[2J"}),
        json.dumps({**_GOOD, "chain": ""}),
    ],
)
def test_a_malformed_line_is_refused(line: str) -> None:
    with pytest.raises(ValueError, match=r"checkpoint|JSON"):
        from_json_line(line)


# Verification against the database.


async def test_an_intact_log_verifies(
    monkeypatch: pytest.MonkeyPatch, engine: AsyncEngine, keyring: Keyring
) -> None:
    # Given three chains, checkpointed twice as they grow, read back three rows at a time
    monkeypatch.setattr(audit_tools, "_BATCH", 3)  # chains then span fetches
    one, two = organisation_chain(uuid.uuid4()), organisation_chain(uuid.uuid4())
    await _append(engine, one, 3)
    await _append(engine, PLATFORM_CHAIN, 1)
    checkpoints = await take_checkpoints(engine, keyring, WHEN)
    await _append(engine, one, 2, start=4)
    await _append(engine, two, 2)
    checkpoints += await take_checkpoints(engine, keyring, LATER)
    # When the log is verified against them
    report = await check(engine, keyring, checkpoints)
    # Then nothing is wrong, and every entry of every chain was read
    assert report.problems == []
    assert (report.entries, report.chains) == (8, 3)
    assert {(c.chain, c.sequence) for c in checkpoints} == {
        (one, 3),
        (PLATFORM_CHAIN, 1),
        (one, 5),
        (two, 2),
    }
    assert {c.taken_at for c in checkpoints} == {WHEN.isoformat(), LATER.isoformat()}


async def test_an_edited_entry_is_named(
    backend: str, engine: AsyncEngine, keyring: Keyring
) -> None:
    # Given a chain of five entries, and another chain left alone
    chain, other = organisation_chain(uuid.uuid4()), organisation_chain(uuid.uuid4())
    await _append(engine, chain, 5)
    await _append(engine, other, 2)
    # When entry 3's details are changed behind the application's back
    async with tampering(engine, backend) as connection:
        await connection.execute(
            update(TABLE).where(_entry(chain, 3)).values(details={"n": "nothing happened"})
        )
    # Then verification names that entry, and only that
    assert await verify(engine, keyring, []) == [
        f"chain {chain}: entry 3 was altered (its hash does not match its content)"
    ]


async def test_an_edited_and_rehashed_entry_breaks_the_next_link(
    backend: str, engine: AsyncEngine, keyring: Keyring
) -> None:
    # Given a chain of five entries whose entry 3 is rewritten with a fresh, valid hash
    chain = organisation_chain(uuid.uuid4())
    await _append(engine, chain, 5)
    async with tampering(engine, backend) as connection:
        await _rebuild(connection, chain, start=3)
        await connection.execute(
            update(TABLE).where(_entry(chain, 4)).values(previous_hash=bytes.fromhex("00" * 32))
        )
    # Then the first break is entry 4, which no longer follows entry 3
    assert await verify(engine, keyring, []) == [
        f"chain {chain}: entry 4 does not follow entry 3 (previous hash differs)"
    ]


async def test_a_deleted_entry_is_named(
    backend: str, engine: AsyncEngine, keyring: Keyring
) -> None:
    # Given a chain of six entries, of which entry 5 is deleted
    chain = organisation_chain(uuid.uuid4())
    await _append(engine, chain, 6)
    async with tampering(engine, backend) as connection:
        await connection.execute(delete(TABLE).where(_entry(chain, 5)))
    # Then verification names the missing entry
    assert await verify(engine, keyring, []) == [
        f"chain {chain}: sequence jumps from 4 to 6 (entry 5 missing)"
    ]


async def test_a_cut_off_tail_shows_against_a_checkpoint(
    backend: str, engine: AsyncEngine, keyring: Keyring
) -> None:
    # Given a checkpoint of a chain at entry 7, and of another chain at entry 1
    chain, other = organisation_chain(uuid.uuid4()), organisation_chain(uuid.uuid4())
    await _append(engine, chain, 7)
    await _append(engine, other, 1)
    checkpoints = await take_checkpoints(engine, keyring, WHEN)
    # When the last three entries of one and all of the other are deleted
    async with tampering(engine, backend) as connection:
        await connection.execute(
            delete(TABLE).where((TABLE.c.chain == chain) & (TABLE.c.sequence > 4))
        )
        await connection.execute(delete(TABLE).where(TABLE.c.chain == other))
    # Then the links alone look intact, but the checkpoints name what was cut
    assert await verify(engine, keyring, []) == []
    taken = WHEN.isoformat()
    assert sorted(await verify(engine, keyring, checkpoints)) == sorted(
        [
            f"chain {chain}: checkpoint at entry 7 (taken {taken}) does not match: "
            "the chain was rewritten or truncated (it ends at entry 4)",
            f"chain {other}: checkpoint at entry 1 (taken {taken}) does not match: "
            "the chain was rewritten or truncated (it has no entries)",
        ]
    )


async def test_a_rebuilt_chain_shows_against_the_earliest_checkpoint_it_breaks(
    backend: str, engine: AsyncEngine, keyring: Keyring
) -> None:
    # Given checkpoints of a chain at entries 2, 4 and 6
    chain = organisation_chain(uuid.uuid4())
    checkpoints: list[Checkpoint] = []
    for number, taken in enumerate((WHEN, LATER, LATER + dt.timedelta(hours=1))):
        await _append(engine, chain, 2, start=2 * number + 1)
        checkpoints += await take_checkpoints(engine, keyring, taken)
    # When everything from entry 3 on is rewritten with valid hashes
    async with tampering(engine, backend) as connection:
        await _rebuild(connection, chain, start=3)
    # Then the links hold, and the first checkpoint the rewrite broke is named
    assert await verify(engine, keyring, []) == []
    assert await verify(engine, keyring, checkpoints) == [
        f"chain {chain}: checkpoint at entry 4 (taken {LATER.isoformat()}) does not match: "
        "the chain was rewritten or truncated"
    ]


async def test_a_forged_checkpoint_is_refused(
    engine: AsyncEngine, keyring: Keyring, tmp_path: Path
) -> None:
    # Given a genuine checkpoint, and three forged after it
    chain = organisation_chain(uuid.uuid4())
    await _append(engine, chain, 3)
    [genuine] = await take_checkpoints(engine, keyring, WHEN)
    moved = dataclasses.replace(genuine, sequence=2)
    foreign = sign(Keyring.generate(demo=False).audit.key(1), 1, chain, 3, HEAD, genuine.taken_at)
    unknown = dataclasses.replace(genuine, key_version=9)
    # When the log is verified against all four
    problems = await verify(engine, keyring, [genuine, moved, foreign, unknown])
    # Then each forgery is named, and none is used to judge the chain
    where = f"checkpoint for chain {chain} at entry"
    assert problems == [
        f"{where} 2 (taken {WHEN.isoformat()}) has a bad signature",
        f"{where} 3 (taken {WHEN.isoformat()}) has a bad signature",
        f"{where} 3 (taken {WHEN.isoformat()}) is signed with audit key version 9, "
        "which the key file lacks",
    ]


async def test_concurrent_appends_and_checkpoints_verify(
    engine: AsyncEngine, keyring: Keyring
) -> None:
    # Given writers appending to two chains at once, while checkpoints are taken
    one, two = organisation_chain(uuid.uuid4()), organisation_chain(uuid.uuid4())

    async def append(chain: str, number: int) -> None:
        async with write_transaction(engine) as connection:
            await record(connection, chain, "contact.searched", WHEN, details={"n": number})

    results = await asyncio.gather(
        *(append(chain, number) for number in range(8) for chain in (one, two)),
        take_checkpoints(engine, keyring, WHEN),
        take_checkpoints(engine, keyring, LATER),
    )
    checkpoints = [c for result in results if result is not None for c in result]
    # Then both chains are whole, and agree with every checkpoint taken meanwhile
    report = await check(engine, keyring, checkpoints)
    assert report.problems == []
    assert (report.entries, report.chains) == (16, 2)


async def test_a_key_file_not_matching_the_database_is_refused(
    engine: AsyncEngine, keyring: Keyring
) -> None:
    # Given a database bound to the test key file, and another key file
    await open_platform_keys(engine, keyring)
    other = Keyring.generate(demo=False)
    # Then neither checkpoints nor verification run with the other one
    with pytest.raises(WrongAuditKey, match="audit version 1"):
        await take_checkpoints(engine, other, WHEN)
    with pytest.raises(WrongAuditKey):
        await verify(engine, other, [])


# The command line.

runner = CliRunner()


def _invoke(monkeypatch: pytest.MonkeyPatch, *args: str, **env: str) -> tuple[int, str]:
    for variable in ("UPRIGHT_DATABASE_URL", "UPRIGHT_ENV", "UPRIGHT_KEYS_FILE", "UPRIGHT_KEYS"):
        monkeypatch.delenv(variable, raising=False)
    for variable, value in env.items():
        monkeypatch.setenv(variable, value)
    app = typer.Typer(pretty_exceptions_enable=False)
    register(app)
    result = runner.invoke(app, ["audit", *args])
    return result.exit_code, result.output


async def _with_engine_append(url: str, chain: str, count: int) -> None:
    engine = create_engine(Settings(database_url=url))
    try:
        await _append(engine, chain, count)
    finally:
        await engine.dispose()


async def _edit(url: str, backend: str, chain: str, sequence: int) -> None:
    engine = create_engine(Settings(database_url=url))
    try:
        async with tampering(engine, backend) as connection:
            await connection.execute(
                update(TABLE).where(_entry(chain, sequence)).values(action="nothing")
            )
    finally:
        await engine.dispose()


def test_checkpoint_then_verify_from_the_command_line(
    monkeypatch: pytest.MonkeyPatch, database_url: str, keys_file: Path, tmp_path: Path
) -> None:
    # Given two chains with entries
    chain = organisation_chain(uuid.uuid4())
    run_sync(_with_engine_append(database_url, chain, 2))
    run_sync(_with_engine_append(database_url, PLATFORM_CHAIN, 1))
    env = {"UPRIGHT_DATABASE_URL": database_url, "UPRIGHT_KEYS_FILE": str(keys_file)}
    output_file = tmp_path / "checkpoints.jsonl"
    # When checkpoints are taken twice
    for _ in range(2):
        code, output = _invoke(monkeypatch, "checkpoint", "--output", str(output_file), **env)
        assert code == 0, output
        assert "2 checkpoints appended to" in output
    # Then the file holds four lines, readable by its owner only
    assert os.stat(output_file).st_mode & 0o777 == 0o600
    assert len(output_file.read_text().splitlines()) == 4
    # And the log verifies against it
    code, output = _invoke(monkeypatch, "verify", "--checkpoints", str(output_file), **env)
    assert (code, output) == (0, "audit intact: 3 entries in 2 chains; 4 checkpoints checked\n")
    # And without checkpoints, the command says what it cannot see
    code, output = _invoke(monkeypatch, "verify", **env)
    assert code == 0
    assert output.startswith("audit intact: 3 entries in 2 chains (no checkpoints given")


def test_verify_prints_one_line_per_problem(
    monkeypatch: pytest.MonkeyPatch,
    backend: str,
    database_url: str,
    keys_file: Path,
    tmp_path: Path,
) -> None:
    # Given a checkpointed chain whose entry 2 is then edited, and a damaged checkpoint file
    chain = organisation_chain(uuid.uuid4())
    run_sync(_with_engine_append(database_url, chain, 3))
    env = {"UPRIGHT_DATABASE_URL": database_url, "UPRIGHT_KEYS_FILE": str(keys_file)}
    output_file = tmp_path / "checkpoints.jsonl"
    assert _invoke(monkeypatch, "checkpoint", "--output", str(output_file), **env)[0] == 0
    with output_file.open("a") as file:
        file.write("{not a checkpoint\n")
    run_sync(_edit(database_url, backend, chain, 2))
    # When the log is verified
    code, output = _invoke(monkeypatch, "verify", "--checkpoints", str(output_file), **env)
    # Then it fails with exactly the two problems, one line each, no traceback
    assert code == 1
    assert output.splitlines() == [
        f"checkpoint file {output_file} line 2 is not a checkpoint: not a JSON object",
        f"chain {chain}: entry 2 was altered (its hash does not match its content)",
    ]


def test_a_wrong_key_file_is_one_line(
    monkeypatch: pytest.MonkeyPatch, database_url: str, keys_file: Path, tmp_path: Path
) -> None:
    # Given a database bound to the test key file, and another key file
    async def bind() -> None:
        engine = create_engine(Settings(database_url=database_url))
        try:
            await open_platform_keys(engine, load_keyring(keys_file))
        finally:
            await engine.dispose()

    run_sync(bind())
    other = tmp_path / "other.json"
    write_keyring(other, Keyring.generate(demo=False))
    env = {"UPRIGHT_DATABASE_URL": database_url, "UPRIGHT_KEYS_FILE": str(other)}
    # Then both commands refuse it in one line, and no checkpoint file is made
    for args in (["checkpoint", "--output", str(tmp_path / "c.jsonl")], ["verify"]):
        code, output = _invoke(monkeypatch, *args, **env)
        assert code == 1
        assert output.startswith("error: the key file does not match this database")
        assert len(output.strip().splitlines()) == 1
    assert not (tmp_path / "c.jsonl").exists()
