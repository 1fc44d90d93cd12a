"""Account operations shared by several mutations: sessions, users, throttle keys."""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from schema.accounts.throttle import Attempt, Key
from schema.context import AccountRules, Context
from schema.db import new_id
from schema.errors import NotFound, RateLimited
from schema.tables.accounts import UserSession
from schema.tables.organisations import User
from security import tokens

_sessions = UserSession.__table__.c


async def start_session(
    connection: AsyncConnection,
    user_id: uuid.UUID,
    now: dt.datetime,
    rules: AccountRules,
    second_factor: bool,
) -> tuple[str, uuid.UUID]:
    """A new session; returns its secret (shown once, stored only as a digest)."""
    secret = tokens.new_secret(tokens.SESSION_PREFIX)
    session_id = new_id()
    await connection.execute(
        insert(UserSession).values(
            id=session_id,
            user_id=user_id,
            token_digest=tokens.digest(secret),
            created_at=now,
            last_seen_at=now,
            expires_at=now + rules.session_absolute,
            second_factor_at=now if second_factor else None,
            revoked_at=None,
        )
    )
    return secret, session_id


async def end_sessions(
    connection: AsyncConnection,
    user_id: uuid.UUID,
    now: dt.datetime,
    keep: uuid.UUID | None = None,
) -> None:
    """Revoke a user's sessions (all, or all but `keep`): effective at once."""
    condition = [_sessions.user_id == user_id, _sessions.revoked_at.is_(None)]
    if keep is not None:
        condition.append(_sessions.id != keep)
    await connection.execute(update(UserSession).where(*condition).values(revoked_at=now))


async def target_user(
    connection: AsyncConnection, user_id: uuid.UUID, organisation_id: uuid.UUID
) -> Row[Any]:
    """A user of the admin's own organisation; any other id answers NOT_FOUND, exactly
    like an id that does not exist."""
    users = User.__table__.c
    row = (
        await connection.execute(
            select(User.__table__).where(
                users.id == user_id, users.organisation_id == organisation_id
            )
        )
    ).first()
    if row is None:
        raise NotFound("No such user.")
    return row


async def throttled(context: Context, keys: Sequence[Key]) -> Attempt:
    """Count an attempt against `keys` before checking anything; refused (RATE_LIMITED)
    while one of them waits out its delay."""
    attempt = await context.services.throttle.attempt(keys, context.now(), context.write)
    if attempt.wait > dt.timedelta(0):
        seconds = max(1, math.ceil(attempt.wait.total_seconds()))
        raise RateLimited(f"Too many attempts: try again in {seconds} seconds.", seconds)
    return attempt
