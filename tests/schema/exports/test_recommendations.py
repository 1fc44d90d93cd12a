"""`exportRecommendations`: only what both the exporter and the recipient may see (the
public by default), each organisation's latest assessment over those rows, pages in
the list's order, and an audit entry for every page without any of its content."""

from __future__ import annotations

import datetime as dt
from typing import Any

from schema.relay import to_global_id
from schema.tables.followup import ImplementationStatus
from security.sharing import Visibility
from tests.graphql import error_codes
from tests.schema.exports.conftest import EXPORT, ExportWorld
from tests.worlds import ANONYMOUS, GOVERNMENT, NGO, PARTNER, UNVETTED

NOT = ImplementationStatus.NOT_IMPLEMENTED
FULLY = ImplementationStatus.FULLY_IMPLEMENTED


def _latest(rows: list[dict[str, Any]]) -> dict[str, list[tuple[str | None, str]]]:
    """(organisation, status) of each row's latest assessments, by recommendation id."""
    return {
        row["id"]: [(a["organisation"], a["status"]) for a in row["latestAssessments"]]
        for row in rows
    }


async def test_an_export_holds_only_what_both_exporter_and_recipient_may_see(
    world: ExportWorld,
) -> None:
    # Given assessments the NGO alone sees, the partner alone sees, both see (their
    # coalition), and everyone sees
    mine = await world.recommendation()
    theirs = await world.recommendation()
    ours = await world.recommendation()
    public = await world.recommendation()
    await world.assessment(mine, NGO, Visibility.ORGANISATION, NOT)
    await world.assessment(theirs, PARTNER, Visibility.ORGANISATION, NOT)
    await world.assessment(ours, NGO, Visibility.COALITION, FULLY)
    await world.assessment(public, PARTNER, Visibility.PUBLIC)
    ids = {key: to_global_id("Recommendation", key) for key in (mine, theirs, ours, public)}
    # When the NGO exports for the partner
    for_partner = await world.exported(NGO, recipient=world.organisation_id(PARTNER))
    # Then the exporter's own row and the recipient's own row are absent, the shared ones
    # present
    assert _latest(for_partner) == {
        ids[mine]: [],
        ids[theirs]: [],
        ids[ours]: [("Kenya Rights Network", "FULLY_IMPLEMENTED")],
        ids[public]: [("Geneva Rights Watch", "PARTIALLY_IMPLEMENTED")],
    }
    # And without a recipient the export is for the public
    assert _latest(await world.exported(NGO)) == {
        ids[mine]: [],
        ids[theirs]: [],
        ids[ours]: [],
        ids[public]: [("Geneva Rights Watch", "PARTIALLY_IMPLEMENTED")],
    }
    # And a filter on partners' work looks at the shared rows only
    only_not = {"implementationStatuses": ["NOT_IMPLEMENTED"]}
    assert (
        await world.exported(NGO, recipient=world.organisation_id(PARTNER), filter=only_not) == []
    )
    own = await world.exported(NGO, recipient=world.organisation_id(NGO), filter=only_not)
    assert [row["id"] for row in own] == [ids[mine]]


async def test_the_latest_assessment_is_the_latest_the_reader_may_see(world: ExportWorld) -> None:
    # Given the NGO's public assessment and a newer one it keeps to itself, and the
    # unlisted group's public assessment
    key = await world.recommendation()
    await world.assessment(key, NGO, Visibility.PUBLIC, assessed_on=dt.date(2026, 1, 10))
    await world.assessment(
        key, NGO, Visibility.ORGANISATION, FULLY, assessed_on=dt.date(2026, 6, 1)
    )
    await world.assessment(key, UNVETTED, Visibility.PUBLIC, NOT, assessed_on=dt.date(2025, 3, 1))
    # When the NGO exports for the public, and for itself
    (public,) = await world.exported(NGO)
    (own,) = await world.exported(NGO, recipient=world.organisation_id(NGO))
    # Then the public gets the public one, the unlisted group unnamed
    assert public["latestAssessments"] == [
        {
            "organisation": "Kenya Rights Network",
            "status": "PARTIALLY_IMPLEMENTED",
            "assessedOn": "2026-01-10",
            "visibility": "PUBLIC",
        },
        {
            "organisation": None,
            "status": "NOT_IMPLEMENTED",
            "assessedOn": "2025-03-01",
            "visibility": "PUBLIC",
        },
    ]
    # And the NGO's own copy its newest, and the group by name (it sees the directory)
    assert [(a["organisation"], a["status"]) for a in own["latestAssessments"]] == [
        ("Kenya Rights Network", "FULLY_IMPLEMENTED"),
        ("Unvetted Group", "NOT_IMPLEMENTED"),
    ]


async def test_a_recipient_out_of_sight_is_not_found(world: ExportWorld) -> None:
    # Given the unlisted group, which sees neither the government nor an unknown id
    unknown = to_global_id("Organisation", "0190a1b2-0000-7000-8000-000000000000")
    # When it exports for either
    hidden = await world.run(
        UNVETTED, EXPORT, {"input": {"recipient": world.organisation_id(GOVERNMENT)}}
    )
    missing = await world.run(UNVETTED, EXPORT, {"input": {"recipient": unknown}})
    # Then both answer NOT_FOUND, alike
    assert error_codes(hidden) == error_codes(missing) == ["NOT_FOUND"]
    assert hidden["errors"][0]["message"] == missing["errors"][0]["message"]
    # And the partner, a coalition member of the NGO, is a recipient the NGO may name
    page = await world.export(NGO, recipient=world.organisation_id(PARTNER))
    assert page["recipient"]["name"] == "Geneva Rights Watch"


async def test_who_may_export(world: ExportWorld) -> None:
    # Given an anonymous client, tokens with and without recommendations:read
    reader = await world.token(NGO, "recommendations:read")
    writer = await world.token(NGO, "assessments:write")
    # Then anonymous clients sign in first, tokens need the scope, members may
    assert error_codes(await world.run(ANONYMOUS, EXPORT, {"input": {}})) == ["UNAUTHENTICATED"]
    assert error_codes(await world.run(writer, EXPORT, {"input": {}})) == ["FORBIDDEN"]
    assert (await world.export(reader))["count"] == 0
    assert (await world.export(GOVERNMENT))["count"] == 0


async def test_pages_follow_the_list_order_and_bad_input_is_a_user_error(
    world: ExportWorld,
) -> None:
    # Given three recommendations
    keys = [await world.recommendation() for _ in range(3)]
    # When they are exported two at a time
    first = await world.export(NGO, format="JSON", first=2)
    second = await world.export(NGO, format="JSON", first=2, after=first["endCursor"])
    # Then the pages follow the order they were added, and say when more follow
    assert (first["count"], first["hasNextPage"], second["count"], second["hasNextPage"]) == (
        2,
        True,
        1,
        False,
    )
    assert second["content"].count(to_global_id("Recommendation", keys[2])) == 1
    # And page sizes, cursors and filters naming nothing are user errors
    for given, field in (
        ({"first": 0}, "first"),
        ({"first": 1001}, "first"),
        ({"after": "not a cursor"}, "after"),
        ({"filter": {"themes": ["no such theme"]}}, "filter"),
        ({"recipient": "not an id"}, "recipient"),
    ):
        body = await world.run(NGO, EXPORT, {"input": given})
        errors = body["data"]["exportRecommendations"]["userErrors"]
        assert [(e["field"], e["code"]) for e in errors] == [(field, "BAD_USER_INPUT")], given


async def test_every_page_is_audited_without_its_content(world: ExportWorld) -> None:
    # Given a recommendation with a searchable word
    await world.recommendation("Protect defenders from reprisals")
    token = await world.token(NGO, "recommendations:read")
    # When a member exports for the partner with a search, and a token for the public
    search = {"search": "reprisals", "state": "KEN"}
    await world.export(NGO, recipient=world.organisation_id(PARTNER), filter=search)
    await world.export(token, format="JSON")
    # Then each page is in the NGO's chain: recipient, format, count, the filter's field
    # names and whether contacts were in it
    entries = [entry for entry in await world.audit(NGO) if entry[0] == "export.recommendations"]
    details = [entry[2] for entry in entries]
    assert details[0] == {
        "recipient": str(world.organisations[PARTNER]),
        "format": "CSV",
        "count": 1,
        "filter": ["search", "state"],
        "contacts": False,
        "continued": False,
    }
    assert details[1]["recipient"] == "public"
    assert details[1]["format"] == "JSON"
    assert "apiToken" in details[1]
    # And never a searched value or a row
    assert "reprisals" not in str(entries)
    assert "defenders" not in str(entries)
