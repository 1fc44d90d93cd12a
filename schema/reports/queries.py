"""The report queries."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from schema.context import Context
from schema.reports.audience import audience_of
from schema.reports.midterm import midterm_report
from schema.reports.types import MidtermReport, ReportAudienceInput


@strawberry.type
class ReportQuery:
    @strawberry.field(
        description="The mid-term report of a state's review in a cycle, for an audience "
        "(the public by default): only what both you and the audience may see. Anyone may "
        "ask for the public report; a coalition's needs one of its active members. Null "
        "when the state had no review in that cycle."
    )
    async def midterm_report(
        self,
        info: Info[Context, None],
        state: Annotated[str, strawberry.argument(description="ISO 3166-1 code of the state.")],
        cycle: Annotated[int, strawberry.argument(description="The UPR cycle of the review.")],
        audience: ReportAudienceInput | None = None,
    ) -> MidtermReport | None:
        context = info.context
        return await midterm_report(context, state, cycle, await audience_of(context, audience))
