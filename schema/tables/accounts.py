"""Sign-in state: sessions, API tokens, invitations, second factors, throttling, keys.

Secrets are never stored: tokens as SHA-256 digests, recovery codes likewise, TOTP
secrets and invited emails as ciphertext under the platform data key.
"""

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, Index, LargeBinary, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from schema.db import Base, UTCDateTime, Versioned, new_id
from security.roles import Role
from security.sharing import enum_column


class UserSession(Base):
    """A signed-in session. It ends at `expires_at` (absolute), after the idle timeout
    since `last_seen_at`, or when revoked."""

    __tablename__ = "user_sessions"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"), index=True)
    token_digest: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # When the user last proved their second factor in this session (step-up).
    second_factor_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class ApiToken(Base):
    """A client app's token. It belongs to the organisation, not to the admin who made it."""

    __tablename__ = "api_tokens"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("organisations.id"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    token_digest: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    scopes: Mapped[str] = mapped_column(String(300))  # space-separated
    created_by_user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # Written at most once a minute, not on every request.
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class Invitation(Base):
    """An invitation to join an organisation with a role: one use, until it expires."""

    __tablename__ = "invitations"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("organisations.id"), index=True
    )
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    email_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    email_index: Mapped[bytes] = mapped_column(LargeBinary(32), index=True)
    token_digest: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    invited_by_user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class RecoveryCode(Base):
    """A one-time code that stands in for a lost second factor."""

    __tablename__ = "recovery_codes"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"), index=True)
    code_digest: Mapped[bytes] = mapped_column(LargeBinary(32))
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class LoginThrottle(Base):
    """Failed sign-ins per submitted identifier or client address, when no Redis is
    configured. Keys are digests: the table never holds an email address."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    first_failure_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    blocked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class KeyCheck(Base):
    """A check value per key version: a server started with the wrong key file sees
    a mismatch and refuses to start, before it writes anything under a wrong key."""

    __tablename__ = "key_checks"
    __table_args__ = (UniqueConstraint("root", "version"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    root: Mapped[str] = mapped_column(String(30))
    version: Mapped[int]
    check_value: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # KEK versions: when nothing live was wrapped by it any more (rotation finished), and
    # when it was destroyed (backups older than the retention then decrypt nothing).
    retired_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    destroyed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class PlatformKey(Versioned, Base):
    """The platform's own data key (user fields, TOTP secrets), wrapped by the KEK."""

    __tablename__ = "platform_keys"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    generation: Mapped[int] = mapped_column(unique=True)
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)
    kek_version: Mapped[int]


Index("ix_user_sessions_live", UserSession.user_id, UserSession.revoked_at)
Index("ix_api_tokens_live", ApiToken.organisation_id, ApiToken.revoked_at)


class OrganisationKey(Versioned, Base):
    """An organisation's key, wrapped by the KEK; it wraps the data key of each of the
    organisation's contacts. Re-wrapping (rotation) updates `wrapped_key` and
    `kek_version` under the row's version, so a concurrent change is never overwritten."""

    __tablename__ = "organisation_keys"
    __table_args__ = (UniqueConstraint("organisation_id", "generation"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    organisation_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("organisations.id"))
    generation: Mapped[int]
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)
    kek_version: Mapped[int] = mapped_column(index=True)


class RevealGrant(Base):
    """An org admin's explicit permission for one user to reveal (and search, and share)
    the organisation's contacts. Revoked grants stay for the record."""

    __tablename__ = "reveal_grants"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("organisations.id"), index=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"), index=True)
    granted_by_user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
