"""`owner_of`: the owner named with a row, built once per request and reader, and
again after the request writes."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from schema.context import Context
from schema.organisations.types import owner_of
from schema.reference.cache import ReferenceData
from schema.tables.organisations import OrganisationKind
from security.policy import ANONYMOUS, Viewer

OWNER = uuid.uuid4()


def _columns(name: str) -> dict[str, Any]:
    """An owner's columns as `ORGANISATION_COLUMNS` reads them: no public profile."""
    return {
        "id": OWNER,
        "name": name,
        "acronym": None,
        "kind": OrganisationKind.NATIONAL_NGO,
        "country_code": None,
        "website": None,
        "vetted_partner": False,
        "public_profile": False,
    }


REFERENCE = ReferenceData({}, {}, {}, {}, {}, {}, {})


def _context(viewer: Viewer) -> Context:
    return Context(None, viewer, REFERENCE, services=None)  # type: ignore[arg-type]


def test_an_owner_is_built_once_per_request() -> None:
    context = _context(Viewer(organisation_id=OWNER))
    first = owner_of(_columns("Kenya Human Rights Forum"), context)  # type: ignore[arg-type]
    again = owner_of(_columns("Kenya Human Rights Forum"), context)  # type: ignore[arg-type]
    assert first is not None
    assert again is first
    # Another request builds its own.
    other = owner_of(_columns("Kenya Human Rights Forum"), _context(Viewer(organisation_id=OWNER)))  # type: ignore[arg-type]
    assert other is not first
    assert other == first


def test_a_new_principal_sees_owners_as_itself() -> None:
    # Its own member sees an organisation without a public profile; once signed out
    # (within the same request), the same owner is hidden.
    context = _context(Viewer(organisation_id=OWNER))
    assert owner_of(_columns("Forum"), context) is not None  # type: ignore[arg-type]
    context.signed_in_as(ANONYMOUS)
    assert owner_of(_columns("Forum"), context) is None  # type: ignore[arg-type]
    # And a reader derived from a request (an export's audience) keeps its own.
    member = _context(Viewer(organisation_id=OWNER))
    assert owner_of(_columns("Forum"), member) is not None  # type: ignore[arg-type]
    assert owner_of(_columns("Forum"), member.reading_as(ANONYMOUS)) is None  # type: ignore[arg-type]


async def test_a_write_forgets_the_owners_read_before_it(engine: AsyncEngine) -> None:
    # A mutation may rename or vet an organisation and then name it again: what was
    # built before the write is not served after it, to any reader of the request.
    context = Context(engine, Viewer(organisation_id=OWNER), REFERENCE, services=None)  # type: ignore[arg-type]
    reader = context.reading_as(Viewer(organisation_id=OWNER))
    try:
        before = owner_of(_columns("Old name"), context)  # type: ignore[arg-type]
        owner_of(_columns("Old name"), reader)  # type: ignore[arg-type]
        async with context.write():
            pass
        after = owner_of(_columns("New name"), context)  # type: ignore[arg-type]
        read = owner_of(_columns("New name"), reader)  # type: ignore[arg-type]
    finally:
        await context.close()
    assert before is not None
    assert after is not None
    assert read is not None
    assert (before.name, after.name, read.name) == ("Old name", "New name", "New name")
