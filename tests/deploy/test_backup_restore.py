"""A backup and restore drill on PostgreSQL: a `pg_dump` restored into a new database
serves the same contacts with the same key file, and a server given another key file
refuses to start on it, in one line."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from bench.run import free_port
from schema.relay import to_global_id
from schema.tables.accounts import KeyCheck
from security import totp
from security.roles import Role
from server.database import create_engine
from server.settings import Settings
from tests.accounts import code_at
from tests.conftest import POSTGRES_URL, create_postgres_database, drop_postgres_database
from tests.deploy.clusters import BIN
from tests.deploy.deployment import DEADLINE, make_member, require_postgres, run, sign_in
from tests.servers import UPRIGHT, running_server

PERSON = {
    "fullName": "Amina Restored-Witness",
    "email": "amina.restored@example.org",
    "handle": "@amina_restored",
    "address": "Plot 12, Kisumu",
    "notes": "Prefers contact through the regional office.",
}
GRANT = "mutation($id: ID!) { grantReveal(userId: $id) { holdsGrant userErrors { code } } }"
CREATE = """
mutation($input: ContactInput!) {
  createContact(input: $input) {
    userErrors { field code } contact { pseudonym riskLevel region }
  }
}
"""
LIST = "{ contacts(first: 10) { nodes { id pseudonym riskLevel region } } }"
REVEAL = """
mutation($id: ID!, $purpose: String!) {
  revealContact(contactId: $id, purpose: $purpose) {
    userErrors { field code } contact { fullName email handle address notes }
  }
}
"""


@pytest.fixture
def restored(backend: str, database_url: str, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A new, empty database to restore into (dropped at the end), and where the dump
    goes."""
    require_postgres(backend, "a drill of PostgreSQL's own backups (pg_dump, pg_restore)")
    if not (BIN / "pg_dump").exists():
        pytest.skip(f"no pg_dump in {BIN} (set UPRIGHT_TEST_POSTGRES_BIN)")
    name = create_postgres_database()
    try:
        yield name, tmp_path / "upright.dump"
    finally:
        drop_postgres_database(name)


def _tool(name: str, database: str, *arguments: str) -> None:
    """A PostgreSQL tool on the test server; a password goes in the environment."""
    assert POSTGRES_URL is not None
    url = make_url(POSTGRES_URL)
    options = ["-h", url.host or "127.0.0.1", "-p", str(url.port or 5432), "-d", database]
    options += ["-U", url.username] if url.username else []
    environment = {**os.environ, **({"PGPASSWORD": url.password} if url.password else {})}
    result = subprocess.run(
        [str(BIN / name), *options, *arguments],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"{name} failed:\n{result.stderr}"


async def _key_checks(database_url: str) -> set[tuple[str, int, str]]:
    engine = create_engine(Settings(database_url=database_url))
    try:
        checks = KeyCheck.__table__.c
        async with engine.connect() as connection:
            rows = await connection.execute(select(checks.root, checks.version, checks.check_value))
            return {(row.root, row.version, row.check_value) for row in rows}
    finally:
        await engine.dispose()


def _code(secret: bytes) -> str:
    return code_at(secret, dt.datetime.now(dt.UTC))


async def test_a_restored_dump_serves_the_same_contacts_and_refuses_another_key_file(
    database_url: str, restored: tuple[str, Path], keys_file: Path, tmp_path: Path
) -> None:
    restored_name, dump = restored
    admin_secret, keeper_secret = totp.new_totp_secret(), totp.new_totp_secret()
    admin = await make_member(database_url, keys_file, Role.ORG_ADMIN, totp_secret=admin_secret)
    own = admin.organisation
    keeper = await make_member(database_url, keys_file, organisation=own, totp_secret=keeper_secret)
    member = await make_member(database_url, keys_file, organisation=own)
    attributes = {"riskLevel": "HIGH", "region": "Nyanza"}
    # Given a contact recorded through a server, and a keeper of the registry
    with running_server(database_url, keys_file, tmp_path / "original.log") as original:
        async with httpx.AsyncClient(timeout=DEADLINE) as client:
            token = await sign_in(client, original, admin.email, _code(admin_secret))
            granted = await run(
                client, original, GRANT, {"id": to_global_id("User", keeper.user)}, token
            )
            assert granted["data"]["grantReveal"]["holdsGrant"] is True, granted
            token = await sign_in(client, original, member.email)
            contact = {**PERSON, **attributes, "consent": "GIVEN"}
            made = await run(client, original, CREATE, {"input": contact}, token)
            payload = made["data"]["createContact"]
            assert payload["userErrors"] == [], payload
            pseudonym = payload["contact"]["pseudonym"]
    # When the database is dumped (custom format) and restored into a new one
    _tool("pg_dump", make_url(database_url).database or "", "-Fc", "-f", str(dump))
    _tool("pg_restore", restored_name, "--exit-on-error", "--no-owner", str(dump))
    restored_url = make_url(database_url).set(database=restored_name)
    restored_url_text = restored_url.render_as_string(hide_password=False)
    # Then a server with the same key file serves the contact: same pseudonym and
    # attributes, and its identity reveals to the same plaintext
    with running_server(restored_url_text, keys_file, tmp_path / "restored.log") as server:
        async with httpx.AsyncClient(timeout=DEADLINE) as client:
            token = await sign_in(client, server, keeper.email, _code(keeper_secret))
            nodes = (await run(client, server, LIST, token=token))["data"]["contacts"]["nodes"]
            assert [(n["pseudonym"], n["riskLevel"], n["region"]) for n in nodes] == [
                (pseudonym, "HIGH", "Nyanza")
            ]
            variables = {"id": nodes[0]["id"], "purpose": "Checking the restored backup"}
            revealed = await run(client, server, REVEAL, variables, token)
            assert revealed["data"]["revealContact"] == {"userErrors": [], "contact": PERSON}
    # When a server is started on it with another key file
    other = tmp_path / "other-keys.json"
    _generate_keys(other)
    checks = await _key_checks(restored_url_text)
    refused = _serve(restored_url_text, other)
    # Then it refuses to start: one line naming the key file problem, no trace
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines() == [
        "error: the key file does not match this database (kek version 1): wrong key file?"
    ]
    assert "Traceback" not in refused.stdout + refused.stderr
    # And it wrote nothing: the database still knows only the right keys
    assert await _key_checks(restored_url_text) == checks


def _generate_keys(path: Path) -> None:
    """A production key file, as an operator makes one."""
    command = [UPRIGHT, "keys", "generate", "--output", str(path)]
    generated = subprocess.run(command, capture_output=True, timeout=120, check=False)
    assert generated.returncode == 0, generated.stderr


def _serve(database_url: str, keys_file: Path) -> subprocess.CompletedProcess[str]:
    """`upright serve` to its end (which a refused start reaches by itself)."""
    environment = {
        **os.environ,
        "UPRIGHT_DATABASE_URL": database_url,
        "UPRIGHT_KEYS_FILE": str(keys_file),
        "UPRIGHT_PORT": str(free_port()),
    }
    environment.pop("UPRIGHT_ENV", None)  # production
    return subprocess.run(
        [UPRIGHT, "serve", "--workers", "1"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
