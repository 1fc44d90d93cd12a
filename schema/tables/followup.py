"""The partners' follow-up work: engagements, assessments, activities and pledges.

Every row here is organisation data under the sharing policy (`Shareable`).
"""

import datetime as dt
import enum
import uuid

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from schema.db import Base, UTCDateTime, Versioned, new_id
from security.sharing import Shareable, enum_column, shareable_constraints


class EngagementRole(enum.StrEnum):
    LEAD = "LEAD"
    PARTNER = "PARTNER"
    MONITOR = "MONITOR"


class Engagement(Shareable, Versioned, Base):
    """The owning organisation follows up on a recommendation."""

    __tablename__ = "engagements"
    __table_args__ = (
        *shareable_constraints(),
        UniqueConstraint("recommendation_id", "owner_organisation_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    recommendation_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("recommendations.id"))
    role: Mapped[EngagementRole] = mapped_column(enum_column(EngagementRole, "engagement_role"))
    note: Mapped[str | None] = mapped_column(String(2000))


class ImplementationStatus(enum.StrEnum):
    NOT_IMPLEMENTED = "NOT_IMPLEMENTED"
    PARTIALLY_IMPLEMENTED = "PARTIALLY_IMPLEMENTED"
    FULLY_IMPLEMENTED = "FULLY_IMPLEMENTED"
    UNKNOWN = "UNKNOWN"


class Assessment(Shareable, Versioned, Base):
    """One organisation's assessment of a recommendation's implementation at a date.

    Every assessment is kept; "latest" is per assessing organisation, so partners who
    disagree are shown side by side, never averaged away.
    """

    __tablename__ = "assessments"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    recommendation_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("recommendations.id"))
    # No index of its own: status is always asked per recommendation (latest visible
    # assessment), through `ix_assessments_latest`; SQLite would otherwise pick a status
    # index and scan every assessment with that status once per recommendation.
    status: Mapped[ImplementationStatus] = mapped_column(
        enum_column(ImplementationStatus, "implementation_status")
    )
    evidence: Mapped[str | None] = mapped_column(Text)
    source_url: Mapped[str | None] = mapped_column(String(2000))
    assessed_on: Mapped[dt.date] = mapped_column(Date)


# The latest assessment per (recommendation, organisation) is the last entry here, in
# the very order of `schema.followup.derived.latest_order`. On PostgreSQL the columns the
# policy and the statistics read are carried along (INCLUDE): "is there a later visible
# one?" and "how many latest ones have each status?" are answered from the index alone
# (a state's implementation-status counts: 98 ms to 29 ms at full scale).
Index(
    "ix_assessments_latest",
    Assessment.recommendation_id,
    Assessment.owner_organisation_id,
    Assessment.assessed_on,
    Assessment.created_at,
    Assessment.id,
    postgresql_include=["status", "visibility", "coalition_id"],
)


class ActivityKind(enum.StrEnum):
    PRE_SESSION = "PRE_SESSION"
    CSO_STRATEGY_WORKSHOP = "CSO_STRATEGY_WORKSHOP"
    CSO_GOVERNMENT_DIALOGUE = "CSO_GOVERNMENT_DIALOGUE"
    MID_TERM_REPORT = "MID_TERM_REPORT"
    OTHER = "OTHER"


class Activity(Shareable, Versioned, Base):
    """A follow-up activity. Money is kept in minor units of its ISO 4217 currency,
    so amounts are exact on both databases."""

    __tablename__ = "activities"
    __table_args__ = (
        *shareable_constraints(),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="dates_ordered"),
        CheckConstraint("budget_minor IS NULL OR budget_minor >= 0", name="budget_positive"),
        CheckConstraint("(budget_minor IS NULL) = (currency IS NULL)", name="budget_has_currency"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    kind: Mapped[ActivityKind] = mapped_column(
        enum_column(ActivityKind, "activity_kind"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    review_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("reviews.id"), index=True)
    starts_on: Mapped[dt.date] = mapped_column(Date, index=True)
    ends_on: Mapped[dt.date | None] = mapped_column(Date)
    # Place: a city and a country only, never a venue (people meet there).
    city: Mapped[str | None] = mapped_column(String(100))
    country_code: Mapped[str | None] = mapped_column(
        String(3), ForeignKey("states.code"), index=True
    )
    budget_minor: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str | None] = mapped_column(String(3))
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


activity_organisers = Table(
    "activity_organisers",
    Base.metadata,
    Column("activity_id", Uuid, ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", Uuid, ForeignKey("organisations.id"), primary_key=True),
    Index("ix_activity_organisers_organisation_id", "organisation_id", "activity_id"),
)

activity_recommendations = Table(
    "activity_recommendations",
    Base.metadata,
    Column("activity_id", Uuid, ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True),
    Column("recommendation_id", Uuid, ForeignKey("recommendations.id"), primary_key=True),
    Index("ix_activity_recommendations_recommendation_id", "recommendation_id", "activity_id"),
)


class PledgeStatus(enum.StrEnum):
    PLEDGED = "PLEDGED"
    RECEIVED = "RECEIVED"


class FundingPledge(Shareable, Versioned, Base):
    """Money an organisation (the owner) pledges to an activity. A pledge is never
    more visible than its activity: readers must see both."""

    __tablename__ = "funding_pledges"
    __table_args__ = (
        *shareable_constraints(),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    activity_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("activities.id"), index=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[PledgeStatus] = mapped_column(enum_column(PledgeStatus, "pledge_status"))
