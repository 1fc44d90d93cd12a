"""Reference data: states, regional groups, cycles, sessions and the vocabularies.

Keyed by their natural codes (ISO 3166 alpha-3, session numbers, theme slugs): these
keys are public, stable and made by the application, like every other key.
"""

import datetime as dt
import enum

from sqlalchemy import Date, ForeignKey, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from schema.db import Base
from security.sharing import enum_column


class RegionalGroup(enum.StrEnum):
    AFRICA = "AFRICA"
    ASIA_PACIFIC = "ASIA_PACIFIC"
    EEG = "EEG"  # Eastern European Group
    GRULAC = "GRULAC"  # Latin American and Caribbean Group
    WEOG = "WEOG"  # Western European and Others Group


class State(Base):
    """A country or territory of ISO 3166-1; UN members carry their regional group."""

    __tablename__ = "states"

    code: Mapped[str] = mapped_column(String(3), primary_key=True)  # alpha-3
    alpha2: Mapped[str] = mapped_column(String(2), unique=True)
    numeric: Mapped[str] = mapped_column(String(3))
    name: Mapped[str] = mapped_column(String(120), unique=True)
    official_name: Mapped[str | None] = mapped_column(String(200))
    un_member: Mapped[bool]
    un_observer: Mapped[bool]
    regional_group: Mapped[RegionalGroup | None] = mapped_column(
        enum_column(RegionalGroup, "regional_group"), index=True
    )


class Cycle(Base):
    __tablename__ = "cycles"

    number: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    first_session: Mapped[int] = mapped_column(SmallInteger)
    last_session: Mapped[int] = mapped_column(SmallInteger)
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date | None] = mapped_column(Date)


class Session(Base):
    """A Working Group session. Its date is the month it met (reference data is
    month-precise); each review carries its own exact date."""

    __tablename__ = "sessions"

    number: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    cycle_number: Mapped[int] = mapped_column(SmallInteger, ForeignKey("cycles.number"), index=True)
    starts_on: Mapped[dt.date] = mapped_column(Date)


class Theme(Base):
    """One of the 54 issues of the largest public UPR database."""

    __tablename__ = "themes"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)


class AffectedPerson(Base):
    """A group of OHCHR's list of affected persons."""

    __tablename__ = "affected_persons"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)


class SdgGoal(Base):
    __tablename__ = "sdg_goals"

    number: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(100), unique=True)


class SdgTarget(Base):
    __tablename__ = "sdg_targets"

    code: Mapped[str] = mapped_column(String(5), primary_key=True)  # "16.3", "16.a"
    goal_number: Mapped[int] = mapped_column(
        SmallInteger, ForeignKey("sdg_goals.number"), index=True
    )
