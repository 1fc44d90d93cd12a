"""The mid-term report of a review, read as its audience.

A fixed number of statements whatever the number of recommendations: the review, the
recommendations, one per relation (themes, recommending states, latest assessments),
the activities held and their organisers. The counts and the chart's figures are
derived here from the latest assessments already read as the audience, so they are
exactly `recommendationStats` over the rows the audience may see. The registry is
never read: a report holds no contact.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from typing import Any

from sqlalchemy import select

from schema.activities import loaders as activity_loaders
from schema.activities.queries import in_stage
from schema.activities.types import ActivityStage, today
from schema.context import Context
from schema.filters import sessions_of_cycle, state_code
from schema.followup.loaders import latest_assessments_by_recommendation
from schema.followup.types import Assessment
from schema.organisations.types import Organisation
from schema.recommendations import loaders as recommendation_loaders
from schema.recommendations.stats import ImplementationStatusCount, ResponseCount
from schema.relay import to_global_id
from schema.reports.audience import Audience, reader_for
from schema.reports.types import (
    MidtermReport,
    ReportActivity,
    ReportAssessment,
    ReportRecommendation,
    ReportSummary,
    ThemeStatus,
)
from schema.reviews.timeline import MilestoneKind, milestones
from schema.reviews.types import REVIEW_COLUMNS
from schema.tables.followup import ImplementationStatus
from schema.tables.recommendations import Recommendation, Response
from schema.tables.reviews import Review
from security.policy import visible

_reviews = Review.__table__.c
_recommendation_columns = Recommendation.__table__.c
_activities = activity_loaders.activities.c


async def midterm_report(
    context: Context, state: str, cycle: int, audience: Audience
) -> MidtermReport | None:
    """The report on `state`'s review in `cycle`; None when there is none."""
    code = state_code(context.reference, state)
    sessions = sessions_of_cycle(context.reference, cycle)
    reviews = await context.fetch_all(
        select(*REVIEW_COLUMNS)
        .where(_reviews.state_code == code, _reviews.session_number.in_(sessions))
        .order_by(_reviews.review_date.desc(), _reviews.id)
    )
    if not reviews:
        return None
    review = reviews[0]  # a state is reviewed once a cycle; the latest, should data differ
    reader = reader_for(context, audience)
    recommendations = await _read_recommendations(reader, review.id)
    mid_term = next(
        m.day
        for m in milestones(review.review_date, review.adoption_date, review.hrc_session)
        if m.kind is MilestoneKind.MID_TERM_REPORT
    )
    reference = context.reference
    return MidtermReport(
        state=reference.states[code],
        cycle=cycle,
        session=reference.sessions[review.session_number],
        review_date=review.review_date,
        adoption_date=review.adoption_date,
        report_symbol=review.report_symbol,
        midterm_date=mid_term,
        audience=audience.described,
        generated_at=context.now(),
        recommendations=recommendations,
        summary=summary(recommendations),
        status_by_theme=status_by_theme(recommendations),
        activities_held=await _activities_held(reader, review.id),
    )


def paragraph_order(paragraph: str | None) -> tuple[int, ...]:
    """ "119.9" before "119.45": paragraphs compare by their numbers; none go last."""
    if paragraph is None:
        return (1_000_000,)
    return tuple(int(number) for number in re.findall(r"\d+", paragraph)) or (999_999,)


async def _read_recommendations(reader: Context, review: uuid.UUID) -> list[ReportRecommendation]:
    rows = await reader.fetch_all(
        recommendation_loaders.recommendation_select().where(
            _recommendation_columns.review_id == review
        )
    )
    rows = sorted(rows, key=lambda row: (paragraph_order(row.paragraph), row.text, row.id))
    keys = [row.id for row in rows]
    if not keys:
        return []
    themes = await recommendation_loaders.theme_codes(reader, keys)
    states = await recommendation_loaders.recommending_state_codes(reader, keys)
    assessments = await latest_assessments_by_recommendation(reader, keys)
    reference = reader.reference
    return [
        ReportRecommendation(
            id=to_global_id("Recommendation", row.id),
            paragraph=row.paragraph,
            text=row.text,
            response=row.response,
            response_wording=row.response_wording,
            action_category=row.action_category,
            themes=sorted((reference.themes[c] for c in theme_codes), key=lambda t: t.name),
            recommending_states=sorted(
                (reference.states[c] for c in state_codes), key=lambda s: s.name
            ),
            latest_assessments=[_assessment(a) for a in latest],
            implementation_statuses=[s for s in ImplementationStatus if _has(latest, s)],
        )
        for row, theme_codes, state_codes, latest in zip(
            rows, themes, states, assessments, strict=True
        )
    ]


def _assessment(found: Assessment) -> ReportAssessment:
    return ReportAssessment(
        organisation=found.organisation,
        status=found.status,
        assessed_on=found.assessed_on,
        evidence=found.evidence,
        source_url=found.source_url,
    )


def _has(latest: list[Assessment], status: ImplementationStatus) -> bool:
    return any(assessment.status == status for assessment in latest)


def _status_counts(counter: Counter[Any]) -> list[ImplementationStatusCount]:
    return [ImplementationStatusCount(status=s, count=counter[s]) for s in ImplementationStatus]


def summary(recommendations: list[ReportRecommendation]) -> ReportSummary:
    """Every response and status is listed, zero or not (a report's table has fixed
    columns); recommendations without a response only when there are some."""
    responses: Counter[Any] = Counter(r.response for r in recommendations)
    statuses: Counter[Any] = Counter(s for r in recommendations for s in r.implementation_statuses)
    by_response = [ResponseCount(response=value, count=responses[value]) for value in Response]
    if responses[None]:
        by_response.append(ResponseCount(response=None, count=responses[None]))
    return ReportSummary(
        recommendations=len(recommendations),
        by_response=by_response,
        by_implementation_status=_status_counts(statuses),
        not_assessed=sum(1 for r in recommendations if not r.implementation_statuses),
    )


def status_by_theme(recommendations: list[ReportRecommendation]) -> list[ThemeStatus]:
    """Per theme in use: its recommendations, and how many have each status among their
    latest assessments (once per status, as `summary`); most recommendations first."""
    found: dict[str, tuple[Any, Counter[Any], list[int]]] = {}
    for recommendation in recommendations:
        for theme in recommendation.themes:
            _, statuses, totals = found.setdefault(theme.code, (theme, Counter(), [0, 0]))
            totals[0] += 1
            statuses.update(recommendation.implementation_statuses)
            if not recommendation.implementation_statuses:
                totals[1] += 1
    ordered = sorted(found.values(), key=lambda item: (-item[2][0], item[0].name))
    return [
        ThemeStatus(
            theme=theme,
            recommendations=totals[0],
            by_implementation_status=_status_counts(statuses),
            not_assessed=totals[1],
        )
        for theme, statuses, totals in ordered
    ]


async def _activities_held(reader: Context, review: uuid.UUID) -> list[ReportActivity]:
    """Held (not cancelled, last day past) and visible to the reader; organisers named
    where the directory shows them to the reader."""
    rows = await reader.fetch_all(
        activity_loaders.activity_select()
        .where(
            _activities.review_id == review,
            visible(_activities, reader.viewer),
            in_stage(ActivityStage.HELD, today(reader)),
        )
        .order_by(_activities.starts_on, _activities.id)
    )
    if not rows:
        return []
    organisers = await activity_loaders.organiser_rows(reader, [row.row_id for row in rows])
    reference = reader.reference
    return [
        ReportActivity(
            title=row.title,
            kind=row.activity_kind,
            starts_on=row.starts_on,
            ends_on=row.ends_on,
            city=row.city,
            country=reference.states[row.place_code] if row.place_code else None,
            organisers=[
                Organisation.from_row(organiser, reference)
                for organiser in organisers.get(row.row_id, [])
            ],
        )
        for row in rows
    ]
