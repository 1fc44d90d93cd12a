"""Bounds on one request: document shape, document size, body size, time; configurable."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx
from starlette.applications import Starlette

from tests.graphql import error_codes


@asynccontextmanager
async def _client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://upright.test") as http:
            yield http


def _directives(count: int) -> str:
    return "{ " + " ".join(["... @include(if: true) { cycles { number } }"] * count) + " }"


async def test_directives_are_bounded(client: httpx.AsyncClient) -> None:
    at_limit = (await client.post("/graphql", json={"query": _directives(50)})).json()
    over = (await client.post("/graphql", json={"query": _directives(51)})).json()
    assert "errors" not in at_limit
    assert error_codes(over) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "more than 50 directives" in over["errors"][0]["message"]


async def test_limits_come_from_settings(make_app: Callable[..., Starlette]) -> None:
    app = make_app(max_aliases=2, max_depth=3, max_directives=1, max_tokens=200)
    async with _client(app) as http:

        async def codes(query: str) -> list[str]:
            return error_codes((await http.post("/graphql", json={"query": query})).json())

        assert await codes("{ a: cycles { number } b: cycles { number } }") == []
        assert await codes("{ a: cycles { number } b: cycles { number } c: cycles { number } }")
        assert await codes(_directives(1)) == []
        assert await codes(_directives(2)) == ["GRAPHQL_VALIDATION_FAILED"]
        deep = "{ recommendations(first: 1) { nodes { review { state { name } } } } }"
        assert await codes(deep) == ["GRAPHQL_VALIDATION_FAILED"]
        many_tokens = "{ " + " ".join(["cycles { number }"] * 60) + " }"
        assert await codes(many_tokens) == ["GRAPHQL_PARSE_FAILED"]


async def test_a_long_document_is_refused_before_parsing(client: httpx.AsyncClient) -> None:
    # Comments are not tokens: only the length bound stops this one.
    query = "{ cycles { number } }\n" + "# padding\n" * 1600
    response = await client.post("/graphql", json={"query": query})
    assert response.status_code == 413
    assert error_codes(response.json()) == ["BAD_USER_INPUT"]
    assert "15,000 characters" in response.json()["errors"][0]["message"]


async def test_a_large_body_is_refused(make_app: Callable[..., Starlette]) -> None:
    app = make_app(max_body_bytes=10_000)
    body = {"query": "{ cycles { number } }", "variables": {"padding": "x" * 20_000}}
    async with _client(app) as http:
        declared = await http.post("/graphql", json=body)

        async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted as it comes
            for _ in range(30):
                yield b" " * 1000
            yield b'{"query": "{ cycles { number } }"}'

        streamed = await http.post(
            "/graphql", content=chunks(), headers={"Content-Type": "application/json"}
        )
        small = await http.post("/graphql", json={"query": "{ cycles { number } }"})
    for response in (declared, streamed):
        assert response.status_code == 413
        assert error_codes(response.json()) == ["BAD_USER_INPUT"]
    assert small.status_code == 200


async def test_a_request_past_its_time_is_stopped(make_app: Callable[..., Starlette]) -> None:
    # A deadline the first database round trip cannot meet.
    app = make_app(request_timeout=0.000001)
    async with _client(app) as http:
        response = await http.post(
            "/graphql", json={"query": "{ reviews(first: 5) { totalCount } }"}
        )
        assert response.status_code == 503
        assert error_codes(response.json()) == ["SERVICE_UNAVAILABLE"]
        assert "too long" in response.json()["errors"][0]["message"]
    async with _client(make_app()) as http:  # and the same request in time is fine
        ok = await http.post("/graphql", json={"query": "{ reviews(first: 5) { totalCount } }"})
    assert ok.status_code == 200
