"""The /graphql endpoint: production by default, development conveniences opt-in."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from starlette.applications import Starlette

from schema import validation_cache
from server.settings import Environment
from tests.graphql import error_codes, without_cost

HTML = {"Accept": "text/html"}


async def test_production_serves_no_graphiql(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers=HTML)
    assert response.status_code == 404
    assert "graphiql" not in response.text.lower()
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_development_serves_graphiql(make_app: Callable[..., Starlette]) -> None:
    app = make_app(env=Environment.DEVELOPMENT)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://upright.test") as client:
            response = await client.get("/graphql", headers=HTML)
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_queries_are_not_served_over_get(client: httpx.AsyncClient) -> None:
    # No query may put its variables in a URL (and into proxy logs).
    response = await client.get("/graphql", params={"query": "{ cycles { number } }"})
    assert response.status_code in {400, 405}
    assert "data" not in response.json()


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        ("query=%7B__typename%7D", "application/x-www-form-urlencoded"),
        ("{ __typename }", "text/plain"),
        ('[{"query": "{ __typename }"}, {"query": "{ __typename }"}]', "application/json"),
        ("{not json", "application/json"),
    ],
)
async def test_only_single_json_operations_are_accepted(
    client: httpx.AsyncClient, content: str, content_type: str
) -> None:
    # Form posts (CSRF), plain text, batches and broken JSON: refused with a code, never a 500.
    response = await client.post(
        "/graphql", content=content, headers={"Content-Type": content_type}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_responses_are_json(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "{ cycles { number } }"})
    assert response.headers["content-type"] == "application/json"
    body = without_cost(response.json())
    assert body == {"data": {"cycles": [{"number": n} for n in (1, 2, 3, 4)]}}


async def test_every_error_leaves_with_a_code(client: httpx.AsyncClient) -> None:
    # Even those raised before execution, by the parser cache and the limiters.
    deep = "{ recommendations(first: 1) { nodes { " + "links { target { " * 5 + "text"
    deep += " } }" * 5 + " } } }"
    aliases = "{ " + " ".join(f"a{i}: cycles {{ number }}" for i in range(16)) + " }"
    for query, code in [
        ("{ states(", "GRAPHQL_PARSE_FAILED"),
        (deep, "GRAPHQL_VALIDATION_FAILED"),
        (aliases, "GRAPHQL_VALIDATION_FAILED"),
    ]:
        response = await client.post("/graphql", json={"query": query})
        assert response.status_code == 200
        assert error_codes(response.json()) == [code], query


async def test_production_does_not_describe_the_schema(client: httpx.AsyncClient) -> None:
    introspection = await client.post("/graphql", json={"query": "{ __schema { types { name } } }"})
    assert set(error_codes(introspection.json())) == {"GRAPHQL_VALIDATION_FAILED"}
    assert introspection.json()["data"] is None
    typo = await client.post("/graphql", json={"query": "{ stats(first: 1) { totalCount } }"})
    assert "Did you mean" not in typo.text


async def test_development_allows_introspection(make_app: Callable[..., Starlette]) -> None:
    app = make_app(env=Environment.DEVELOPMENT)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://upright.test") as client:
            body = without_cost(
                (
                    await client.post(
                        "/graphql", json={"query": '{ __type(name: "State") { name } }'}
                    )
                ).json()
            )
    assert body == {"data": {"__type": {"name": "State"}}}


async def test_a_repeated_document_is_validated_once(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The limits must not defeat the validation cache (a rule class made per request would).
    validated: list[object] = []
    real = validation_cache.validate_document

    def counting(*args: object) -> object:
        validated.append(args[1])
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(validation_cache, "validate_document", counting)
    query = {"query": "{ cycles { number firstSession } }"}
    for _ in range(2):
        response = await client.post("/graphql", json=query)
        assert "errors" not in response.json()
    assert len(validated) == 1
