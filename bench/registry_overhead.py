"""The cost of field encryption on a page of 100 contacts, and of one reveal.

The baseline is the same page, the same query, served by a registry that would keep the
attributes in plaintext (key unwrapping and field decryption short-circuited), so the
difference is what encryption costs, not what resolving three more fields costs.
Run from the repository root: `.venv/bin/python -m bench.registry_overhead`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from schema.registry.keys import RegistryKeys
from schema.registry.sealing import ContactFields
from schema.relay import to_global_id
from security import totp
from security.keyring import Keyring, load_keyring, write_keyring
from security.roles import Role
from server.app import create_app
from server.database import create_engine
from server.keys import open_platform_keys
from server.migrate import seed, upgrade
from server.settings import Settings
from tests.accounts import code_at, make_user, sign_in
from tests.clock import Clock
from tests.factories import make_organisation

PAGE = "{ contacts(first: 100) { nodes { pseudonym riskLevel region consent } } }"
NO_ATTRIBUTES = "{ contacts(first: 100) { nodes { pseudonym country { code } } } }"
CREATE = """
mutation { createContact(input: {fullName: "Bench Person", email: "bench@example.org",
  phone: "+254700000000", region: "Region", riskLevel: HIGH, consent: GIVEN, country: "KEN",
  notes: "Notes about the person"}) { userErrors { code } } }
"""
REVEAL = """
mutation($id: ID!) {
  revealContact(contactId: $id, purpose: "benchmarking a reveal") { contact { fullName } }
}
"""
GRANT = "mutation($id: ID!) { grantReveal(userId: $id) { holdsGrant } }"
FIRST = "{ contacts(first: 1) { nodes { id } } }"


class Client:
    def __init__(self, client: httpx.AsyncClient, token: str) -> None:
        self.client, self.headers = client, {"Authorization": f"Bearer {token}"}

    async def run(self, query: str, **variables: Any) -> dict[str, Any]:
        body = {"query": query, "variables": variables}
        response = await self.client.post("/graphql", json=body, headers=self.headers)
        result: dict[str, Any] = response.json()
        if "errors" in result:
            raise RuntimeError(response.text)
        return result

    async def median_ms(self, query: str, rounds: int, **variables: Any) -> float:
        for _ in range(5):  # warm up: caches, prepared statements
            await self.run(query, **variables)
        times = []
        for _ in range(rounds):
            start = time.perf_counter()
            await self.run(query, **variables)
            times.append((time.perf_counter() - start) * 1000)
        return statistics.median(times)


async def main(database_url: str, keys_file: Path, rounds: int) -> None:
    settings = Settings(database_url=database_url, keys_file=keys_file)
    await asyncio.to_thread(upgrade, database_url)
    engine = create_engine(settings)
    await seed(engine)
    keys = await open_platform_keys(engine, load_keyring(keys_file))
    organisation = await make_organisation(engine, "Bench NGO", vetted_partner=True)
    secrets = totp.new_totp_secret(), totp.new_totp_secret()
    _, admin = await make_user(engine, keys, organisation, Role.ORG_ADMIN, totp_secret=secrets[0])
    keeper_id, keeper = await make_user(
        engine, keys, organisation, Role.MEMBER, totp_secret=secrets[1]
    )
    await engine.dispose()
    clock = Clock()
    app = create_app(settings, clock=clock)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            code = code_at(secrets[0], clock.now)
            as_admin = Client(http, await sign_in(http, admin, second_factor=code))
            await as_admin.run(GRANT, id=to_global_id("User", keeper_id))
            code = code_at(secrets[1], clock.now)
            as_keeper = Client(http, await sign_in(http, keeper, second_factor=code))
            for _ in range(100):
                await as_keeper.run(CREATE)
            with_ms, plain_ms = await paired_medians(as_keeper, PAGE, rounds)
            bare_ms = await as_keeper.median_ms(NO_ATTRIBUTES, rounds)
            first = (await as_keeper.run(FIRST))["data"]["contacts"]["nodes"][0]["id"]
            reveal_ms = await as_keeper.median_ms(REVEAL, rounds, id=first)
    overhead = (with_ms - plain_ms) / with_ms * 100
    print(f"page of 100 contacts, attributes decrypted:  {with_ms:6.1f} ms (median of {rounds})")
    print(f"same page and query, plaintext registry:     {plain_ms:6.1f} ms")
    print(f"encryption overhead: {overhead:.1f}% of the request time (target: under 15%)")
    print(f"(page without the three attributes at all:   {bare_ms:6.1f} ms)")
    print(f"one reveal, audit committed first:           {reveal_ms:6.1f} ms")


async def paired_medians(client: Client, query: str, rounds: int) -> tuple[float, float]:
    """The page encrypted and as plaintext, measured in alternating rounds (order flipped
    each time), so drift on a busy machine falls on both alike."""
    await client.median_ms(query, 1)
    with plaintext_registry():
        await client.median_ms(query, 1)
    encrypted, plain = [], []
    for round_ in range(rounds):
        for as_plaintext in (round_ % 2 == 0, round_ % 2 == 1):
            start = time.perf_counter()
            if as_plaintext:
                with plaintext_registry():
                    await client.run(query)
            else:
                await client.run(query)
            (plain if as_plaintext else encrypted).append((time.perf_counter() - start) * 1000)
    return statistics.median(encrypted), statistics.median(plain)


@contextlib.contextmanager
def plaintext_registry() -> Iterator[None]:
    """Serve as if attributes were plain columns: no key unwrapped, no field decrypted."""
    keys, fields = RegistryKeys.contact_key, ContactFields.open

    async def no_key(*_: Any) -> bytes:
        return bytes(32)

    values = {"risk_level": "HIGH", "consent": "GIVEN", "region": "Region"}
    RegistryKeys.contact_key = no_key  # type: ignore[method-assign]
    ContactFields.open = lambda _self, column, _blob: values.get(column)  # type: ignore[method-assign]
    try:
        yield
    finally:
        RegistryKeys.contact_key = keys  # type: ignore[method-assign]
        ContactFields.open = fields  # type: ignore[method-assign]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", help="an EMPTY database (default: temporary SQLite)")
    parser.add_argument("--rounds", type=int, default=50)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        keys_file = Path(folder) / "keys.json"
        write_keyring(keys_file, Keyring.generate(demo=False))
        url = arguments.database_url or f"sqlite+aiosqlite:///{folder}/bench.db"
        asyncio.run(main(url, keys_file, arguments.rounds))
