"""An export page costs the same statements whatever its size: the page, one per
relation, the organisation's contacts once, the audit."""

from __future__ import annotations

from starlette.applications import Starlette

from schema.relay import to_global_id
from security.sharing import Visibility
from tests.factories import make_recommendation, make_review
from tests.graphql import data
from tests.schema.exports.conftest import ExportWorld
from tests.schema.exports.test_contacts import CREATE
from tests.statements import count_statements
from tests.worlds import NGO, PARTNER


async def _state(world: ExportWorld, state: str, count: int) -> None:
    """`count` recommendations to `state`, each assessed by the NGO and the partner and
    linked to a contact of the NGO's."""
    review = await make_review(world.engine, state, 51)
    for _ in range(count):
        key = await make_recommendation(
            world.engine, review, state, themes=["human-rights-defenders"]
        )
        await world.assessment(key, NGO, Visibility.COALITION)
        await world.assessment(key, PARTNER, Visibility.PUBLIC)
        contact = {
            "fullName": "Jane Defender",
            "riskLevel": "HIGH",
            "consent": "GIVEN",
            "recommendations": [to_global_id("Recommendation", key)],
        }
        await data(world.client, CREATE, {"input": contact}, token=world.sessions[NGO])


async def test_statements_do_not_grow_with_page_size(world: ExportWorld, app: Starlette) -> None:
    # Given 1 recommendation to Nepal and 10 to Tanzania, each with a contact
    await _state(world, "NPL", 1)
    await _state(world, "TZA", 10)
    own = world.organisation_id(NGO)
    await world.export(NGO, recipient=own)  # keys unwrapped once, then cached
    counts = []
    for state in ("NPL", "TZA"):
        # When the NGO exports each for its own use
        with count_statements(app.state.engine) as statements:
            page = await world.export(NGO, recipient=own, filter={"state": state})
        assert page["contactsIncluded"] is True
        counts.append((page["count"], len(statements)))
    # Then both cost the same statements
    assert counts[0][0] == 1
    assert counts[1][0] == 10
    assert counts[0][1] == counts[1][1]
