"""The benchmark data generator, at a tiny scale, into a throwaway PostgreSQL database:
counts, the manifest, and a contact its owner reads decrypted through the API."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench import generate
from server.app import create_app
from server.settings import Settings
from tests.conftest import (
    NO_POSTGRES,
    POSTGRES_URL,
    drop_postgres_database,
    postgres_database_url,
    run_sync,
)

pytestmark = pytest.mark.skipif(POSTGRES_URL is None, reason=NO_POSTGRES)

CONTRACT = {
    "scale", "database_url", "keys_file", "owner_session", "api_token", "state", "cycle",
    "search", "recommendation_ids", "counts", "generated_at", "seconds",
}  # fmt: skip
CONTACTS = "{ contacts(first: 5) { totalCount nodes { pseudonym riskLevel region consent } } }"
SEARCH = """query($search: String!) {
  recommendations(first: 1, filter: {search: $search}) { totalCount } }"""
RECOMMENDATION = "query($id: ID!) { node(id: $id) { ... on Recommendation { text } } }"


@pytest.fixture
def database_name() -> Any:
    name = f"upright_test_bench_{uuid.uuid4().hex[:12]}"
    try:
        yield name
    finally:
        drop_postgres_database(name)


def test_tiny_database(database_name: str, tmp_path: Path) -> None:
    url = postgres_database_url(database_name)
    returned = generate.main(["--scale", "tiny", "--database-url", url, "--out", str(tmp_path)])
    manifest = json.loads((tmp_path / "tiny.json").read_text())
    assert manifest == returned
    assert manifest.keys() >= CONTRACT
    assert all(manifest[key] not in (None, "", []) for key in CONTRACT)
    assert manifest["scale"] == "tiny"
    assert manifest["database_url"] == url
    assert Path(manifest["keys_file"]).exists()
    wanted = generate.counts_for(generate.SCALES["tiny"])
    counts = manifest["counts"]
    assert counts["recommendations"] == wanted["recommendations"]
    assert counts["assessments"] == wanted["assessments"]
    assert counts["activities"] == wanted["activities"]
    assert counts["contacts"] == max(wanted["contacts"], generate.OWNER_CONTACTS)
    assert counts["reviews"] == 193 * 4
    assert counts["organisations"] >= 12
    assert counts["engagements"] > 0
    assert manifest["owner_contacts"] >= generate.OWNER_CONTACTS
    assert 0 < len(manifest["recommendation_ids"]) <= 50
    refreshed = generate.main(["--scale", "tiny", "--out", str(tmp_path), "--refresh"])
    assert refreshed["owner_session"] != manifest["owner_session"]
    assert refreshed["counts"] == manifest["counts"]
    run_sync(_through_the_api(manifest, refreshed["owner_session"]))


async def _through_the_api(manifest: dict[str, Any], refreshed_session: str) -> None:
    """The server in production mode on the generated database and key file."""
    settings = Settings(
        database_url=manifest["database_url"], keys_file=Path(manifest["keys_file"])
    )
    app = create_app(settings, tune_gc=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

            async def run(secret: str, query: str, **variables: Any) -> dict[str, Any]:
                response = await client.post(
                    "/graphql",
                    json={"query": query, "variables": variables},
                    headers={"Authorization": f"Bearer {secret}"},
                )
                body: dict[str, Any] = response.json()
                assert "errors" not in body, body
                data: dict[str, Any] = body["data"]
                return data

            contacts = (await run(manifest["owner_session"], CONTACTS))["contacts"]
            assert contacts["totalCount"] == manifest["owner_contacts"]
            assert len(contacts["nodes"]) == 5
            for node in contacts["nodes"]:
                assert node["riskLevel"] in {"LOW", "MEDIUM", "HIGH"}
                assert node["region"]
                assert node["consent"]
            again = await run(refreshed_session, CONTACTS)
            assert again["contacts"]["totalCount"] == manifest["owner_contacts"]
            shared = await run(manifest["sessions"]["partner"], CONTACTS)
            assert shared["contacts"]["totalCount"] == manifest["shared_contacts"] > 0
            token = manifest["api_token"]
            found = await run(token, SEARCH, search=manifest["search"])
            assert found["recommendations"]["totalCount"] == manifest["search_matches"] > 0
            node = await run(token, RECOMMENDATION, id=manifest["recommendation_ids"][0])
            assert node["node"]["text"]
