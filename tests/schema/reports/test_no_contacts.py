"""A report never holds contact data: a contact linked to the review's recommendations
and activities, kept by an organisation making the report, leaves no trace in what the
API gives nor in the HTML, Markdown and SVG rendered from it."""

from __future__ import annotations

import datetime as dt
import json

from schema.relay import to_global_id
from security.sharing import Visibility
from server.reports.chart import status_chart
from server.reports.html import render_html
from server.reports.markdown import render_markdown
from server.reports.query import MIDTERM_REPORT
from tests.factories import make_activity, make_assessment
from tests.schema.reports.conftest import ReportWorld
from tests.worlds import NGO

CONTACT = {
    "fullName": "Amani Kito-Wekesa",
    "email": "amani.kito@example.org",
    "phone": "+254700333444",
    "handle": "@amani_kito_signal",
    "address": "House 7, Kito Road, Eldoret",
    "notes": "Reports from the Kito detention centre",
    "region": "Kito Valley",
}
CREATE = """
mutation($input: ContactInput!) {
  createContact(input: $input) { userErrors { code } contact { id pseudonym } }
}
"""


async def test_no_contact_data_in_any_report(world: ReportWorld) -> None:
    # Given a recommendation assessed in public and in the coalition, a held activity,
    # and a contact of the NGO linked to both
    org, coalition = world.organisations[NGO], world.coalition_keys["coalition"]
    recommendation = await world.recommendation("119.1", themes=["detention"])
    await make_assessment(world.engine, recommendation, org, Visibility.PUBLIC)
    await make_assessment(world.engine, recommendation, org, Visibility.COALITION, coalition)
    activity = await make_activity(
        world.engine, org, Visibility.PUBLIC, review=world.review, starts_on=dt.date(2021, 5, 3)
    )
    contact = {
        **CONTACT,
        "riskLevel": "HIGH",
        "consent": "GIVEN",
        "country": "KEN",
        "recommendations": [to_global_id("Recommendation", recommendation)],
        "activities": [to_global_id("Activity", activity)],
    }
    created = await world.payload(NGO, CREATE, {"input": contact}, "createContact")
    assert created["userErrors"] == []
    needles = [*CONTACT.values(), "254700333444", created["contact"]["pseudonym"]]
    needles += [created["contact"]["id"], "Kito", "kito"]
    for audience in (None, {"coalitionId": world.coalition}):
        # When the NGO makes the report, and it is rendered
        variables = {"state": "KEN", "cycle": 3, "audience": audience}
        body = await world.run(NGO, MIDTERM_REPORT, variables)
        assert "errors" not in body, body["errors"]
        report = body["data"]["midtermReport"]
        outputs = [
            json.dumps(report),
            render_html(report),
            render_markdown(report, "chart.svg"),
            status_chart(report["statusByTheme"], "Chart"),
        ]
        # Then none of the contact's values is anywhere, in any case
        assert [n for n in needles for out in outputs if n.lower() in out.lower()] == []
        # (while the work it is linked to is: the scan reads the right text)
        assert all("Strategy workshop" in out for out in outputs[:3])
