"""`exportRecommendations`: one page of recommendations as CSV or JSON, for a recipient
or the public, audited before it is returned.

A mutation because every page writes an audit entry. Who: signed-in users of an
organisation (any role) and API tokens with recommendations:read. The page is read as
the export's reader (`schema.exports.audience`), never as the exporter: it holds only
what both the exporter and the recipient may see. The audit entry, in the exporter's
chain and committed before the content leaves, names the recipient, the format, the
count, the filter's field names and whether contacts were included: never a value of
the filter (a search could be anything) and never a row.
"""

import uuid

import strawberry
from strawberry.types import Info

from schema.audit import organisation_chain, record
from schema.context import Context
from schema.exports.audience import Audience, audience
from schema.exports.contacts import includes_contacts, pseudonyms_by_recommendation
from schema.exports.formats import to_csv, to_json
from schema.exports.inputs import (
    MAX_PAGE_SIZE,
    ExportFormat,
    ExportRecommendationsInput,
    filter_fields,
)
from schema.exports.rows import Page, read_page
from schema.organisations.types import Organisation
from schema.payloads import UserError, invalid, reports_user_errors
from security.policy import Viewer, require_author, require_role
from security.roles import Role, Scope

ACTION = "export.recommendations"


@strawberry.type(description="One page of an export of recommendations.")
class RecommendationExport:
    format: ExportFormat
    content: str = strawberry.field(
        description="The page as a file: CSV (with its header row) or a JSON array."
    )
    count: int = strawberry.field(description="Recommendations on this page.")
    end_cursor: str | None = strawberry.field(description="Pass as `after` for the next page.")
    has_next_page: bool
    recipient: Organisation | None = strawberry.field(
        description="Who it is for; null: the public."
    )
    contacts_included: bool = strawberry.field(
        description="Your own contacts, as export pseudonyms: only in an export for your "
        "own organisation, by one of its users (never an API token)."
    )


@strawberry.type
class ExportRecommendationsPayload:
    user_errors: list[UserError] = strawberry.field(default_factory=list)
    export: RecommendationExport | None = None


def exporter(principal: Viewer) -> uuid.UUID:
    """The exporting organisation: any of its signed-in users, or one of its API tokens
    holding recommendations:read."""
    if principal.is_token:
        return require_author(principal, Scope.RECOMMENDATIONS_READ)
    return require_role(principal, Role.VIEWER)


@reports_user_errors(ExportRecommendationsPayload)
async def export_recommendations(
    info: Info[Context, None], input: ExportRecommendationsInput
) -> ExportRecommendationsPayload:
    context = info.context
    organisation = exporter(context.principal)
    if not 1 <= input.first <= MAX_PAGE_SIZE:
        raise invalid("first", f"Give 1 to {MAX_PAGE_SIZE} recommendations per page.")
    target = await audience(context, input.recipient)
    reader = context.reading_as(target.reader)
    page = await read_page(reader, input.filter, input.first, input.after)
    contacts = includes_contacts(context.principal, target.key)
    if contacts and target.key is not None and page.recommendations:
        keys = [row.key for row in page.recommendations]
        found = await pseudonyms_by_recommendation(context, target.key, keys)
        for row in page.recommendations:
            row.contacts = found.get(row.key, [])
    render = to_csv if input.format is ExportFormat.CSV else to_json
    content = render(page.recommendations, contacts)
    await _audit(context, organisation, target, input, page, contacts)
    return ExportRecommendationsPayload(
        export=RecommendationExport(
            format=input.format,
            content=content,
            count=len(page.recommendations),
            end_cursor=page.end_cursor,
            has_next_page=page.has_next_page,
            recipient=target.organisation,
            contacts_included=contacts,
        )
    )


async def _audit(
    context: Context,
    organisation: uuid.UUID,
    target: Audience,
    given: ExportRecommendationsInput,
    page: Page,
    contacts: bool,
) -> None:
    principal = context.principal
    details: dict[str, object] = {
        "recipient": target.label,
        "format": given.format.value,
        "count": len(page.recommendations),
        "filter": filter_fields(given.filter),
        "contacts": contacts,
        "continued": given.after is not None,
    }
    if principal.token_id is not None:
        details["apiToken"] = str(principal.token_id)
    async with context.write() as connection:
        await record(
            connection,
            organisation_chain(organisation),
            ACTION,
            context.now(),
            actor_user_id=principal.user_id,
            actor_organisation_id=organisation,
            details=details,
        )
