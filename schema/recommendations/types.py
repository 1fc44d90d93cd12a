"""GraphQL types of recommendations.

Plain attributes are filled from the row and resolve synchronously; relations (tags,
review, links, partners' work) through `schema.prefetch`: one statement per relation.
"""

import dataclasses
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import strawberry
from sqlalchemy import Row
from strawberry.types import Info

from schema.batch import fetch_by_keys
from schema.context import Context
from schema.followup import loaders as followup
from schema.followup.common import ImplementationStatusEnum
from schema.followup.types import Assessment, Engagement
from schema.prefetch import Load, Resolved, related
from schema.prefetch import prefetch as prefetch_relations
from schema.recommendations import loaders
from schema.recommendations.related import related_rows
from schema.reference.cache import ReferenceData
from schema.reference.types import AffectedPerson, SdgGoal, Session, State, Theme
from schema.relay import Node, to_global_id
from schema.reviews.loaders import reviews_by_id
from schema.reviews.types import Review
from schema.tables.followup import ImplementationStatus
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
    # Relation values fetched for the whole page, by GraphQL field name.
    prefetched: strawberry.Private[dict[str, Any]] = dataclasses.field(default_factory=dict)

    @strawberry.field(description="UPR only: the cycle of the review.")
    def cycle(self) -> int | None:
        return self.session.cycle if self.session is not None else None

    @strawberry.field(description="UPR only: the review that made it.", graphql_type=Review | None)
    def review(self, info: Info[Context, None]) -> Resolved[Review | None]:
        if self.review_key is None:
            return None
        return self._related(info, "review")

    @strawberry.field(description="The states that made it (UPR).", graphql_type=list[State])
    def recommending_states(self, info: Info[Context, None]) -> Resolved[list[State]]:
        return self._related(info, "recommendingStates")

    @strawberry.field(graphql_type=list[Theme])
    def themes(self, info: Info[Context, None]) -> Resolved[list[Theme]]:
        return self._related(info, "themes")

    @strawberry.field(
        description="OHCHR's own themes as published (UHRI imports); `themes` holds "
        "those that map onto ours.",
        graphql_type=list[str],
    )
    def source_themes(self, info: Info[Context, None]) -> Resolved[list[str]]:
        return self._related(info, "sourceThemes")

    @strawberry.field(graphql_type=list[AffectedPerson])
    def affected_persons(self, info: Info[Context, None]) -> Resolved[list[AffectedPerson]]:
        return self._related(info, "affectedPersons")

    @strawberry.field(graphql_type=list[SdgGoal])
    def sdg_goals(self, info: Info[Context, None]) -> Resolved[list[SdgGoal]]:
        return self._related(info, "sdgGoals")

    @strawberry.field(description='SDG targets, e.g. "16.3".', graphql_type=list[str])
    def sdg_targets(self, info: Info[Context, None]) -> Resolved[list[str]]:
        return self._related(info, "sdgTargets")

    @strawberry.field(
        description="Cross-references to other mechanisms and earlier cycles.",
        graphql_type=list[RecommendationLink],
    )
    def links(self, info: Info[Context, None]) -> Resolved[list[RecommendationLink]]:
        return self._related(info, "links")

    @strawberry.field(
        description="The same recommendation made again to the same state in another "
        "cycle (nearly the same words), oldest session first.",
        graphql_type=list["Recommendation"],
    )
    def related_recommendations(
        self, info: Info[Context, None]
    ) -> Resolved[list["Recommendation"]]:
        return self._related(info, "relatedRecommendations")

    @strawberry.field(
        description="The organisations following it up, as far as you may see.",
        graphql_type=list[Engagement],
    )
    def engagements(self, info: Info[Context, None]) -> Resolved[list[Engagement]]:
        return self._related(info, "engagements")

    @strawberry.field(
        description="Every assessment you may see, latest first.", graphql_type=list[Assessment]
    )
    def assessments(self, info: Info[Context, None]) -> Resolved[list[Assessment]]:
        return self._related(info, "assessments")

    @strawberry.field(
        description="Per organisation, its latest assessment you may see; by organisation "
        "name. Partners who disagree are shown side by side.",
        graphql_type=list[Assessment],
    )
    def latest_assessments(self, info: Info[Context, None]) -> Resolved[list[Assessment]]:
        return self._related(info, "latestAssessments")

    @strawberry.field(
        description="The distinct statuses among `latestAssessments`: more than one means "
        "partners disagree; none, that no assessment is visible to you.",
        graphql_type=list[ImplementationStatusEnum],  # type: ignore[valid-type]
    )
    def implementation_statuses(
        self, info: Info[Context, None]
    ) -> Resolved[list[ImplementationStatus]]:
        return self._related(info, "implementationStatuses")

    def _related(self, info: Info[Context, None], field: str) -> Resolved[Any]:
        relation = RELATIONS[field]
        reference = info.context.reference
        return related(
            self, info.context, field, relation, lambda value: relation.convert(value, reference)
        )

    @classmethod
    def from_row(cls, row: Row[Any], reference: ReferenceData) -> "Recommendation":
        columns = row._mapping
        return cls(
            id=to_global_id("Recommendation", columns["id"]),
            key=columns["id"],
            review_key=columns["review_id"],
            mechanism=columns["mechanism"],
            state=reference.states[columns["state_code"]],
            session=reference.sessions[columns["session_number"]]
            if columns["session_number"]
            else None,
            paragraph=columns["paragraph"],
            text=columns["text"],
            response=columns["response"],
            response_wording=columns["response_wording"],
            action_category=columns["action_category"],
            document_symbol=columns["document_symbol"],
            recommending_body=columns["recommending_body"],
        )


@dataclasses.dataclass(frozen=True, slots=True)
class Relation:
    """A relation of recommendations (`schema.prefetch.Batched`), and how its value
    becomes the field's."""

    load: Load
    convert: Callable[[Any, ReferenceData], Any]
    key: Callable[[Recommendation], Any] = lambda recommendation: recommendation.key


def _by_name(items: Iterable[Any]) -> list[Any]:
    return sorted(items, key=lambda item: item.name)


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


RELATIONS: dict[str, Relation] = {
    "review": Relation(reviews_by_id, lambda review, _: review, lambda r: r.review_key),
    "recommendingStates": Relation(
        loaders.recommending_state_codes, lambda codes, ref: _by_name(ref.states[c] for c in codes)
    ),
    "themes": Relation(
        loaders.theme_codes, lambda codes, ref: _by_name(ref.themes[c] for c in codes)
    ),
    "sourceThemes": Relation(loaders.source_theme_names, lambda names, _: sorted(names)),
    "affectedPersons": Relation(
        loaders.affected_person_codes,
        lambda codes, ref: _by_name(ref.affected_persons[c] for c in codes),
    ),
    "sdgGoals": Relation(
        loaders.sdg_goal_numbers, lambda numbers, ref: [ref.sdg_goals[n] for n in sorted(numbers)]
    ),
    "sdgTargets": Relation(
        loaders.sdg_target_codes, lambda codes, _: sorted(codes, key=_target_order)
    ),
    "links": Relation(links_by_recommendation, lambda links, _: links),
    "relatedRecommendations": Relation(
        related_rows, lambda rows, ref: [Recommendation.from_row(row, ref) for row in rows]
    ),
    # Follow-up work: under the policy, filtered inside each load.
    "engagements": Relation(followup.engagements_by_recommendation, lambda rows, _: rows),
    "assessments": Relation(followup.assessments_by_recommendation, lambda rows, _: rows),
    "latestAssessments": Relation(
        followup.latest_assessments_by_recommendation, lambda rows, _: rows
    ),
    "implementationStatuses": Relation(
        followup.implementation_statuses, lambda statuses, _: statuses
    ),
}


async def prefetch(
    context: Context, recommendations: list[Recommendation], fields: set[str]
) -> None:
    """Fetch the selected relations of a page of recommendations: the textual tags
    (recommending states, themes…) together in one statement, the others one each."""
    names = fields & RELATIONS.keys()
    together = tuple(
        sorted(name for name in names if getattr(RELATIONS[name].load, "textual", False))
    )
    if len(together) > 1 and recommendations:
        loads = tuple(RELATIONS[name].load for name in together)
        keys = list(dict.fromkeys(recommendation.key for recommendation in recommendations))
        per_load = await loaders.tags_together(context, loads, keys)  # type: ignore[arg-type]
        for name, values in zip(together, per_load, strict=True):
            by_key = dict(zip(keys, values, strict=True))
            for recommendation in recommendations:
                recommendation.prefetched[name] = by_key[recommendation.key]
        names -= set(together)
    await prefetch_relations(context, recommendations, RELATIONS, names)


async def recommendations_by_id(
    context: Context, keys: list[uuid.UUID]
) -> Sequence[Recommendation | None]:
    """Recommendations are public UN data: no policy filter applies."""
    return await fetch_by_keys(
        context,
        loaders.recommendation_select(),
        RecommendationTable.__table__.c.id,
        keys,
        lambda row: Recommendation.from_row(row, context.reference),
    )
