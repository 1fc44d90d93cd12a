"""One page of recommendations as an export holds them, read as the export's reader.

Everything on the page is read through the reader's context (`Context.reading_as`):
the filter, the rows, each organisation's latest assessment over the rows the reader
may see, and whether an organisation is named (the directory as the reader sees it).
Pages follow the recommendation list's keyset order and cursors.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from schema.context import Context
from schema.errors import BadUserInput
from schema.followup.loaders import latest_assessments_by_recommendation
from schema.followup.types import Assessment
from schema.payloads import invalid
from schema.recommendations.filtering import RecommendationFilter, apply_filter
from schema.recommendations.loaders import (
    recommendation_select,
    recommending_state_codes,
    theme_codes,
)
from schema.recommendations.ordering import ordered
from schema.recommendations.types import Recommendation


@dataclass(frozen=True, slots=True)
class LatestAssessment:
    """An organisation's latest assessment the reader may see; `organisation` is None
    where the reader's directory does not list it."""

    organisation: str | None
    status: str
    assessed_on: dt.date
    visibility: str


@dataclass(slots=True)
class ExportedRecommendation:
    key: uuid.UUID
    id: str
    state: str
    state_name: str
    session: int | None
    cycle: int | None
    mechanism: str
    document_symbol: str | None
    paragraph: str | None
    text: str
    response: str | None
    response_wording: str | None
    action_category: int | None
    themes: list[str]
    recommending_states: list[str]
    latest_assessments: list[LatestAssessment]
    # Own-use exports only (`schema.exports.contacts`); None: no contact field at all.
    contacts: list[str] | None = None


@dataclass(frozen=True, slots=True)
class Page:
    recommendations: list[ExportedRecommendation] = field(default_factory=list)
    end_cursor: str | None = None
    has_next_page: bool = False


async def read_page(
    reader: Context, given: RecommendationFilter | None, first: int, after: str | None
) -> Page:
    """`first` recommendations after the cursor `after`, as `reader` sees them. A
    filter or cursor naming nothing is a userError on its input field."""
    query, ordering = ordered(recommendation_select(), None)
    try:
        query = apply_filter(query, reader, given)
    except BadUserInput as error:
        raise invalid("filter", error.message) from None
    if after is not None:
        try:
            query = query.where(ordering.after(ordering.decode(after)))
        except BadUserInput as error:
            raise invalid("after", error.message) from None
    rows = await reader.fetch_all(query.order_by(*ordering.clauses()).limit(first + 1))
    page = rows[:first]
    if not page:
        return Page()
    nodes = [Recommendation.from_row(row, reader.reference) for row in page]
    keys = [node.key for node in nodes]
    themes = await theme_codes(reader, keys)
    states = await recommending_state_codes(reader, keys)
    latest = await latest_assessments_by_recommendation(reader, keys)
    return Page(
        [
            _exported(node, sorted(themes[i]), sorted(states[i]), latest[i])
            for i, node in enumerate(nodes)
        ],
        ordering.encode(page[-1]),
        len(rows) > first,
    )


def _exported(
    node: Recommendation, themes: list[str], states: list[str], latest: list[Assessment]
) -> ExportedRecommendation:
    return ExportedRecommendation(
        key=node.key,
        id=node.id,
        state=node.state.code,
        state_name=node.state.name,
        session=node.session.number if node.session is not None else None,
        cycle=node.session.cycle if node.session is not None else None,
        mechanism=str(node.mechanism),
        document_symbol=node.document_symbol,
        paragraph=node.paragraph,
        text=node.text,
        response=str(node.response) if node.response is not None else None,
        response_wording=node.response_wording,
        action_category=node.action_category,
        themes=themes,
        recommending_states=states,
        latest_assessments=_by_organisation(latest),
    )


def _by_organisation(latest: list[Assessment]) -> list[LatestAssessment]:
    """Listed organisations by name, then the unlisted ones in the order they were
    recorded: never in the order of names the reader may not see."""
    ordered_latest = sorted(
        latest,
        key=lambda a: (
            a.organisation is None,
            a.organisation.name if a.organisation is not None else "",
            a.key,
        ),
    )
    return [
        LatestAssessment(
            organisation=a.organisation.name if a.organisation is not None else None,
            status=str(a.status),
            assessed_on=a.assessed_on,
            visibility=str(a.visibility),
        )
        for a in ordered_latest
    ]
