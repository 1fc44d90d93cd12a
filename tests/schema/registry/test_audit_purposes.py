"""Sealed purposes in the audit and on shares: each decrypts only in its own row
(property 3), and one that cannot be opened costs that purpose, not the audit page."""

from __future__ import annotations

import logging
import os
import uuid
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from starlette.applications import Starlette

from schema.registry.keys import organisation_key_purpose
from schema.registry.sealing import ContactFields
from schema.relay import to_global_id
from schema.tables.accounts import OrganisationKey
from schema.tables.audit import AuditEvent
from schema.tables.registry import Contact, ContactShare
from security.crypto import DecryptionError, wrap_key
from tests.schema.registry.conftest import Registry
from tests.schema.registry.test_contacts import AUDIT, REVEAL, SHARE
from tests.tampering import tampering

SHARED = "Joint protection follow-up in Geneva"
FIRST = "Checking her consent before the dialogue"
SECOND = "Preparing the safety plan for her travel"
_events = AuditEvent.__table__.c


async def _reveal(registry: Registry, contact: str, purpose: str) -> None:
    body = await registry.run(registry.keeper, REVEAL, {"id": contact, "purpose": purpose})
    assert body["data"]["revealContact"]["userErrors"] == [], body


async def _purposes(registry: Registry, action: str) -> list[str | None]:
    """The purposes an admin reads for `action`, oldest first."""
    body = await registry.run(registry.admin, AUDIT)
    assert "errors" not in body, body["errors"]
    nodes = body["data"]["auditEvents"]["nodes"]
    return [node["purpose"] for node in reversed(nodes) if node["action"] == action]


async def _sealed(connection: AsyncConnection, action: str) -> list[Any]:
    query = select(_events.id, _events.sealed_details).where(_events.action == action)
    return list((await connection.execute(query.order_by(_events.sequence))).all())


async def test_a_purpose_copied_to_another_entry_does_not_decrypt(
    backend: str, registry: Registry, engine: AsyncEngine
) -> None:
    # Given two reveals of one contact, with different purposes
    created = await registry.create()
    await registry.step_up(registry.keeper)
    await _reveal(registry, created["id"], FIRST)
    await _reveal(registry, created["id"], SECOND)
    assert await _purposes(registry, "contact.revealed") == [FIRST, SECOND]
    # When the first's sealed purpose is copied over the second's
    async with tampering(engine, backend) as connection:
        first, second = await _sealed(connection, "contact.revealed")
        await connection.execute(
            update(AuditEvent)
            .where(_events.id == second.id)
            .values(sealed_details=first.sealed_details)
        )
    # Then it does not decrypt there (same contact, same key, another row)
    assert await _purposes(registry, "contact.revealed") == [FIRST, None]


async def test_a_share_purpose_is_bound_to_its_share(
    backend: str, registry: Registry, engine: AsyncEngine, app: Starlette
) -> None:
    # Given a contact shared with a stated purpose, and revealed with another
    created = await registry.create(country="KE")
    await registry.step_up(registry.keeper)
    variables = {
        "id": created["id"],
        "org": to_global_id("Organisation", registry.partner),
        "attributes": ["COUNTRY"],
        "purpose": SHARED,
    }
    shared = await registry.run(registry.keeper, SHARE, variables)
    assert shared["data"]["shareContact"]["userErrors"] == [], shared
    await _reveal(registry, created["id"], FIRST)
    # When the share's sealed purpose is read back with the contact's key
    async with engine.connect() as connection:
        share = (await connection.execute(select(ContactShare.__table__))).one()
        contact = (await connection.execute(select(Contact.__table__))).one()
        key = await app.state.runtime.registry.contact_key(
            connection, contact.id, contact.owner_organisation_id, contact.wrapped_data_key
        )
    # Then the share's purpose opens at its own row, and at no other place
    fields = ContactFields(key, contact.id, contact.owner_organisation_id)
    assert fields.open_share_purpose(share.id, share.purpose_ciphertext) == SHARED
    with pytest.raises(DecryptionError):
        fields.open_audit(share.id, share.purpose_ciphertext)
    # And copied over the reveal's entry, it does not decrypt there
    async with tampering(engine, backend) as connection:
        (revealed,) = await _sealed(connection, "contact.revealed")
        await connection.execute(
            update(AuditEvent)
            .where(_events.id == revealed.id)
            .values(sealed_details=share.purpose_ciphertext)
        )
    assert await _purposes(registry, "contact.revealed") == [None]
    assert await _purposes(registry, "contact.shared") == [SHARED]


async def _two_revealed(registry: Registry, engine: AsyncEngine) -> uuid.UUID:
    """Two contacts revealed with different purposes; the first one's row id."""
    first = await registry.create(fullName="Amina Witness")
    second = await registry.create(fullName="John Witness")
    await registry.step_up(registry.keeper)
    await _reveal(registry, first["id"], FIRST)
    await _reveal(registry, second["id"], SECOND)
    async with engine.connect() as connection:
        created = await connection.scalar(
            select(_events.subject_id)
            .where(_events.action == "contact.created")
            .order_by(_events.sequence)
            .limit(1)
        )
    assert isinstance(created, uuid.UUID)
    return created


async def _forget_keys(app: Starlette, engine: AsyncEngine, registry: Registry) -> None:
    """A server that has not unwrapped these keys yet (as after a restart)."""
    cache = app.state.runtime.registry.cache
    cache.drop("org", registry.ngo)
    async with engine.connect() as connection:
        for contact in (await connection.execute(select(Contact.id))).scalars():
            cache.drop("contact", contact)


def _no_text_logged(caplog: pytest.LogCaptureFixture) -> None:
    logged = caplog.text
    assert "purpose unreadable" in logged
    for secret in (FIRST, SECOND, "Amina", "John"):
        assert secret not in logged


async def test_an_unreadable_contact_key_costs_only_its_purposes(
    registry: Registry, engine: AsyncEngine, app: Starlette, caplog: pytest.LogCaptureFixture
) -> None:
    # Given two revealed contacts, one of whose wrapped data key is damaged
    damaged = await _two_revealed(registry, engine)
    async with engine.begin() as connection:
        wrapped = await connection.scalar(
            select(Contact.wrapped_data_key).where(Contact.id == damaged)
        )
        await connection.execute(
            update(Contact)
            .where(Contact.id == damaged)
            .values(wrapped_data_key=wrapped[:-1] + bytes([wrapped[-1] ^ 1]))
        )
    await _forget_keys(app, engine, registry)
    # When an admin reads the audit
    with caplog.at_level(logging.WARNING, logger="upright.audit"):
        purposes = await _purposes(registry, "contact.revealed")
    # Then the page answers: the damaged contact's purpose is null, the other's readable,
    # and the failure is logged without any text
    assert purposes == [None, SECOND]
    _no_text_logged(caplog)


async def test_an_unreadable_organisation_key_costs_only_the_purposes(
    registry: Registry, engine: AsyncEngine, app: Starlette, caplog: pytest.LogCaptureFixture
) -> None:
    # Given revealed contacts, and their organisation's key wrapped under a KEK version
    # missing from the key file
    await _two_revealed(registry, engine)
    missing = wrap_key(
        os.urandom(32), 99, os.urandom(32), organisation_key_purpose(registry.ngo, 1)
    )
    async with engine.begin() as connection:
        await connection.execute(
            update(OrganisationKey)
            .where(OrganisationKey.organisation_id == registry.ngo)
            .values(wrapped_key=missing)
        )
    await _forget_keys(app, engine, registry)
    # When an admin reads the audit
    with caplog.at_level(logging.WARNING, logger="upright.audit"):
        body = await registry.run(registry.admin, AUDIT)
    # Then the page still answers, every entry listed, the purposes null, logged
    assert "errors" not in body, body["errors"]
    nodes = body["data"]["auditEvents"]["nodes"]
    assert {"contact.created", "contact.revealed"} <= {node["action"] for node in nodes}
    assert all(node["purpose"] is None for node in nodes)
    _no_text_logged(caplog)
