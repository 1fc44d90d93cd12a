"""GraphQL types of the mid-term report.

Every type here is plain data, filled when the report is read: nothing resolves later
with the request's own context. The request's viewer may see more than the audience
(its PARTNERS or ORGANISATION rows, say), so no field may reach for it; that is why
the report does not reuse `Recommendation`, `Activity` or `Review`, whose relations
resolve as the request's viewer.
"""

import datetime as dt
import enum

import strawberry

from schema.activities.types import ActivityKindEnum
from schema.followup.common import ImplementationStatusEnum
from schema.organisations.types import Organisation
from schema.recommendations.stats import ImplementationStatusCount, ResponseCount
from schema.recommendations.types import ResponseEnum
from schema.reference.types import Session, State, Theme


class ReportAudienceKind(enum.StrEnum):
    PUBLIC = "PUBLIC"
    COALITION = "COALITION"


ReportAudienceKindEnum = strawberry.enum(ReportAudienceKind, name="ReportAudienceKind")


@strawberry.input(
    description="Who a report is for: the public (the default), or one coalition your "
    "organisation is an active member of. A report holds only what both you and its "
    "audience may see."
)
class ReportAudienceInput:
    coalition_id: strawberry.ID | None = strawberry.field(
        default=None, description="The coalition; none for the public."
    )


@strawberry.type(description="Who a report was made for.")
class ReportAudience:
    kind: ReportAudienceKindEnum  # type: ignore[valid-type]
    coalition_name: str | None = strawberry.field(description="COALITION: its name.")


@strawberry.type(
    description="One organisation's latest assessment of a recommendation that the "
    "audience may see."
)
class ReportAssessment:
    organisation: Organisation | None = strawberry.field(
        description="Null where the audience may not see the organisation in the directory."
    )
    status: ImplementationStatusEnum  # type: ignore[valid-type]
    assessed_on: dt.date
    evidence: str | None
    source_url: str | None


@strawberry.type(description="A recommendation of the review, as the audience may see its work.")
class ReportRecommendation:
    id: strawberry.ID = strawberry.field(description="The recommendation's global id.")
    paragraph: str | None
    text: str
    response: ResponseEnum | None  # type: ignore[valid-type]
    response_wording: str | None
    action_category: int | None
    themes: list[Theme]
    recommending_states: list[State]
    latest_assessments: list[ReportAssessment] = strawberry.field(
        description="Per organisation, its latest assessment the audience may see; by "
        "organisation name."
    )
    implementation_statuses: list[ImplementationStatusEnum] = strawberry.field(  # type: ignore[valid-type]
        description="The distinct statuses among `latestAssessments`."
    )


@strawberry.type(description="Counts over the report's recommendations.")
class ReportSummary:
    recommendations: int
    by_response: list[ResponseCount]
    by_implementation_status: list[ImplementationStatusCount] = strawberry.field(
        description="Every status, with the recommendations having it among their latest "
        "assessments: a recommendation counts once per status partners gave it."
    )
    not_assessed: int = strawberry.field(description="Recommendations without an assessment.")


@strawberry.type(description="Implementation status of the recommendations on one theme.")
class ThemeStatus:
    theme: Theme
    recommendations: int
    by_implementation_status: list[ImplementationStatusCount] = strawberry.field(
        description="Every status, as in `ReportSummary`."
    )
    not_assessed: int


@strawberry.type(description="A follow-up activity of the review that has been held.")
class ReportActivity:
    title: str
    kind: ActivityKindEnum  # type: ignore[valid-type]
    starts_on: dt.date
    ends_on: dt.date | None
    city: str | None
    country: State | None
    organisers: list[Organisation] = strawberry.field(
        description="Those the audience may see in the directory, by name."
    )


@strawberry.type(
    description="The mid-term report of one state's review: what NGOs bring to the "
    "mid-term dialogue. It holds only what both you and its audience may see, and "
    "never any contact."
)
class MidtermReport:
    state: State
    cycle: int
    session: Session
    review_date: dt.date
    adoption_date: dt.date | None
    report_symbol: str | None
    midterm_date: dt.date = strawberry.field(
        description="When the mid-term report is usually due: 27 months after the review."
    )
    audience: ReportAudience
    generated_at: dt.datetime
    recommendations: list[ReportRecommendation] = strawberry.field(
        description="The review's recommendations, by paragraph."
    )
    summary: ReportSummary
    status_by_theme: list[ThemeStatus] = strawberry.field(
        description="Per theme in use, most recommendations first."
    )
    activities_held: list[ReportActivity] = strawberry.field(
        description="The review's follow-up activities that have been held, by date."
    )
