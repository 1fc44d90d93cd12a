"""What the collaboration API costs over the SQL it sends.

Loads a synthetic set of recommendations with partners' work (bulk inserts), then times
representative GraphQL requests in process (ASGI, no sockets) against a floor: the very
statements each request sent, captured with their parameters and replayed on a raw
connection with the rows encoded by orjson. The ratio is what GraphQL, the policy and
the Python around the SQL cost; each pair is measured in alternating rounds so a busy
machine's drift falls on both. Run from the repository root:
`.venv/bin/python -m bench.collaboration [--database-url URL-of-an-EMPTY-database]`.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import orjson
from sqlalchemy import event, insert
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.db import new_id, utcnow
from schema.recommendations.search import search_document
from schema.tables.followup import Assessment, Engagement, EngagementRole, ImplementationStatus
from schema.tables.recommendations import Mechanism, Recommendation, Response
from schema.tables.recommendations import recommendation_themes as themes_table
from schema.tables.recommendations import recommending_states as recommending_table
from schema.tables.reviews import Review
from security.keyring import Keyring, write_keyring
from security.sharing import Visibility
from server.app import create_app
from server.database import create_engine
from server.migrate import seed, upgrade
from server.settings import Settings
from tests.factories import make_organisation

STATES = ["KEN", "NPL", "BRA", "FRA", "IND", "MEX", "ZAF", "PHL", "COL", "EGY"]
THEMES = [
    "justice",
    "death-penalty",
    "human-rights-defenders",
    "womens-rights",
    "torture-and-other-cid-treatment",
]
WORDS = [
    "protect",
    "human",
    "rights",
    "defenders",
    "journalists",
    "ensure",
    "investigation",
    "torture",
    "detention",
    "ratify",
    "optional",
    "protocol",
    "convention",
    "women",
    "girls",
    "violence",
    "justice",
    "police",
    "reform",
    "freedom",
    "expression",
    "assembly",
    "association",
    "children",
    "education",
    "health",
]
PER_REVIEW = 200
QUERIES = {
    "page of 50, nested": """{ recommendations(first: 50, filter: {state: "KEN"}) { nodes {
        text state { name } recommendingStates { code } themes { name }
        engagements { role organisation { name } }
        latestAssessments { status assessedOn organisation { name } } } } }""",
    "page of 10, nested": """{ recommendations(first: 10, filter: {state: "KEN"}) { nodes {
        text state { name } recommendingStates { code } themes { name }
        engagements { role organisation { name } }
        latestAssessments { status assessedOn organisation { name } } } } }""",
    "search with a filter": """{ recommendations(first: 20,
        filter: {states: ["KEN", "NPL"], search: "protect defenders"}) {
        totalCount nodes { text } } }""",
    "statistics of a state": """{ recommendationStats(filter: {state: "KEN"}) {
        total notAssessed notFollowedUp byResponse { response count }
        byTheme { theme { code } count } byImplementationStatus { status count } } }""",
    "not followed up, by status": """{ recommendations(first: 50, filter: {state: "KEN",
        followedUp: false, implementationStatuses: [NOT_IMPLEMENTED]}) { nodes { text } } }""",
}


async def load(engine: AsyncEngine, rng: random.Random) -> int:
    """Two reviews per state, PER_REVIEW recommendations each; a third of them engaged
    on, each assessed by two organisations at mixed sharing levels."""
    organisations = [
        await make_organisation(engine, f"Bench NGO {i}", vetted_partner=True, public_profile=True)
        for i in range(5)
    ]
    stamps = {"created_at": utcnow(), "updated_at": utcnow(), "version": 1}
    rows: dict[Any, list[dict[str, Any]]] = {
        table: []
        for table in (
            Review.__table__,
            Recommendation.__table__,
            themes_table,
            recommending_table,
            Engagement.__table__,
            Assessment.__table__,
        )
    }
    levels = [Visibility.PUBLIC, Visibility.PARTNERS, Visibility.ORGANISATION]
    for state in STATES:
        for session, day in ((35, dt.date(2020, 1, 22)), (48, dt.date(2025, 1, 22))):
            review = new_id()
            rows[Review.__table__].append(
                {"id": review, "state_code": state, "session_number": session,
                 "review_date": day, **stamps}
            )  # fmt: skip
            for n in range(PER_REVIEW):
                key = new_id()
                text = " ".join(rng.choice(WORDS) for _ in range(14)) + f" {n}"
                rows[Recommendation.__table__].append(
                    {"id": key, "mechanism": Mechanism.UPR, "state_code": state,
                     "review_id": review, "text": text, "search_tokens": search_document(text),
                     "natural_key": key.hex, "response": rng.choice(list(Response)),
                     "action_category": rng.randint(1, 5), **stamps}
                )  # fmt: skip
                rows[themes_table].append(
                    {"recommendation_id": key, "theme_code": rng.choice(THEMES)}
                )
                for recommending in rng.sample([s for s in STATES if s != state], 2):
                    rows[recommending_table].append(
                        {"recommendation_id": key, "state_code": recommending}
                    )
                for owner in rng.sample(organisations, 2):
                    common = {"recommendation_id": key, "owner_organisation_id": owner, **stamps}
                    if n % 3 == 0:
                        rows[Engagement.__table__].append(
                            {"id": new_id(), "role": EngagementRole.PARTNER,
                             "visibility": rng.choice(levels), **common}
                        )  # fmt: skip
                    rows[Assessment.__table__].append(
                        {"id": new_id(), "status": rng.choice(list(ImplementationStatus)),
                         "assessed_on": dt.date(2026, 1, 1) + dt.timedelta(days=n),
                         "visibility": rng.choice(levels), **common}
                    )  # fmt: skip
    async with engine.begin() as connection:
        for table, values in rows.items():
            for start in range(0, len(values), 1000):
                await connection.execute(insert(table), values[start : start + 1000])
        if connection.dialect.name == "postgresql":
            # What autovacuum would have done by the time anyone reads: without
            # statistics the planner scans (a state's statistics took 56 ms, not 7).
            await connection.exec_driver_sql("ANALYZE")
    return len(rows[Recommendation.__table__])


class Captured:
    """The statements (with parameters) an engine sends while `active`."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.active, self.sent = False, []  # type: tuple[bool, list[tuple[str, Any]]]
        event.listen(engine.sync_engine, "before_cursor_execute", self.record)

    def record(self, _conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if self.active and statement.lstrip().upper().startswith(("SELECT", "WITH")):
            self.sent.append((statement, parameters))


async def timed(run: Callable[[], Any]) -> float:
    start = time.perf_counter()
    await run()
    return (time.perf_counter() - start) * 1000


async def main(database_url: str, keys_file: Path, rounds: int) -> None:
    settings = Settings(database_url=database_url, keys_file=keys_file)
    await asyncio.to_thread(upgrade, database_url)
    engine = create_engine(settings)
    await seed(engine)
    count = await load(engine, random.Random(7))
    await engine.dispose()
    app = create_app(settings)
    print(
        f"{count:,} recommendations, {database_url.split(':', maxsplit=1)[0]}, medians of {rounds}"
    )
    print(f"{'request':30} {'GraphQL':>9} {'floor':>9} {'ratio':>6} {'statements':>10}")
    async with app.router.lifespan_context(app):
        captured = Captured(app.state.engine)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            for name, query in QUERIES.items():

                async def graphql(query: str = query) -> None:
                    response = await http.post("/graphql", json={"query": query})
                    if "errors" in response.json():
                        raise RuntimeError(response.text)

                captured.active = True
                await graphql()
                captured.active = False
                statements, captured.sent = captured.sent, []

                async def floor(statements: list[tuple[str, Any]] = statements) -> None:
                    async with app.state.engine.connect() as connection:
                        for statement, parameters in statements:
                            rows = await connection.exec_driver_sql(statement, parameters)
                            orjson.dumps([tuple(row) for row in rows], default=str)

                for _ in range(5):
                    await graphql()
                    await floor()
                api, plain = [], []
                for round_ in range(rounds):
                    pair = [(api, graphql), (plain, floor)]
                    for times, run in pair if round_ % 2 else pair[::-1]:
                        times.append(await timed(run))
                api_ms, floor_ms = statistics.median(api), statistics.median(plain)
                print(
                    f"{name:30} {api_ms:7.1f}ms {floor_ms:7.1f}ms {floor_ms / api_ms:6.2f}"
                    f" {len(statements):10}"
                )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", help="an EMPTY database (default: temporary SQLite)")
    parser.add_argument("--rounds", type=int, default=50)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        keys_file = Path(folder) / "keys.json"
        write_keyring(keys_file, Keyring.generate(demo=False))
        url = arguments.database_url or f"sqlite+aiosqlite:///{folder}/bench.db"
        asyncio.run(main(url, keys_file, arguments.rounds))
