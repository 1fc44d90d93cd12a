"""A load manifest for a database holding the demo data (`upright demo`), in the shape
`bench.generate` writes (`bench/out/<scale>.json`): for developing the load harness and
for its smoke test, before or without a generated dataset.

The demo's keys are demo keys, so a server on this database must run with
UPRIGHT_ENV=development (the manifest says so: `"environment": {"UPRIGHT_ENV": ...}`).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from schema.accounts.service import start_session
from schema.context import AccountRules
from schema.db import new_id
from schema.reference.calendar import cycle_of_session
from schema.relay import to_global_id
from schema.tables.accounts import ApiToken
from schema.tables.organisations import User
from schema.tables.recommendations import Recommendation
from schema.tables.registry import Contact
from schema.tables.reviews import Review
from security import tokens
from server.database import create_engine
from server.settings import Environment, Settings

SCOPES = "recommendations:read assessments:write"


async def demo_manifest(database_url: str, keys_file: Path) -> dict[str, Any]:
    """Credentials (a fresh owner session and API token) and request parameters for the
    demo data in `database_url`."""
    settings = Settings(database_url=database_url, keys_file=keys_file, env=Environment.DEVELOPMENT)
    engine = create_engine(settings)
    now = dt.datetime.now(dt.UTC)
    try:
        async with engine.begin() as connection:
            state = (
                await connection.execute(
                    select(Recommendation.state_code)
                    .group_by(Recommendation.state_code)
                    .order_by(func.count().desc(), Recommendation.state_code)
                    .limit(1)
                )
            ).scalar_one()
            session = (
                await connection.execute(
                    select(func.max(Review.session_number)).where(Review.state_code == state)
                )
            ).scalar_one()
            ids = (
                await connection.execute(
                    select(Recommendation.id)
                    .where(Recommendation.state_code == state)
                    .order_by(Recommendation.id)
                    .limit(50)
                )
            ).scalars()
            texts = (await connection.execute(select(Recommendation.text))).scalars().all()
            owner = (
                await connection.execute(
                    select(Contact.owner_organisation_id)
                    .group_by(Contact.owner_organisation_id)
                    .order_by(func.count().desc())
                    .limit(1)
                )
            ).scalar_one()
            users = (
                await connection.execute(
                    select(User.id).where(User.organisation_id == owner).order_by(User.id)
                )
            ).scalars()
            user = next(iter(users))
            session_secret, _ = await start_session(
                connection, user, now, AccountRules(), second_factor=True
            )
            token_secret = tokens.new_secret(tokens.API_TOKEN_PREFIX)
            await connection.execute(
                insert(ApiToken).values(
                    id=new_id(),
                    organisation_id=owner,
                    name="bench load",
                    token_digest=tokens.digest(token_secret),
                    scopes=SCOPES,
                    created_by_user_id=user,
                    created_at=now,
                    expires_at=now + dt.timedelta(days=7),
                )
            )
    finally:
        await engine.dispose()
    return {
        "scale": "demo",
        "database_url": database_url,
        "keys_file": str(keys_file),
        "owner_session": session_secret,
        "api_token": token_secret,
        "state": state,
        "cycle": cycle_of_session(session),
        "search": search_word(texts),
        "recommendation_ids": [to_global_id("Recommendation", key) for key in ids],
        "counts": {"recommendations": len(texts)},
        "environment": {"UPRIGHT_ENV": "development"},
    }


def search_word(texts: Sequence[str]) -> str:
    """A word of 6+ letters found in about 1% of the texts (at least one)."""
    documents: Counter[str] = Counter()
    for text in texts:
        documents.update({word.lower() for word in re.findall(r"[A-Za-z]{6,}", text)})
    target = max(1, len(texts) // 100)
    word, _ = min(documents.items(), key=lambda item: (abs(item[1] - target), item[0]))
    return word


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--keys-file", type=Path, required=True)
    parser.add_argument("--output", type=Path, default=Path("bench/out/demo.json"))
    arguments = parser.parse_args()
    manifest = asyncio.run(demo_manifest(arguments.database_url, arguments.keys_file))
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"manifest written to {arguments.output}")


if __name__ == "__main__":
    main()
