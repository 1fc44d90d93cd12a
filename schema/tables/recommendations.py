"""Recommendations (public UN data) and what they are tagged and linked with."""

import enum
import uuid
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Table,
    Text,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeEngine

from schema.db import Base, Versioned, new_id
from security.sharing import enum_column


class Mechanism(enum.StrEnum):
    UPR = "UPR"
    TREATY_BODY = "TREATY_BODY"
    SPECIAL_PROCEDURE = "SPECIAL_PROCEDURE"


class Response(enum.StrEnum):
    SUPPORTED = "SUPPORTED"
    NOTED = "NOTED"
    SUPPORTED_IN_PART = "SUPPORTED_IN_PART"
    PENDING = "PENDING"


class Recommendation(Versioned, Base):
    """One recommendation to one state, with all the states that made it.

    `natural_key` is a SHA-256 of (mechanism, state, session or document, normalised
    text): the same recommendation from several rows or sources merges into one row.
    """

    __tablename__ = "recommendations"
    __table_args__ = (
        CheckConstraint("action_category BETWEEN 1 AND 5", name="action_category_range"),
        CheckConstraint("(mechanism = 'UPR') = (review_id IS NOT NULL)", name="review_iff_upr"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    mechanism: Mapped[Mechanism] = mapped_column(enum_column(Mechanism, "mechanism"), index=True)
    # The state under review (UPR) or concerned (other mechanisms).
    state_code: Mapped[str] = mapped_column(String(3), ForeignKey("states.code"))
    review_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("reviews.id"))
    paragraph: Mapped[str | None] = mapped_column(String(20))  # e.g. "119.45"
    # Other mechanisms: the document holding it, e.g. "CRC/C/KEN/CO/3-5", and its body.
    document_symbol: Mapped[str | None] = mapped_column(String(80))
    recommending_body: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    # `schema.recommendations.search.search_document(text)`: the words full-text search
    # indexes (a GIN index on PostgreSQL, an FTS5 table on SQLite: migration 0004).
    search_tokens: Mapped[str] = mapped_column(Text, server_default="")
    natural_key: Mapped[str] = mapped_column(String(64), unique=True)
    response: Mapped[Response | None] = mapped_column(enum_column(Response, "response"), index=True)
    response_wording: Mapped[str | None] = mapped_column(String(100))  # as published
    action_category: Mapped[int | None] = mapped_column(SmallInteger, index=True)


# A state's (or a review's) recommendations, read in list order straight off the index.
Index("ix_recommendations_state_code_id", Recommendation.state_code, Recommendation.id)
Index("ix_recommendations_review_id_id", Recommendation.review_id, Recommendation.id)


def _tag_table(name: str, column: str, target: str, type_: TypeEngine[Any]) -> Table:
    """recommendation <-> tag; the second index answers "recommendations with tag X"."""
    return Table(
        name,
        Base.metadata,
        Column(
            "recommendation_id",
            Uuid,
            ForeignKey("recommendations.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        Column(column, type_, ForeignKey(target), primary_key=True),
        Index(f"ix_{name}_{column}", column, "recommendation_id"),
    )


recommending_states = _tag_table(
    "recommendation_recommending_states", "state_code", "states.code", String(3)
)
recommendation_themes = _tag_table("recommendation_themes", "theme_code", "themes.code", String(64))
recommendation_affected_persons = _tag_table(
    "recommendation_affected_persons", "affected_person_code", "affected_persons.code", String(64)
)
recommendation_sdg_goals = _tag_table(
    "recommendation_sdg_goals", "goal_number", "sdg_goals.number", SmallInteger()
)
recommendation_sdg_targets = _tag_table(
    "recommendation_sdg_targets", "target_code", "sdg_targets.code", String(5)
)


# OHCHR's own themes (UHRI exports), as published: kept beside their mapping onto
# `themes`, which only some of them have.
recommendation_source_themes = Table(
    "recommendation_source_themes",
    Base.metadata,
    Column(
        "recommendation_id",
        Uuid,
        ForeignKey("recommendations.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("name", Text, primary_key=True),
    Index("ix_recommendation_source_themes_name", "name", "recommendation_id"),
)


class RecommendationLink(Base):
    """A cross-reference to a recommendation of another mechanism or an earlier cycle,
    by document symbol and paragraph; `target_id` is set once that one is imported."""

    __tablename__ = "recommendation_links"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    recommendation_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("recommendations.id", ondelete="CASCADE"), index=True
    )
    target_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("recommendations.id"), index=True
    )
    mechanism: Mapped[Mechanism] = mapped_column(enum_column(Mechanism, "mechanism"))
    document_symbol: Mapped[str] = mapped_column(String(80))
    paragraph: Mapped[str | None] = mapped_column(String(20))
