"""The audit log: hash chains, one per organisation and one for the platform."""

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, LargeBinary, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from schema.db import Base, UTCDateTime, new_id


class AuditEvent(Base):
    """One entry of a chain: `entry_hash = SHA-256(previous_hash || canonical JSON)`.

    Entries are only ever appended. `details` holds only metadata; free text about a
    contact belongs in `sealed_details`, encrypted under that contact's data key, so it
    dies with the key when the contact is erased, and bound to this entry's id (made
    before the insert): copied into another entry, it does not decrypt.
    """

    __tablename__ = "audit_events"
    __table_args__ = (UniqueConstraint("chain", "sequence"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    chain: Mapped[str] = mapped_column(String(60))  # "platform" or "org:<uuid>"
    sequence: Mapped[int] = mapped_column(BigInteger)
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    actor_user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id"))
    actor_organisation_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("organisations.id")
    )
    action: Mapped[str] = mapped_column(String(60), index=True)
    subject_type: Mapped[str | None] = mapped_column(String(40))
    subject_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    sealed_details: Mapped[bytes | None] = mapped_column(LargeBinary)
    previous_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    entry_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
