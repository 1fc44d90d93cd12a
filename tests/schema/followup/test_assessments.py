"""Assessments: every one kept; the latest per organisation; disagreement shown; only
the owner corrects or withdraws its own, at the version it read; input checked."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select

from schema.relay import to_global_id
from schema.tables.followup import Assessment
from tests.graphql import error_codes
from tests.schema.followup.conftest import ASSESS, ASSESSMENT_FIELDS, FollowUpWorld
from tests.worlds import ANONYMOUS, GOVERNMENT, NGO, PARTNER, UNVETTED

UPDATE = f"""
mutation($id: ID!, $status: ImplementationStatus!, $assessedOn: Date!, $visibility: Visibility!,
         $version: Int!, $evidence: String, $sourceUrl: String, $coalition: ID) {{
  updateAssessment(assessmentId: $id, status: $status, assessedOn: $assessedOn,
                   visibility: $visibility, version: $version, evidence: $evidence,
                   sourceUrl: $sourceUrl, coalitionId: $coalition) {{
    userErrors {{ field code message }} assessment {{ {ASSESSMENT_FIELDS} }}
  }}
}}
"""
WITHDRAW = """
mutation($id: ID!, $version: Int!) {
  withdrawAssessment(assessmentId: $id, version: $version) {
    userErrors { field code message } withdrawnAssessmentId
  }
}
"""
NODE = f"query($id: ID!) {{ node(id: $id) {{ ... on Assessment {{ {ASSESSMENT_FIELDS} }} }} }}"


ROWS = select(
    Assessment.owner_organisation_id,
    Assessment.status,
    Assessment.assessed_on,
    Assessment.evidence,
    Assessment.source_url,
    Assessment.visibility,
    Assessment.version,
).order_by(Assessment.id)


def _brief(assessments: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [(a["organisation"]["name"], a["status"], a["assessedOn"]) for a in assessments]


async def test_history_latest_per_organisation_and_disagreement(world: FollowUpWorld) -> None:
    # Given the NGO assessed twice, the partner once, and the NGO once more with an
    # observation older than its others (recorded late)
    created = await world.assess(
        NGO,
        "NOT_IMPLEMENTED",
        "2025-03-01",
        evidence="No bill tabled.",
        sourceUrl="https://example.org/report",
    )
    assert created["userErrors"] == []
    assessment = created["assessment"]
    assert (assessment["status"], assessment["assessedOn"]) == ("NOT_IMPLEMENTED", "2025-03-01")
    assert (assessment["evidence"], assessment["sourceUrl"]) == (
        "No bill tabled.",
        "https://example.org/report",
    )
    assert (assessment["version"], assessment["organisation"]) == (
        1,
        {"name": "Kenya Rights Network"},
    )
    await world.assess(NGO, "PARTIALLY_IMPLEMENTED", "2026-06-01")
    await world.assess(PARTNER, "FULLY_IMPLEMENTED", "2026-05-01")
    await world.assess(NGO, "UNKNOWN", "2024-01-15")
    # When anyone reads the recommendation
    seen = await world.follow_up(ANONYMOUS)
    # Then every assessment is kept, latest observation first
    assert _brief(seen["assessments"]) == [
        ("Kenya Rights Network", "PARTIALLY_IMPLEMENTED", "2026-06-01"),
        ("Geneva Rights Watch", "FULLY_IMPLEMENTED", "2026-05-01"),
        ("Kenya Rights Network", "NOT_IMPLEMENTED", "2025-03-01"),
        ("Kenya Rights Network", "UNKNOWN", "2024-01-15"),
    ]
    # And each organisation's latest is shown side by side: the partners disagree
    assert _brief(seen["latestAssessments"]) == [
        ("Geneva Rights Watch", "FULLY_IMPLEMENTED", "2026-05-01"),
        ("Kenya Rights Network", "PARTIALLY_IMPLEMENTED", "2026-06-01"),
    ]
    assert seen["implementationStatuses"] == ["PARTIALLY_IMPLEMENTED", "FULLY_IMPLEMENTED"]
    # And each assessment is in its owner's audit chain, without the evidence
    audit = await world.audit(NGO)
    assert [action for action, _, _ in audit] == ["assessment.created"] * 3
    assert audit[0][2] == {
        "recommendation": str(world.recommendation_key),
        "status": "NOT_IMPLEMENTED",
        "assessedOn": "2025-03-01",
        "visibility": "PUBLIC",
    }
    assert "bill" not in str(audit)
    assert "example.org" not in str(audit)


async def test_agreement_shows_one_status(world: FollowUpWorld) -> None:
    await world.assess(NGO, "PARTIALLY_IMPLEMENTED", "2026-06-01")
    await world.assess(PARTNER, "PARTIALLY_IMPLEMENTED", "2026-05-01")
    seen = await world.follow_up(ANONYMOUS)
    assert seen["implementationStatuses"] == ["PARTIALLY_IMPLEMENTED"]
    assert len(seen["latestAssessments"]) == 2


async def test_a_correction_and_a_withdrawal(world: FollowUpWorld) -> None:
    # Given the NGO's two assessments
    await world.assess(NGO, "NOT_IMPLEMENTED", "2025-03-01")
    latest = (await world.assess(NGO, "PARTIALLY_IMPLEMENTED", "2026-06-01"))["assessment"]
    # When it corrects the latest one
    variables = {
        "id": latest["id"],
        "status": "FULLY_IMPLEMENTED",
        "assessedOn": "2026-06-02",
        "visibility": "PARTNERS",
        "version": 1,
        "evidence": "In force since May.",
    }
    updated = await world.payload(NGO, UPDATE, variables, "updateAssessment")
    # Then the correction shows, to partners only
    assert updated["userErrors"] == []
    corrected = updated["assessment"]
    assert (corrected["status"], corrected["assessedOn"], corrected["version"]) == (
        "FULLY_IMPLEMENTED",
        "2026-06-02",
        2,
    )
    assert (corrected["visibility"], corrected["evidence"]) == ("PARTNERS", "In force since May.")
    assert (await world.follow_up(PARTNER))["implementationStatuses"] == ["FULLY_IMPLEMENTED"]
    # And a reader who may not see it sees the NGO's earlier one as its latest
    assert (await world.follow_up(ANONYMOUS))["implementationStatuses"] == ["NOT_IMPLEMENTED"]
    # When it withdraws the correction at the version it read
    withdrawn = await world.payload(
        NGO, WITHDRAW, {"id": latest["id"], "version": 2}, "withdrawAssessment"
    )
    # Then the earlier one counts again, for everyone
    assert withdrawn == {"userErrors": [], "withdrawnAssessmentId": latest["id"]}
    for who in (NGO, PARTNER, ANONYMOUS):
        assert (await world.follow_up(who))["implementationStatuses"] == ["NOT_IMPLEMENTED"]
    assert [action for action, _, _ in await world.audit(NGO)] == [
        "assessment.created",
        "assessment.created",
        "assessment.updated",
        "assessment.withdrawn",
    ]


async def test_a_stale_version_is_a_conflict_and_writes_nothing(world: FollowUpWorld) -> None:
    # Given an assessment a colleague corrected to version 2
    assessment = (await world.assess(NGO, "NOT_IMPLEMENTED", "2025-03-01"))["assessment"]
    variables = {
        "id": assessment["id"],
        "status": "PARTIALLY_IMPLEMENTED",
        "assessedOn": "2025-03-01",
        "visibility": "PUBLIC",
        "version": 1,
    }
    assert (await world.payload(NGO, UPDATE, variables, "updateAssessment"))["userErrors"] == []
    before = await world.rows(ROWS)
    # When another correction, and a withdrawal, come from version 1
    stale = {**variables, "status": "FULLY_IMPLEMENTED"}
    updated = await world.payload(NGO, UPDATE, stale, "updateAssessment")
    withdrawn = await world.payload(
        NGO, WITHDRAW, {"id": assessment["id"], "version": 1}, "withdrawAssessment"
    )
    # Then both are a CONFLICT, and nothing changed
    for payload in (updated, withdrawn):
        assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [("version", "CONFLICT")]
    assert await world.rows(ROWS) == before
    assert len(await world.audit(NGO)) == 2


@pytest.mark.parametrize("operation", ["updateAssessment", "withdrawAssessment"])
async def test_another_organisations_assessment(world: FollowUpWorld, operation: str) -> None:
    # Given the partner's assessment, shared with the coalition (the NGO is in it)
    shared = await world.assess(
        PARTNER, "FULLY_IMPLEMENTED", "2026-05-01", "COALITION", coalition=world.coalition
    )
    assessment = shared["assessment"]
    before = await world.rows(ROWS)
    document = UPDATE if operation == "updateAssessment" else WITHDRAW
    variables = {
        "status": "NOT_IMPLEMENTED",
        "assessedOn": "2026-05-01",
        "visibility": "PUBLIC",
        "version": 1,
    }

    async def attempt(who: str, assessment_id: str) -> dict[str, Any]:
        return await world.run(who, document, {**variables, "id": assessment_id})

    # Then the NGO, which sees it, may not change it; others get what a random id gets
    assert error_codes(await attempt(NGO, assessment["id"])) == ["FORBIDDEN"]
    random = await attempt(UNVETTED, to_global_id("Assessment", uuid.uuid4()))
    assert error_codes(random) == ["NOT_FOUND"]
    assert await attempt(UNVETTED, assessment["id"]) == random
    assert await attempt(GOVERNMENT, assessment["id"]) == random
    assert await world.rows(ROWS) == before


async def test_node_lookups_follow_the_policy(world: FollowUpWorld) -> None:
    assessment = (await world.assess(NGO, "UNKNOWN", "2026-01-01", "PARTNERS"))["assessment"]
    answers = {who: await world.run(who, NODE, {"id": assessment["id"]}) for who in world.names}
    assert answers[NGO] == answers[PARTNER] == {"data": {"node": assessment}}
    assert answers[UNVETTED] == answers[GOVERNMENT] == {"data": {"node": None}}
    assert await world.run(ANONYMOUS, NODE, {"id": assessment["id"]}) == {"data": {"node": None}}


# The clock reads 2026-11-28 09:00 UTC: in Kiribati (UTC+14) it is 23:00 that day.
@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"assessedOn": "2026-11-29"}, "assessedOn"),
        ({"assessedOn": "2007-12-31"}, "assessedOn"),
        ({"evidence": "x" * 10_001}, "evidence"),
        ({"evidence": "nul \x00 inside"}, "evidence"),
        ({"sourceUrl": "javascript:alert(1)"}, "sourceUrl"),
        ({"sourceUrl": "ftp://example.org/report.pdf"}, "sourceUrl"),
        ({"sourceUrl": "example.org/report"}, "sourceUrl"),
        ({"sourceUrl": "https://"}, "sourceUrl"),
        ({"sourceUrl": "https://example.org/" + "x" * 2000}, "sourceUrl"),
        ({"visibility": "COALITION"}, "coalitionId"),
        ({"coalition": "@coalition"}, "coalitionId"),
    ],
)
async def test_invalid_input_is_a_user_error(
    world: FollowUpWorld, variables: dict[str, str], field: str
) -> None:
    # When the NGO assesses with one invalid value
    given = {"status": "UNKNOWN", "assessedOn": "2026-11-28", "visibility": "PUBLIC"}
    given |= {k: world.coalition if v == "@coalition" else v for k, v in variables.items()}
    assessed = await world.payload(
        NGO, ASSESS, {"recommendation": world.recommendation, **given}, "assessImplementation"
    )
    # Then the field is named, and nothing is written
    assert [(e["field"], e["code"]) for e in assessed["userErrors"]] == [(field, "BAD_USER_INPUT")]
    assert assessed["assessment"] is None
    assert await world.rows(ROWS) == []


async def test_limits_are_inclusive(world: FollowUpWorld) -> None:
    # The first day of 2008, today, a 10,000-character evidence and a plain http URL pass
    for assessed_on in ("2008-01-01", "2026-11-28"):
        assessed = await world.assess(
            NGO, "UNKNOWN", assessed_on, evidence="x" * 10_000, sourceUrl="http://example.org"
        )
        assert assessed["userErrors"] == []


async def test_today_is_where_it_is_already_today(world: FollowUpWorld) -> None:
    # Given 11:00 UTC, when it is already the next day in Kiribati (UTC+14)
    world.clock.advance(hours=2)
    # Then that next day is not in the future, and the day after is
    assert (await world.assess(NGO, "UNKNOWN", "2026-11-29"))["userErrors"] == []
    refused = await world.assess(NGO, "UNKNOWN", "2026-11-30")
    assert [e["field"] for e in refused["userErrors"]] == ["assessedOn"]


async def test_updates_are_checked_like_assessments(world: FollowUpWorld) -> None:
    assessment = (await world.assess(NGO, "UNKNOWN", "2026-01-01"))["assessment"]
    before = await world.rows(ROWS)
    variables = {"id": assessment["id"], "status": "UNKNOWN", "visibility": "PUBLIC", "version": 1}
    for assessed_on, url in (("2030-01-01", None), ("2026-01-01", "file:///etc/passwd")):
        payload = await world.payload(
            NGO,
            UPDATE,
            {**variables, "assessedOn": assessed_on, "sourceUrl": url},
            "updateAssessment",
        )
        assert [e["code"] for e in payload["userErrors"]] == ["BAD_USER_INPUT"]
    assert await world.rows(ROWS) == before


async def test_malformed_dates_and_statuses_are_refused_by_the_schema(
    world: FollowUpWorld,
) -> None:
    for variables in ({"assessedOn": "2026-13-01"}, {"status": "DONE"}):
        given = {
            "recommendation": world.recommendation,
            "status": "UNKNOWN",
            "assessedOn": "2026-01-01",
            "visibility": "PUBLIC",
            **variables,
        }
        assert error_codes(await world.run(NGO, ASSESS, given)) == ["BAD_USER_INPUT"]
    assert await world.rows(ROWS) == []


async def test_who_may_assess(world: FollowUpWorld) -> None:
    # Given NGO tokens with and without assessments:write
    engager = await world.token(NGO, "engagements:write", "recommendations:read")
    assessor = await world.token(NGO, "assessments:write")
    variables = {
        "recommendation": world.recommendation,
        "status": "UNKNOWN",
        "assessedOn": "2026-01-01",
        "visibility": "PUBLIC",
    }
    # Then anonymous clients must sign in, and a token without the scope may not
    assert error_codes(await world.run(ANONYMOUS, ASSESS, variables)) == ["UNAUTHENTICATED"]
    assert error_codes(await world.run(engager, ASSESS, variables)) == ["FORBIDDEN"]
    assert await world.rows(ROWS) == []
    # And the token with the scope assesses for its organisation
    assessed = await world.assess(assessor, "UNKNOWN", "2026-01-01")
    assert assessed["assessment"]["organisation"] == {"name": "Kenya Rights Network"}
