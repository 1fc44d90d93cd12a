"""The whole schema fuzzed over HTTP (hypothesis-graphql) against a real server process,
anonymous and signed in: no 5xx, no error without one of our codes, no masked internal
error, and a seeded contact's plaintext in no response and no log line.

Examples are derandomised (the same documents on every run, so CI is stable); raise
FUZZ_EXAMPLES locally to search wider.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import build_schema as parse_sdl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import mutations, nodes, queries

from schema import build_schema
from schema.errors import ErrorCode
from security.keyring import load_keyring
from server.database import create_engine
from server.keys import open_platform_keys
from server.settings import Settings as ServerSettings
from tests.accounts import PASSWORD, make_user
from tests.conftest import run_sync
from tests.factories import make_organisation
from tests.servers import running_server

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "120"))
SEEDED = {
    "fullName": "Zawadi Fuzzseed Wanjiru",
    "email": "zawadi.fuzzseed@example.org",
    "phone": "+254 700 123 456",
    "notes": "fuzzseed notes 7731",
    "handle": "@fuzzseed_handle",
    "address": "12 Fuzzseed Lane, Kisumu",
}
REQUIRED = {"riskLevel": "HIGH", "consent": "GIVEN"}
SECRETS = (*SEEDED.values(), "700123456", PASSWORD)
KNOWN_CODES = {code.value for code in ErrorCode}
# Mutations that would end the fuzzing session itself.
SPARED = {"logout", "revokeSession", "changePassword"}
SCALARS = {
    "Date": st.dates(dt.date(2000, 1, 1), dt.date(2040, 1, 1)).map(
        lambda day: nodes.String(day.isoformat())
    ),
    "DateTime": st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2040, 1, 1)).map(
        lambda moment: nodes.String(moment.replace(tzinfo=dt.UTC).isoformat())
    ),
    "JSON": st.just(nodes.String("{}")),
}
SDL = build_schema(development=True).as_str()
SCHEMA = parse_sdl(SDL)
MUTATION_FIELDS = sorted(set(SCHEMA.mutation_type.fields) - SPARED) if SCHEMA.mutation_type else []
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory, keys_file: Path, template: str, backend: str
) -> Iterator[dict[str, Any]]:
    """A server with a seeded contact and a signed-in member who owns it."""
    from tests.conftest import (
        create_postgres_database,
        drop_postgres_database,
        postgres_database_url,
    )

    directory = tmp_path_factory.mktemp("fuzz")
    if backend == "sqlite":
        database = directory / "fuzz.db"
        database.write_bytes(Path(template).read_bytes())
        url = f"sqlite+aiosqlite:///{database}"
    else:
        name = create_postgres_database(template=template)
        url = postgres_database_url(name)
    run_sync(_member(url, keys_file))
    environment = {
        "UPRIGHT_HOURLY_COST_BUDGET": "100000000",
        "UPRIGHT_HOURLY_COST_BUDGET_ANONYMOUS": "100000000",
    }
    log = directory / "server.log"
    try:
        with running_server(url, keys_file, log, **environment) as base:
            token = _sign_in(base)
            _seed_contact(base, token)
            yield {"base": base, "token": token, "log": log}
    finally:
        if backend != "sqlite":
            drop_postgres_database(name)
    text = log.read_text()
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} reached the server log"


async def _member(url: str, keys_file: Path) -> None:
    engine = create_engine(ServerSettings(database_url=url))
    try:
        keys = await open_platform_keys(engine, load_keyring(keys_file))
        organisation = await make_organisation(engine, "Fuzz NGO", vetted_partner=True)
        await make_user(engine, keys, organisation, email="fuzz@example.org")
    finally:
        await engine.dispose()


def _sign_in(base: str) -> str:
    login = 'mutation($p: String!) { login(email: "fuzz@example.org", password: $p) { token } }'
    body = httpx.post(
        f"{base}/graphql", json={"query": login, "variables": {"p": PASSWORD}}, timeout=10
    ).json()
    token: str = body["data"]["login"]["token"]
    return token


def _seed_contact(base: str, token: str) -> None:
    create = "mutation($i: ContactInput!) { createContact(input: $i) { userErrors { code } } }"
    body = httpx.post(
        f"{base}/graphql",
        json={"query": create, "variables": {"i": {**SEEDED, **REQUIRED}}},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    ).json()
    assert (body.get("data") or {}).get("createContact", {}).get("userErrors") == [], body


def _check(base: str, document: str, token: str | None) -> None:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = httpx.post(f"{base}/graphql", json={"query": document}, headers=headers, timeout=30)
    assert response.status_code < 500, (document, response.text)
    for secret in SECRETS:
        assert secret not in response.text, (document, secret)
    body = response.json()
    for error in body.get("errors", []):
        code = (error.get("extensions") or {}).get("code")
        assert code in KNOWN_CODES, (document, error)
        assert code != ErrorCode.INTERNAL_SERVER_ERROR.value, (document, error)


def test_queries_anonymous(world: dict[str, Any]) -> None:
    @FUZZ
    @given(queries(SCHEMA, custom_scalars=SCALARS))
    def run(document: str) -> None:
        _check(world["base"], document, None)

    run()


def test_queries_signed_in(world: dict[str, Any]) -> None:
    @FUZZ
    @given(queries(SCHEMA, custom_scalars=SCALARS))
    def run(document: str) -> None:
        _check(world["base"], document, world["token"])

    run()


def test_mutations_signed_in(world: dict[str, Any]) -> None:
    @FUZZ
    @given(mutations(SCHEMA, fields=MUTATION_FIELDS, custom_scalars=SCALARS))
    def run(document: str) -> None:
        _check(world["base"], document, world["token"])

    run()


def test_mutations_anonymous(world: dict[str, Any]) -> None:
    @FUZZ
    @given(mutations(SCHEMA, fields=MUTATION_FIELDS, custom_scalars=SCALARS))
    def run(document: str) -> None:
        _check(world["base"], document, None)

    run()
