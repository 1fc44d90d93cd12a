"""Reviews: one state's review at one Working Group session."""

import datetime as dt
import uuid

from sqlalchemy import Date, ForeignKey, Index, SmallInteger, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from schema.db import Base, Versioned, new_id


class Review(Versioned, Base):
    """Milestones are computed from `review_date`, never from session arithmetic:
    sessions move (session 36 was postponed from May to November 2020)."""

    __tablename__ = "reviews"
    __table_args__ = (UniqueConstraint("state_code", "session_number"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    state_code: Mapped[str] = mapped_column(String(3), ForeignKey("states.code"))
    session_number: Mapped[int] = mapped_column(
        SmallInteger, ForeignKey("sessions.number"), index=True
    )
    review_date: Mapped[dt.date] = mapped_column(Date, index=True)
    adoption_date: Mapped[dt.date | None] = mapped_column(Date)
    hrc_session: Mapped[int | None] = mapped_column(SmallInteger)
    # The Working Group report, e.g. "A/HRC/44/12".
    report_symbol: Mapped[str | None] = mapped_column(String(40))


# A state's reviews, newest first, straight off the index.
Index(
    "ix_reviews_state_code_newest", Review.state_code, Review.review_date.desc(), Review.id.desc()
)
