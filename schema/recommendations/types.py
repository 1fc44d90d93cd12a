"""GraphQL types of recommendations.

Plain attributes are filled from the row and resolve synchronously; only fields that
really fetch (tags, review, links) are async, and they go through DataLoaders.
"""

import uuid
from collections.abc import Sequence
from typing import Any

import strawberry
from sqlalchemy import Row
from strawberry.types import Info

from schema.context import Context
from schema.recommendations import loaders
from schema.reference.cache import ReferenceData
from schema.reference.types import AffectedPerson, SdgGoal, Session, State, Theme
from schema.relay import Node, to_global_id
from schema.reviews.loaders import reviews_by_id
from schema.reviews.types import Review
from schema.tables.recommendations import Mechanism, Response
from schema.tables.recommendations import Recommendation as RecommendationTable

MechanismEnum = strawberry.enum(Mechanism, name="Mechanism")
ResponseEnum = strawberry.enum(Response, name="Response")


@strawberry.type(description="A cross-reference to a recommendation of another mechanism or cycle.")
class RecommendationLink:
    mechanism: MechanismEnum  # type: ignore[valid-type]
    document_symbol: str
    paragraph: str | None
    target_key: strawberry.Private[uuid.UUID | None]

    @strawberry.field(description="The linked recommendation, once it is in upright.")
    async def target(self, info: Info[Context, None]) -> "Recommendation | None":
        if self.target_key is None:
            return None
        found: Recommendation | None = await info.context.loader(recommendations_by_id).load(
            self.target_key
        )
        return found


@strawberry.type(description="A recommendation made to a state, by the UPR or another mechanism.")
class Recommendation(Node):
    key: strawberry.Private[uuid.UUID]
    review_key: strawberry.Private[uuid.UUID | None]
    mechanism: MechanismEnum  # type: ignore[valid-type]
    state: State = strawberry.field(description="The state under review, or concerned.")
    session: Session | None = strawberry.field(description="UPR only: the Working Group session.")
    paragraph: str | None = strawberry.field(description='Paragraph of the report, e.g. "119.45".')
    text: str
    response: ResponseEnum | None  # type: ignore[valid-type]
    response_wording: str | None = strawberry.field(description="The response as published.")
    action_category: int | None = strawberry.field(
        description="What it asks, 1 (minimal action) to 5 (specific action)."
    )
    document_symbol: str | None = strawberry.field(
        description="Other mechanisms: the document holding the recommendation."
    )
    recommending_body: str | None = strawberry.field(
        description="Other mechanisms: the treaty body or special procedure."
    )

    @strawberry.field(description="UPR only: the cycle of the review.")
    def cycle(self) -> int | None:
        return self.session.cycle if self.session is not None else None

    @strawberry.field(description="UPR only: the review that made it.")
    async def review(self, info: Info[Context, None]) -> Review | None:
        if self.review_key is None:
            return None
        found: Review | None = await info.context.loader(reviews_by_id).load(self.review_key)
        return found

    @strawberry.field(description="The states that made it (UPR).")
    async def recommending_states(self, info: Info[Context, None]) -> list[State]:
        codes: list[str] = await info.context.loader(loaders.recommending_state_codes).load(
            self.key
        )
        states = info.context.reference.states
        return sorted((states[code] for code in codes), key=lambda state: state.name)

    @strawberry.field
    async def themes(self, info: Info[Context, None]) -> list[Theme]:
        codes: list[str] = await info.context.loader(loaders.theme_codes).load(self.key)
        themes = info.context.reference.themes
        return sorted((themes[code] for code in codes), key=lambda theme: theme.name)

    @strawberry.field
    async def affected_persons(self, info: Info[Context, None]) -> list[AffectedPerson]:
        codes: list[str] = await info.context.loader(loaders.affected_person_codes).load(self.key)
        persons = info.context.reference.affected_persons
        return sorted((persons[code] for code in codes), key=lambda person: person.name)

    @strawberry.field
    async def sdg_goals(self, info: Info[Context, None]) -> list[SdgGoal]:
        numbers: list[int] = await info.context.loader(loaders.sdg_goal_numbers).load(self.key)
        goals = info.context.reference.sdg_goals
        return [goals[number] for number in sorted(numbers)]

    @strawberry.field(description='SDG targets, e.g. "16.3".')
    async def sdg_targets(self, info: Info[Context, None]) -> list[str]:
        codes: list[str] = await info.context.loader(loaders.sdg_target_codes).load(self.key)
        return sorted(codes, key=_target_order)

    @strawberry.field(description="Cross-references to other mechanisms and earlier cycles.")
    async def links(self, info: Info[Context, None]) -> list[RecommendationLink]:
        found: list[RecommendationLink] = await info.context.loader(links_by_recommendation).load(
            self.key
        )
        return found

    @classmethod
    def from_row(cls, row: Row[Any], reference: ReferenceData) -> "Recommendation":
        return cls(
            id=to_global_id("Recommendation", row.id),
            key=row.id,
            review_key=row.review_id,
            mechanism=row.mechanism,
            state=reference.states[row.state_code],
            session=reference.sessions[row.session_number] if row.session_number else None,
            paragraph=row.paragraph,
            text=row.text,
            response=row.response,
            response_wording=row.response_wording,
            action_category=row.action_category,
            document_symbol=row.document_symbol,
            recommending_body=row.recommending_body,
        )


def _target_order(code: str) -> tuple[int, int, str]:
    goal, _, part = code.partition(".")
    return (int(goal), int(part) if part.isdigit() else 1000, part)


async def links_by_recommendation(
    context: Context, keys: list[uuid.UUID]
) -> list[list[RecommendationLink]]:
    grouped = await loaders.link_rows(context, keys)
    return [
        [
            RecommendationLink(
                mechanism=row.mechanism,
                document_symbol=row.document_symbol,
                paragraph=row.paragraph,
                target_key=row.target_id,
            )
            for row in grouped.get(key, [])
        ]
        for key in keys
    ]


async def recommendations_by_id(
    context: Context, keys: list[uuid.UUID]
) -> Sequence[Recommendation | None]:
    """Recommendations are public UN data: no policy filter applies."""
    rows = await context.fetch_all(
        loaders.recommendation_select().where(RecommendationTable.id.in_(keys))
    )
    found = {row.id: Recommendation.from_row(row, context.reference) for row in rows}
    return [found.get(key) for key in keys]
