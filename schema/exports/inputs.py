"""What an export of recommendations is asked with: a filter, a recipient, a format and
a page."""

import dataclasses
import enum

import strawberry
from strawberry.utils.str_converters import to_camel_case

from schema.recommendations.filtering import RecommendationFilter

DEFAULT_PAGE_SIZE = 500
# Larger than a list's 100: an export is read in few, big pages. Bounded all the same,
# since a page is built in memory and returned in one response.
MAX_PAGE_SIZE = 1000


@strawberry.enum(description="The file format of an export.")
class ExportFormat(enum.Enum):
    CSV = "CSV"
    JSON = "JSON"


@strawberry.input(description="One page of an export of recommendations.")
class ExportRecommendationsInput:
    filter: RecommendationFilter | None = strawberry.field(
        default=None, description="As for `recommendations`, read as the export's reader."
    )
    recipient: strawberry.ID | None = strawberry.field(
        default=None,
        description="The organisation the export is for (one you see in the directory); "
        "omitted: the public. The export holds only what you and it may both see.",
    )
    format: ExportFormat = ExportFormat.CSV
    first: int = strawberry.field(
        default=DEFAULT_PAGE_SIZE, description=f"Recommendations per page, 1 to {MAX_PAGE_SIZE}."
    )
    after: str | None = strawberry.field(
        default=None, description="The `endCursor` of the previous page."
    )


def filter_fields(given: RecommendationFilter | None) -> list[str]:
    """The names of the fields a filter sets, for the audit: never their values (a search
    could hold anything, a name included)."""
    if given is None:
        return []
    return sorted(
        to_camel_case(item.name)
        for item in dataclasses.fields(given)
        if getattr(given, item.name) is not None
    )
