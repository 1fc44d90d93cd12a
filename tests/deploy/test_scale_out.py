"""Two real server processes on one PostgreSQL and one Redis share what must be shared:
sessions, login throttling, cost budgets, and one winner per version of a row."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from schema.tables.followup import Activity
from security.keyring import load_keyring
from security.throttling import PER_IDENTIFIER
from server.database import create_engine
from server.settings import Settings
from tests.accounts import LOGIN, PASSWORD
from tests.deploy.deployment import (
    DEADLINE,
    audit_actions,
    audit_problems,
    codes,
    key_of,
    make_member,
    require_postgres,
    require_redis,
    run,
    sign_in,
)
from tests.servers import running_server

ME = "{ me { user { id email } organisation { id } } }"
LOGOUT = "mutation { logout { ok } }"
PAGE = "{ recommendations(first: 10) { nodes { text themes { name } } } }"  # costs 21
ACTIVITY_FIELDS = "userErrors { field code } activity { id title version }"
CREATE = f"""
mutation($input: ActivityInput!) {{ createActivity(input: $input) {{ {ACTIVITY_FIELDS} }} }}
"""
UPDATE = f"""
mutation($id: ID!, $version: Int!, $input: ActivityInput!) {{
  updateActivity(activityId: $id, version: $version, input: $input) {{ {ACTIVITY_FIELDS} }}
}}
"""
WRITERS, ROUNDS = 8, 5  # per round, writers split over both processes


@contextlib.contextmanager
def two_servers(
    database_url: str, keys_file: Path, tmp_path: Path, **environment: str
) -> Iterator[tuple[str, str]]:
    """Two `upright serve` processes on one database (and whatever `environment` shares,
    Redis above all): their base URLs."""
    with (
        running_server(database_url, keys_file, tmp_path / "one.log", **environment) as one,
        running_server(database_url, keys_file, tmp_path / "two.log", **environment) as two,
    ):
        yield one, two


def activity(title: str) -> dict[str, Any]:
    return {
        "kind": "CSO_STRATEGY_WORKSHOP",
        "title": title,
        "startsOn": "2027-03-10",
        "visibility": "ORGANISATION",
    }


async def test_a_session_made_on_one_process_works_on_the_other(
    backend: str, database_url: str, keys_file: Path, tmp_path: Path
) -> None:
    require_postgres(backend)
    redis = require_redis()
    member = await make_member(database_url, keys_file)
    shared = {"UPRIGHT_REDIS_URL": redis}
    with two_servers(database_url, keys_file, tmp_path, **shared) as (one, two):
        async with httpx.AsyncClient(timeout=DEADLINE) as client:
            # Given a session started through one process
            token = await sign_in(client, one, member.email)
            # When it is used on the other, then it is the same user
            me = (await run(client, two, ME, token=token))["data"]["me"]
            assert me["user"]["email"] == member.email
            assert key_of(me["organisation"]["id"]) == member.organisation
            # And signing out on the other ends it on the first at once
            assert (await run(client, two, LOGOUT, token=token))["data"]["logout"]["ok"]
            assert codes(await run(client, one, ME, token=token)) == ["UNAUTHENTICATED"]


async def test_failed_logins_through_one_count_on_the_other(
    backend: str, database_url: str, keys_file: Path, tmp_path: Path
) -> None:
    require_postgres(backend)
    redis = require_redis()
    member = await make_member(database_url, keys_file)
    other = await make_member(database_url, keys_file)
    wrong = {"email": member.email, "password": "not the password"}
    shared = {"UPRIGHT_REDIS_URL": redis}
    with two_servers(database_url, keys_file, tmp_path, **shared) as (one, two):
        async with httpx.AsyncClient(timeout=DEADLINE) as client:
            # Given as many failed logins through one as the identifier is allowed free
            for _ in range(PER_IDENTIFIER.free):
                assert codes(await run(client, one, LOGIN, wrong)) == ["UNAUTHENTICATED"]
            # When the guessing moves to the other process, then it is throttled there
            # before that process alone has seen more than the free failures. (The first
            # attempt there waits 1 s; each next one, counted if that wait had passed,
            # doubles it: the refusal comes by the fifth, whatever the machine's speed.)
            answers = []
            for _ in range(PER_IDENTIFIER.free):
                answers.append(codes(await run(client, two, LOGIN, wrong)))
                if answers[-1] == ["RATE_LIMITED"]:
                    break
            assert answers[0] == ["UNAUTHENTICATED"], answers  # the sixth failure, counted
            assert answers[-1] == ["RATE_LIMITED"], answers
            # And another account from the same address still signs in on either process
            good = {"email": other.email, "password": PASSWORD}
            for base in (one, two):
                assert "errors" not in await run(client, base, LOGIN, good)


async def test_two_processes_spend_one_budget(
    backend: str, database_url: str, keys_file: Path, tmp_path: Path
) -> None:
    require_postgres(backend)
    redis = require_redis()
    member = await make_member(database_url, keys_file)  # a new viewer: a budget of its own
    shared = {"UPRIGHT_REDIS_URL": redis, "UPRIGHT_HOURLY_COST_BUDGET": "50"}
    with two_servers(database_url, keys_file, tmp_path, **shared) as (one, two):
        async with httpx.AsyncClient(timeout=DEADLINE) as client:
            token = await sign_in(client, one, member.email)
            first = await run(client, one, PAGE, token=token)
            second = await run(client, two, PAGE, token=token)
            third = await run(client, one, PAGE, token=token)
    assert first["extensions"]["cost"]["remaining"] == 50 - 21
    assert second["extensions"]["cost"]["remaining"] == 50 - 42
    assert "errors" not in first
    assert "errors" not in second
    # One process alone would still have 29 points for this viewer; together, 8 are left.
    assert codes(third) == ["RATE_LIMITED"]


async def test_concurrent_updates_through_both_processes_have_one_winner_per_version(
    backend: str, database_url: str, keys_file: Path, tmp_path: Path
) -> None:
    require_postgres(backend)
    redis = require_redis()
    member = await make_member(database_url, keys_file)
    shared = {"UPRIGHT_REDIS_URL": redis}
    winners: list[str] = []
    with two_servers(database_url, keys_file, tmp_path, **shared) as (one, two):
        limits = httpx.Limits(max_connections=2 * WRITERS)
        async with httpx.AsyncClient(timeout=DEADLINE, limits=limits) as client:
            token = await sign_in(client, one, member.email)
            created = await run(client, one, CREATE, {"input": activity("Round 0")}, token)
            activity_id = created["data"]["createActivity"]["activity"]["id"]

            async def update(writer: int, version: int) -> dict[str, Any]:
                variables = {
                    "id": activity_id,
                    "version": version,
                    "input": activity(f"Round {version} by writer {writer}"),
                }
                body = await run(client, (one, two)[writer % 2], UPDATE, variables, token)
                assert "errors" not in body, body
                payload: dict[str, Any] = body["data"]["updateActivity"]
                return payload

            for version in range(1, ROUNDS + 1):
                # Given every writer read the same version, when each writes it back at
                # once, through both processes
                payloads = await asyncio.gather(*(update(w, version) for w in range(WRITERS)))
                # Then exactly one wins, at the next version; the others conflict
                won = [p["activity"] for p in payloads if not p["userErrors"]]
                lost = [p for p in payloads if p["userErrors"]]
                assert len(won) == 1, payloads
                assert won[0]["version"] == version + 1
                assert all(
                    [(e["field"], e["code"]) for e in p["userErrors"]] == [("version", "CONFLICT")]
                    for p in lost
                ), lost
                winners.append(won[0]["title"])
    # And the row holds the last winner's update, at 1 + one version per winner
    engine = create_engine(Settings(database_url=database_url))
    try:
        async with engine.connect() as connection:
            row = (
                await connection.execute(
                    select(Activity.__table__).where(Activity.__table__.c.id == key_of(activity_id))
                )
            ).one()
        assert (row.version, row.title) == (1 + ROUNDS, winners[-1])
        # Only the winners' updates reached the audit, and every chain still links up
        chain = f"org:{member.organisation}"
        assert (
            await audit_actions(engine, chain)
            == ["activity.created"] + ["activity.updated"] * ROUNDS
        )
        assert await audit_problems(engine, load_keyring(keys_file)) == []
    finally:
        await engine.dispose()
