"""GraphQL documents registered by the operator (`upright operations register`)."""

import datetime as dt

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from schema.db import Base, UTCDateTime


class PersistedOperation(Base):
    """A document clients may run by its SHA-256 alone; in allow-list mode
    (`UPRIGHT_PERSISTED_ONLY`), the only documents that run at all."""

    __tablename__ = "persisted_operations"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)  # hex, of the text
    document: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(String(200))  # the file it came from, for people
    registered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
