"""How many rows a second `upright import upr-info` takes in, through its real code path.

Generates a 40,000-row UPR database CSV export (UN state names, every UN member under
review in sessions of its own, quoted multi-theme cells, the same text recommended by
one to six states, two on average, in separate rows so that rows merge), then parses
it and writes it into a freshly migrated, seeded database exactly as the command does,
and times parse, write and the two together; then a second run, which must add
nothing. The target
(issue 6): 5,000 rows a second into PostgreSQL. Run from the repository root:
`.venv/bin/python -m bench.import_throughput [--database-url URL-of-an-EMPTY-database]`.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import random
import tempfile
import time

from schema.imports.upr_info import COLUMNS, ParseResult, parse
from schema.reference.states import all_states
from schema.reference.vocabularies import THEMES
from server.database import create_engine
from server.importing import WriteCounts, write_recommendations
from server.migrate import seed, upgrade
from server.settings import Settings

VERBS = [
    "Ratify", "Adopt", "Strengthen", "Ensure", "Guarantee", "Combat", "Protect",
    "Investigate", "Establish", "Consider", "Continue", "Take measures to", "Promote",
]  # fmt: skip
OBJECTS = [
    "the Optional Protocol to the Convention against Torture", "the rights of women",
    "freedom of expression", "human rights defenders", "journalists and media workers",
    "the national human rights institution", "access to education for girls",
    "persons with disabilities", "the right to health in rural areas", "migrant workers",
    "indigenous peoples' land rights", "child labour", "trafficking in persons",
    "domestic violence", "the independence of the judiciary", "prison conditions",
]  # fmt: skip
CLAUSES = [
    "in line with its international obligations", "with the support of civil society",
    "by allocating adequate resources", "through a comprehensive national plan",
    "and report on progress at the next review", "in consultation with the OHCHR",
    "including through legislative reform", "without discrimination of any kind",
]  # fmt: skip
RESPONSES = ["Supported", "Supported", "Supported", "Noted", "Accepted", "Not Supported"]
# How many states make one text: most texts come from one state, some from several.
STATES_PER_TEXT = [1] * 55 + [2] * 20 + [3] * 12 + [4] * 7 + [5] * 4 + [6] * 2
ROWS = 40_000


def export(rows: int, rng: random.Random) -> bytes:
    """A UPR database export of `rows` rows, as the site writes it (UTF-8, CRLF)."""
    members = [state.name for state in all_states() if state.un_member]
    sessions = range(1, 55)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    written = 0
    while written < rows:
        reviewed = rng.choice(members)
        session = str(rng.choice(sessions))
        text = (
            f"{rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(CLAUSES)}, and"
            f" {rng.choice(VERBS).lower()} {rng.choice(OBJECTS)} {rng.choice(CLAUSES)}"
            f" (A/HRC/{rng.randint(8, 60)}/{rng.randrange(1, 20)}, {rng.randrange(1_000_000)})."
        )
        themes = ", ".join(rng.sample(THEMES, rng.randint(1, 3)))
        response, action = rng.choice(RESPONSES), str(rng.randint(1, 5))
        for recommending in rng.sample(members, min(rng.choice(STATES_PER_TEXT), rows - written)):
            writer.writerow(
                (reviewed, "", "", text, recommending, "", "", response, action, themes, session)
            )
            written += 1
    return out.getvalue().encode()


async def run(database_url: str, data: bytes, label: str) -> tuple[ParseResult, WriteCounts]:
    start = time.perf_counter()
    result = parse("bench.csv", data)
    parsed = time.perf_counter()
    engine = create_engine(Settings(database_url=database_url))
    try:
        counts = await write_recommendations(engine, list(result.recommendations.values()))
    finally:
        await engine.dispose()
    written = time.perf_counter()
    rows = result.rows_read
    print(
        f"{label:14} parse {rows / (parsed - start):8,.0f} rows/s"
        f"   write {rows / (written - parsed):8,.0f} rows/s"
        f"   total {rows / (written - start):8,.0f} rows/s ({written - start:5.2f} s)"
        f"   new {counts.new:,}, already present {counts.already_present:,}"
    )
    return result, counts


async def main(database_url: str, rows: int) -> None:
    await asyncio.to_thread(upgrade, database_url)
    engine = create_engine(Settings(database_url=database_url))
    try:
        await seed(engine)
    finally:
        await engine.dispose()
    data = export(rows, random.Random(6))
    print(f"{rows:,} rows ({len(data) / 1e6:.1f} MB), {database_url.split(':', maxsplit=1)[0]}")
    result, first = await run(database_url, data, "first import")
    print(f"{'':14} {len(result.recommendations):,} recommendations, {result.merged:,} rows merged")
    _, second = await run(database_url, data, "second import")
    if second.new or second.already_present != first.new:
        raise RuntimeError(f"the second import was not a no-op: {second}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", help="an EMPTY database (default: temporary SQLite)")
    parser.add_argument("--rows", type=int, default=ROWS)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = arguments.database_url or f"sqlite+aiosqlite:///{folder}/bench.db"
        asyncio.run(main(url, arguments.rows))
