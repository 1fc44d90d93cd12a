"""Persisted operations: automatic persisted queries, GET by hash only, the allow-list."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from typer.testing import CliRunner

from schema.db import utcnow
from server.cli import app as cli
from server.persisted import digest, register
from server.settings import Settings
from tests.graphql import error_codes

CYCLES = "query Cycles { cycles { number } }"
CONTACTS = "query Mine { contacts(first: 5) { totalCount } }"
NODE = "query One($id: ID!) { node(id: $id) { id } }"
LOGOUT = "mutation Out { logout { userErrors { code } } }"


def _persisted(sha256: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha256}}


@asynccontextmanager
async def _client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://upright.test") as http:
            yield http


async def _get(http: httpx.AsyncClient, query: str) -> httpx.Response:
    extensions = json.dumps(_persisted(digest(query)))
    return await http.get("/graphql", params={"extensions": extensions})


async def test_automatic_persisted_queries(client: httpx.AsyncClient) -> None:
    sha256 = digest(CYCLES)
    # The client tries the hash alone first; this process has not seen it.
    first = await client.post("/graphql", json={"extensions": _persisted(sha256)})
    assert first.status_code == 200
    assert error_codes(first.json()) == ["PERSISTED_QUERY_NOT_FOUND"]
    assert first.json()["errors"][0]["message"] == "PersistedQueryNotFound"  # Apollo's word
    # Then hash and document together, and from then on the hash alone.
    both = await client.post("/graphql", json={"query": CYCLES, "extensions": _persisted(sha256)})
    alone = await client.post("/graphql", json={"extensions": _persisted(sha256)})
    by_get = await _get(client, CYCLES)
    for response in (both, alone, by_get):
        assert response.status_code == 200
        assert response.json()["data"] == {"cycles": [{"number": n} for n in (1, 2, 3, 4)]}


async def test_a_hash_must_match_its_document(client: httpx.AsyncClient) -> None:
    wrong = await client.post(
        "/graphql", json={"query": CYCLES, "extensions": _persisted(digest(CYCLES + " "))}
    )
    malformed = await client.post("/graphql", json={"extensions": _persisted("abc")})
    for response in (wrong, malformed):
        assert response.status_code == 400
        assert error_codes(response.json()) == ["BAD_USER_INPUT"]


async def test_get_serves_persisted_queries_only(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    # The server knows them all (registered: contact operations are never learned).
    known = (CYCLES, LOGOUT, CONTACTS, NODE)
    await register(engine, [(f"{i}.graphql", q) for i, q in enumerate(known)], utcnow())
    ad_hoc = await client.get("/graphql", params={"query": CYCLES})
    mutation = await _get(client, LOGOUT)
    contacts = await _get(client, CONTACTS)
    node = await _get(client, NODE)
    assert ad_hoc.status_code == 400
    assert "persisted operations only" in ad_hoc.json()["errors"][0]["message"]
    assert mutation.status_code in {400, 405}
    assert "data" not in mutation.json() or mutation.json()["data"] is None
    for refused in (contacts, node):
        assert refused.status_code == 400, refused.text
        assert "contacts" in refused.json()["errors"][0]["message"]


async def test_the_allow_list(make_app: Callable[..., Starlette], engine: AsyncEngine) -> None:
    await register(engine, [("cycles.graphql", CYCLES)], utcnow())
    async with _client(make_app(persisted_only=True)) as http:
        registered = await http.post("/graphql", json={"query": CYCLES})
        by_hash = await http.post("/graphql", json={"extensions": _persisted(digest(CYCLES))})
        ad_hoc = await http.post("/graphql", json={"query": "{ states { code } }"})
        # A client cannot teach the server a document in allow-list mode.
        other = "query Other { cycles { firstSession } }"
        taught = await http.post(
            "/graphql", json={"query": other, "extensions": _persisted(digest(other))}
        )
        again = await http.post("/graphql", json={"extensions": _persisted(digest(other))})
    assert "errors" not in registered.json()
    assert "errors" not in by_hash.json()
    assert error_codes(ad_hoc.json()) == ["OPERATION_NOT_REGISTERED"]
    assert error_codes(taught.json()) == ["OPERATION_NOT_REGISTERED"]
    assert error_codes(again.json()) == ["PERSISTED_QUERY_NOT_FOUND"]


def test_register_command(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UPRIGHT_DATABASE_URL", settings.database_url)
    good = tmp_path / "cycles.graphql"
    good.write_text(CYCLES)
    bad = tmp_path / "typo.graphql"
    bad.write_text("query Typo { cyclez { number } }")
    runner = CliRunner()
    refused = runner.invoke(cli, ["operations", "register", str(good), str(bad)])
    assert refused.exit_code == 2
    assert "typo.graphql" in refused.output
    assert "nothing registered" in refused.output
    listed = runner.invoke(cli, ["operations", "list"])
    assert "0 registered" in listed.output
    first = runner.invoke(cli, ["operations", "register", str(good)])
    second = runner.invoke(cli, ["operations", "register", str(good)])
    assert first.exit_code == second.exit_code == 0
    assert digest(CYCLES) in first.output
    assert "new" in first.output
    assert "already registered" in second.output
    assert digest(CYCLES) in runner.invoke(cli, ["operations", "list"]).output


async def test_documents_with_values_are_run_not_remembered(client: httpx.AsyncClient) -> None:
    """Another client must not learn, by probing hashes, what someone searched for."""
    search = (
        'query Find { recommendations(first: 1, filter: {search: "Jane Defender"}) { totalCount } }'
    )
    sha256 = digest(search)
    ran = await client.post("/graphql", json={"query": search, "extensions": _persisted(sha256)})
    probe = await client.post("/graphql", json={"extensions": _persisted(sha256)})
    assert "errors" not in ran.json()
    assert error_codes(probe.json()) == ["PERSISTED_QUERY_NOT_FOUND"]
    # Contact operations likewise, even without a literal.
    await client.post(
        "/graphql", json={"query": CONTACTS, "extensions": _persisted(digest(CONTACTS))}
    )
    probe = await client.post("/graphql", json={"extensions": _persisted(digest(CONTACTS))})
    assert error_codes(probe.json()) == ["PERSISTED_QUERY_NOT_FOUND"]
