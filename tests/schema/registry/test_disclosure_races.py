"""Disclosures against failures and erasures: a share, an unshare and their audit entries
commit together or not at all (property 9), and an act on a contact erased since it was
read does nothing and answers as for a contact that does not exist (property 5)."""

from __future__ import annotations

import asyncio
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.audit import organisation_chain
from schema.registry.mutations import contacts, disclosure
from schema.relay import to_global_id
from schema.tables.audit import AuditEvent
from schema.tables.registry import ContactShare
from security.audit_chain import chain_lock_key
from tests.graphql import error_codes
from tests.schema.registry.conftest import Registry
from tests.schema.registry.test_contacts import ERASE, LIST, REVEAL, SHARE

UNSHARE = """
mutation($id: ID!, $org: ID!) {
  unshareContact(contactId: $id, organisationId: $org) { userErrors { code } contact { id } }
}
"""
UPDATE = """
mutation($id: ID!, $input: ContactInput!) {
  updateContact(contactId: $id, input: $input, version: 1) { userErrors { code } contact { id } }
}
"""
PURPOSE = "Joint protection follow-up in Geneva"
REASON = "She asked to be removed entirely"


class AppendFailed(Exception):
    """The audit append failing: a lock timeout, a lost connection, a crash."""


def _share(registry: Registry, contact: str) -> dict[str, Any]:
    organisation = to_global_id("Organisation", registry.partner)
    return {"id": contact, "org": organisation, "attributes": ["RISK_LEVEL"], "purpose": PURPOSE}


async def _actions(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as connection:
        rows = await connection.execute(select(AuditEvent.action).order_by(AuditEvent.sequence))
        return [row.action for row in rows]


async def _live_shares(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        count = await connection.scalar(
            select(func.count()).where(ContactShare.__table__.c.revoked_at.is_(None))
        )
    return int(count or 0)


def _failing_append(monkeypatch: pytest.MonkeyPatch, action: str) -> None:
    """The audit append of `action` fails; every other one works."""
    append = disclosure.record

    async def record(connection: Any, chain: str, done: str, *args: Any, **kwargs: Any) -> None:
        if done == action:
            raise AppendFailed(action)
        await append(connection, chain, done, *args, **kwargs)

    monkeypatch.setattr(disclosure, "record", record)


def _erased_once_loaded(
    monkeypatch: pytest.MonkeyPatch, module: ModuleType, registry: Registry, contact: str
) -> None:
    """An admin erases the contact just after the mutation read it, before it writes."""
    load = module.owned_contact

    async def owned_contact(context: Any, global_id: str) -> Any:
        row = await load(context, global_id)
        monkeypatch.setattr(module, "owned_contact", load)  # the erasure loads it unhindered
        erased = await registry.run(registry.admin, ERASE, {"id": contact, "reason": REASON})
        assert erased["data"]["eraseContact"]["erased"] is True, erased
        return row

    monkeypatch.setattr(module, "owned_contact", owned_contact)


async def test_a_share_whose_audit_entry_fails_is_not_made(
    registry: Registry, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a contact, and the audit append of a share failing
    created = await registry.create(country="KE")
    await registry.step_up(registry.keeper)
    _failing_append(monkeypatch, "contact.shared")
    # When the grant holder shares it
    body = await registry.run(registry.keeper, SHARE, _share(registry, created["id"]))
    # Then the share fails and nothing of it stands: no row, no entry, nothing seen
    assert error_codes(body) == ["INTERNAL_SERVER_ERROR"]
    assert await _live_shares(engine) == 0
    assert "contact.shared" not in await _actions(engine)
    seen = await registry.run(registry.outsider, LIST)
    assert seen["data"]["contacts"]["totalCount"] == 0


async def test_an_unshare_whose_audit_entry_fails_is_not_made(
    registry: Registry, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a contact shared with the partner, and the audit append of an unshare failing
    created = await registry.create(country="KE")
    await registry.step_up(registry.keeper)
    shared = await registry.run(registry.keeper, SHARE, _share(registry, created["id"]))
    assert shared["data"]["shareContact"]["userErrors"] == [], shared
    _failing_append(monkeypatch, "contact.unshared")
    # When the share is stopped
    organisation = to_global_id("Organisation", registry.partner)
    body = await registry.run(registry.keeper, UNSHARE, {"id": created["id"], "org": organisation})
    # Then the unshare fails whole: the share stands, as it was recorded
    assert error_codes(body) == ["INTERNAL_SERVER_ERROR"]
    assert await _live_shares(engine) == 1
    assert "contact.unshared" not in await _actions(engine)


async def test_a_share_racing_an_erasure_leaves_nothing(
    registry: Registry, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a contact, erased just after the share read it
    created = await registry.create(country="KE")
    await registry.step_up(registry.keeper)
    await registry.step_up(registry.admin)
    _erased_once_loaded(monkeypatch, disclosure, registry, created["id"])
    # When the share goes on
    body = await registry.run(registry.keeper, SHARE, _share(registry, created["id"]))
    # Then it answers as for no contact, and leaves no share and no entry sealed under
    # the destroyed key
    assert error_codes(body) == ["NOT_FOUND"]
    assert await _live_shares(engine) == 0
    assert [a for a in await _actions(engine) if a.startswith("contact.")] == [
        "contact.created",
        "contact.erased",
    ]


async def test_a_reveal_racing_an_erasure_records_and_returns_nothing(
    registry: Registry, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a contact, erased just after the reveal read it
    created = await registry.create(fullName="Amina Witness")
    await registry.step_up(registry.keeper)
    await registry.step_up(registry.admin)
    _erased_once_loaded(monkeypatch, disclosure, registry, created["id"])
    # When the reveal goes on
    body = await registry.run(registry.keeper, REVEAL, {"id": created["id"], "purpose": PURPOSE})
    # Then no identity comes back, and no reveal is recorded
    assert error_codes(body) == ["NOT_FOUND"]
    assert "Amina" not in str(body)
    assert "contact.revealed" not in await _actions(engine)


async def test_an_update_racing_an_erasure_writes_nothing(
    registry: Registry, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a contact, erased just after the update read it
    created = await registry.create()
    await registry.step_up(registry.admin)
    _erased_once_loaded(monkeypatch, contacts, registry, created["id"])
    # When the update goes on
    changed = {"fullName": "Jane Again", "riskLevel": "LOW", "consent": "GIVEN"}
    variables = {"id": created["id"], "input": changed}
    body = await registry.run(registry.member, UPDATE, variables)
    # Then it answers as for no contact (not as a stale version), and records nothing
    assert error_codes(body) == ["NOT_FOUND"]
    assert "contact.updated" not in await _actions(engine)


async def test_an_unshare_racing_an_erasure_answers_as_for_no_contact(
    registry: Registry, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a shared contact, erased just after the unshare read it
    created = await registry.create(country="KE")
    await registry.step_up(registry.keeper)
    await registry.step_up(registry.admin)
    await registry.run(registry.keeper, SHARE, _share(registry, created["id"]))
    _erased_once_loaded(monkeypatch, disclosure, registry, created["id"])
    # When the unshare goes on
    variables = {"id": created["id"], "org": to_global_id("Organisation", registry.partner)}
    racing = await registry.run(registry.keeper, UNSHARE, variables)
    # Then it answers exactly as an unshare of the erased contact does, recording nothing
    after = await registry.run(registry.keeper, UNSHARE, variables)
    assert error_codes(racing) == ["NOT_FOUND"]
    assert racing["errors"][0]["message"] == after["errors"][0]["message"]
    assert "contact.unshared" not in await _actions(engine)


async def test_two_erasures_at_once_erase_and_record_once(
    registry: Registry, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a contact, erased by the admin just after the grant holder's erasure read it
    created = await registry.create()
    await registry.step_up(registry.keeper)
    await registry.step_up(registry.admin)
    _erased_once_loaded(monkeypatch, contacts, registry, created["id"])
    # When the grant holder's erasure goes on
    body = await registry.run(registry.keeper, ERASE, {"id": created["id"], "reason": REASON})
    # Then it finds no contact, and the erasure is recorded once
    assert error_codes(body) == ["NOT_FOUND"]
    assert (await _actions(engine)).count("contact.erased") == 1


WAITING_ON_LOCKS = text(
    "SELECT count(*) FROM pg_stat_activity "
    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
)


async def _waiting(engine: AsyncEngine, sessions: int) -> None:
    """Returns once `sessions` sessions wait for a lock (bounded): no timing involved."""
    for _ in range(1000):
        async with engine.connect() as connection:
            if await connection.scalar(WAITING_ON_LOCKS) >= sessions:
                return
        await asyncio.sleep(0.01)  # polling a condition, not timing an outcome
    pytest.fail(f"{sessions} sessions never waited for a lock")


async def test_a_reveal_waiting_on_an_erasure_finds_the_contact_gone(
    backend: str, registry: Registry, engine: AsyncEngine
) -> None:
    if backend == "sqlite":
        pytest.skip("SQLite's write transactions run one at a time: the two cannot overlap")
    created = await registry.create(fullName="Amina Witness")
    await registry.step_up(registry.keeper)
    await registry.step_up(registry.admin)
    chain = organisation_chain(registry.ngo)
    # Given an erasure under way (held just before it appends to the audit chain)
    async with engine.begin() as holder:
        await holder.execute(select(func.pg_advisory_xact_lock(chain_lock_key(chain))))
        erase = asyncio.create_task(
            registry.run(registry.admin, ERASE, {"id": created["id"], "reason": REASON})
        )
        await _waiting(engine, 1)
        # When a reveal of the same contact comes while it is under way
        reveal = asyncio.create_task(
            registry.run(registry.keeper, REVEAL, {"id": created["id"], "purpose": PURPOSE})
        )
        await _waiting(engine, 2)
    # Then the erasure completes, and the reveal finds the contact gone: no identity,
    # no reveal recorded after the erasure answered
    assert (await erase)["data"]["eraseContact"]["erased"] is True
    revealed = await reveal
    assert error_codes(revealed) == ["NOT_FOUND"]
    assert "Amina" not in str(revealed)
    assert "contact.revealed" not in await _actions(engine)
