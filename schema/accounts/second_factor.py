"""Second factors: TOTP codes (each accepted once) and one-time recovery codes.

Acceptance is a conditional UPDATE: of two requests racing with the same code, exactly
one changes the row, so a code can never be used twice.
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Row, or_, update

from schema.audit import organisation_chain, record
from schema.context import Context
from schema.tables.accounts import RecoveryCode
from schema.tables.organisations import User
from security import totp
from security.platform import PlatformKeys

_users = User.__table__.c
_codes = RecoveryCode.__table__.c


def seal_totp_secret(
    keys: PlatformKeys, secret: bytes, user_id: uuid.UUID, organisation_id: uuid.UUID
) -> bytes:
    text = base64.b32encode(secret).decode()
    return keys.seal(text, "users", "totp_secret", user_id, organisation_id)


def open_totp_secret(keys: PlatformKeys, user: Row[Any]) -> bytes:
    text = keys.open(
        user.totp_secret_ciphertext, "users", "totp_secret", user.id, user.organisation_id
    )
    return base64.b32decode(text)


async def accept_second_factor(context: Context, user: Row[Any], code: str) -> bool:
    """Whether `code` proves the user's second factor now; a code it accepts is spent."""
    code = code.strip()
    if user.totp_secret_ciphertext is None:
        return False
    if code.isdigit():
        return await _accept_totp(
            context, user, code, open_totp_secret(context.services.keys, user)
        )
    return await _accept_recovery_code(context, user, code)


async def _accept_totp(context: Context, user: Row[Any], code: str, secret: bytes) -> bool:
    step = totp.verify_code(secret, code, context.now().timestamp(), user.totp_last_step)
    if step is None:
        return False
    async with context.write() as connection:
        result = await connection.execute(
            update(User)
            .where(
                _users.id == user.id,
                or_(_users.totp_last_step.is_(None), _users.totp_last_step < step),
            )
            .values(totp_last_step=step)
        )
    return result.rowcount == 1


async def _accept_recovery_code(context: Context, user: Row[Any], code: str) -> bool:
    """A spent recovery code is an access change worth the organisation's audit: the
    device may be lost, or the code stolen."""
    async with context.write() as connection:
        result = await connection.execute(
            update(RecoveryCode)
            .where(
                _codes.user_id == user.id,
                _codes.code_digest == totp.recovery_code_digest(code),
                _codes.used_at.is_(None),
            )
            .values(used_at=context.now())
        )
        if result.rowcount == 1:
            await record(
                connection,
                organisation_chain(user.organisation_id),
                "second-factor.recovery-code-used",
                context.now(),
                actor_user_id=user.id,
                actor_organisation_id=user.organisation_id,
                subject_type="User",
                subject_id=user.id,
            )
    return result.rowcount == 1


def fresh_until(second_factor_at: dt.datetime | None, window: dt.timedelta) -> dt.datetime | None:
    return second_factor_at + window if second_factor_at else None
