"""Property 1, no plaintext at rest: known values go in through the API, then the
SQLite file (and its write-ahead log) or a `pg_dump`, and every log line, are searched
for them, as text and as the hex PostgreSQL dumps binary columns in."""

from __future__ import annotations

import base64
import logging
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.registry.keys import KeyCache, RegistryKeys
from schema.tables.registry import Contact
from security.keyring import load_keyring
from security.platform import PlatformKeys
from security.roles import Role
from tests.accounts import make_user
from tests.factories import make_organisation
from tests.schema.registry.conftest import Registry

SECRETS = {
    "fullName": "Zawadi Siri-Wanjiku",
    "email": "zawadi.siri@example.org",
    "phone": "+254700111222",
    "handle": "@zawadi_siri_signal",
    "address": "Plot 42, Siri Lane, Kisumu",
    "notes": "Meets the monitors at the siri market",
    "region": "Siri Highlands",
}
PURPOSE = "Siri safety planning before the hearing"
USER = ("Usersiri Namekeeper", "usersiri@example.org")
FIND = 'mutation { findContactByEmail(email: "zawadi.siri@example.org") { contacts { id } } }'
REVEAL = """
mutation($id: ID!, $purpose: String!) {
  revealContact(contactId: $id, purpose: $purpose) { contact { fullName } }
}
"""


def _needles() -> list[bytes]:
    values = [*SECRETS.values(), PURPOSE, *USER, "254700111222"]
    found = []
    for value in values:
        for text in {value, value.lower()}:
            found += [text.encode(), text.encode().hex().encode()]
    return found


def _dump(backend: str, database_url: str) -> bytes:
    url = make_url(database_url)
    if backend == "sqlite":
        path = Path(str(url.database))
        files = [path, path.with_name(path.name + "-wal")]
        return b"".join(file.read_bytes() for file in files if file.exists())
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        pytest.skip("pg_dump is not installed")
    command = [pg_dump, "-h", str(url.host), "-p", str(url.port or 5432), "-U", str(url.username)]
    return subprocess.run([*command, str(url.database)], check=True, capture_output=True).stdout


async def test_protected_values_are_nowhere_at_rest_nor_in_logs(
    registry: Registry,
    engine: AsyncEngine,
    platform_keys: PlatformKeys,
    backend: str,
    database_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    # Given a user and a contact with known values, a reveal with a purpose, a search
    other = await make_organisation(engine)
    await make_user(engine, platform_keys, other, Role.MEMBER, name=USER[0], email=USER[1])
    created = await registry.create(**SECRETS, riskLevel="HIGH", consent="GIVEN")
    await registry.step_up(registry.keeper)
    await registry.run(registry.keeper, REVEAL, {"id": created["id"], "purpose": PURPOSE})
    await registry.run(registry.keeper, FIND)
    # When the database is read as a thief would read it, and the logs as an operator
    stored = _dump(backend, database_url)
    logged = "\n".join(record.getMessage() for record in caplog.records).encode()
    # Then none of the values is there, in any form
    assert [n for n in _needles() if n in stored] == []
    assert [n for n in _needles() if n in logged] == []
    # (while what is plain by design, an organisation's name, is found: the scan works)
    assert b"Nairobi Defenders Forum" in stored


def _key_forms(key: bytes) -> list[bytes]:
    return [
        key,
        key.hex().encode(),
        base64.b64encode(key).rstrip(b"="),
        base64.urlsafe_b64encode(key).rstrip(b"="),
    ]


async def test_no_key_is_stored_in_any_form(
    registry: Registry,
    engine: AsyncEngine,
    platform_keys: PlatformKeys,
    keys_file: Path,
    backend: str,
    database_url: str,
) -> None:
    """Property 2: the database holds keys only wrapped, and the KEK not at all."""
    # Given a contact (so an organisation key and a data key exist) that was revealed
    created = await registry.create(**SECRETS, riskLevel="HIGH", consent="GIVEN")
    await registry.step_up(registry.keeper)
    await registry.run(registry.keeper, REVEAL, {"id": created["id"], "purpose": PURPOSE})
    # And every key, as the server unwraps it
    keyring = load_keyring(keys_file)
    registry_keys = RegistryKeys(keyring, KeyCache())
    async with engine.connect() as connection:
        contact = (await connection.execute(select(Contact.__table__))).one()
        organisation_key = await registry_keys.organisation_key_of(connection, registry.ngo, 1)
        data_key = await registry_keys.contact_key(
            connection, contact.id, registry.ngo, contact.wrapped_data_key
        )
    keys = [key for root in keyring.roots.values() for key in root.versions.values()]
    keys += [*platform_keys.data_keys.values(), organisation_key, data_key]
    # When the database is dumped; then none of them is there, raw, in hex or in base64
    stored = _dump(backend, database_url)
    assert [form for key in keys for form in _key_forms(key) if form in stored] == []
    # (while the wrapped data key is: the scan reads the right bytes)
    assert contact.wrapped_data_key.hex().encode() in stored or contact.wrapped_data_key in stored


CREATE = """
mutation($input: ContactInput!) {
  createContact(input: $input) { userErrors { field code message } contact { id } }
}
"""


async def test_refused_contact_input_is_not_echoed_nor_logged(
    registry: Registry, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    valid = {"fullName": SECRETS["fullName"], "riskLevel": "HIGH", "consent": "GIVEN"}
    refused = [
        {**valid, "email": "zawadi.siri@@example.org"},  # not an email
        {**valid, "phone": "+254700111222 ext siri"},  # not a phone number
        {**valid, "riskLevel": "SIRI"},  # not a risk level (variable coercion)
        {**valid, "fullName": 254700111222},  # not a string (variable coercion)
        {**valid, "handle": SECRETS["handle"] * 40},  # too long
    ]
    answers = [await registry.run(registry.member, CREATE, {"input": body}) for body in refused]
    # Each is refused as the client's mistake...
    codes = [
        [e["extensions"]["code"] for e in answer["errors"]]
        if "errors" in answer
        else [e["code"] for e in answer["data"]["createContact"]["userErrors"]]
        for answer in answers
    ]
    assert codes == [["BAD_USER_INPUT"]] * len(refused)
    # ... and nothing submitted comes back or reaches the logs
    echoed = repr(answers).encode()
    logged = "\n".join(record.getMessage() for record in caplog.records).encode()
    needles = [*_needles(), b"siri@@", b"ext siri", b"SIRI"]
    assert [n for n in needles if n in echoed] == []
    assert [n for n in needles if n in logged] == []
    assert (await registry.run(registry.member, "{ contacts(first: 1) { totalCount } }")) == {
        "data": {"contacts": {"totalCount": 0}}
    }
