"""Input checks every follow-up mutation shares: who may write, sharing levels, text,
URLs and recommendation ids. Messages say what is wrong, never echo what was sent."""

from __future__ import annotations

import datetime as dt
import uuid
from urllib.parse import urlsplit

import strawberry
from sqlalchemy import select

from schema.context import Context
from schema.errors import BadUserInput, NotFound
from schema.node import uuid_key
from schema.payloads import invalid
from schema.relay import expect_global_id
from schema.tables.followup import EngagementRole, ImplementationStatus
from schema.tables.recommendations import Recommendation
from security.policy import require_author
from security.roles import Scope
from security.sharing import Visibility

# The UPR's first session was in April 2008: no follow-up work is dated before that year.
EARLIEST = dt.date(2008, 1, 1)

VisibilityEnum = strawberry.enum(
    Visibility,
    name="Visibility",
    description="Who may see a row: anyone, vetted partners, one coalition, or only you.",
)

ImplementationStatusEnum = strawberry.enum(ImplementationStatus, name="ImplementationStatus")
EngagementRoleEnum = strawberry.enum(EngagementRole, name="EngagementRole")


def author(context: Context, scope: Scope) -> uuid.UUID:
    """The organisation recording follow-up work: its members and admins, or one of its
    API tokens holding `scope`."""
    return require_author(context.principal, scope)


def sharing(
    context: Context, visibility: Visibility, coalition_id: strawberry.ID | None
) -> uuid.UUID | None:
    """The coalition a row is shared with: named exactly when the level is COALITION,
    and only a coalition the author is an active member of."""
    if visibility is not Visibility.COALITION:
        if coalition_id is not None:
            raise invalid("coalitionId", "Only COALITION visibility names a coalition.")
        return None
    if coalition_id is None:
        raise invalid("coalitionId", "COALITION visibility needs the coalition to share with.")
    try:
        key = uuid_key(expect_global_id(coalition_id, "Coalition"))
    except BadUserInput:
        raise invalid("coalitionId", "Not a coalition id.") from None
    if key not in context.principal.coalition_ids:
        raise invalid("coalitionId", "Share only with a coalition you are an active member of.")
    return key


def text(field: str, value: str | None, limit: int, *, required: bool = False) -> str | None:
    """Trimmed text within `limit` characters; empty is absent."""
    value = value.strip() if value is not None else None
    if not value:
        if required:
            raise invalid(field, "This field is required.")
        return None
    if len(value) > limit:
        raise invalid(field, f"At most {limit:,} characters.")
    if "\x00" in value:
        raise invalid(field, "Text may not contain NUL characters.")
    return value


def web_url(field: str, value: str | None, limit: int = 2000) -> str | None:
    """An absolute http or https URL (never javascript:, data: or file:)."""
    value = text(field, value, limit)
    if value is None:
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        raise invalid(field, "Give an http or https URL.") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or " " in value:
        raise invalid(field, "Give an http or https URL.")
    return value


async def recommendation_key(context: Context, recommendation_id: strawberry.ID) -> uuid.UUID:
    """The key of an existing recommendation (public data); NOT_FOUND otherwise."""
    key = uuid_key(expect_global_id(recommendation_id, "Recommendation"))
    table = Recommendation.__table__.c
    if await context.fetch_scalar(select(table.id).where(table.id == key)) is None:
        raise NotFound("No such recommendation.")
    return key
