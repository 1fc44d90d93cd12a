"""The cost limit and the hourly budgets, over HTTP: refused before running, reported in
every response, renewed every clock hour, shared through Redis."""

from __future__ import annotations

import ipaddress
import os
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from tests.clock import Clock

REDIS_URL = os.environ.get("UPRIGHT_TEST_REDIS_URL")
PAGE = "query Page($n: Int!) { recommendations(first: $n) { nodes { text themes { name } } } }"


def page_cost(n: int) -> int:
    return 1 + n * 2  # the connection, then per node: nodes (1) + themes (1)


@asynccontextmanager
async def _client(app: Starlette, address: str = "127.0.0.1") -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app), _from(app, address) as http:
        yield http


def _from(app: Starlette, address: str) -> httpx.AsyncClient:
    """A client of a started app, from `address`."""
    transport = httpx.ASGITransport(app=app, client=(address, 5000))
    return httpx.AsyncClient(transport=transport, base_url="http://upright.test")


async def _page(http: httpx.AsyncClient, n: int) -> dict[str, Any]:
    response = await http.post("/graphql", json={"query": PAGE, "variables": {"n": n}})
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


async def test_every_response_reports_its_cost(client: httpx.AsyncClient) -> None:
    ok = (await client.post("/graphql", json={"query": PAGE, "variables": {"n": 5}})).json()
    broken = (await client.post("/graphql", json={"query": "{ cycles {"})).json()
    assert ok["extensions"]["cost"]["requested"] == page_cost(5)
    assert ok["extensions"]["cost"]["resetAt"] == "2026-11-28T10:00:00+00:00"
    # A document that never ran cost nothing, and says how much is left.
    assert broken["extensions"]["cost"]["requested"] == 0
    assert broken["extensions"]["cost"]["remaining"] == ok["extensions"]["cost"]["remaining"]


async def test_just_under_runs_just_over_is_refused_unrun(
    make_app: Callable[..., Starlette],
) -> None:
    app = make_app(max_query_cost=page_cost(10))
    async with _client(app) as http:
        under = await _page(http, 10)
        over = await _page(http, 11)
    assert "errors" not in under
    assert over["data"] is None
    (error,) = over["errors"]
    assert error["extensions"]["code"] == "COST_LIMIT_EXCEEDED"
    assert error["extensions"]["cost"] == page_cost(11)
    assert error["extensions"]["maximum"] == page_cost(10)
    assert f"{page_cost(11):,} points" in error["message"]
    # Refused before running: nothing was charged for it.
    assert over["extensions"]["cost"]["remaining"] == under["extensions"]["cost"]["remaining"]


async def test_budgets_deplete_and_renew(make_app: Callable[..., Starlette], clock: Clock) -> None:
    budget = page_cost(10) * 3
    app = make_app(hourly_cost_budget_anonymous=budget)
    async with _client(app) as http:
        remaining = [(await _page(http, 10))["extensions"]["cost"]["remaining"] for _ in range(3)]
        assert remaining == [budget - page_cost(10) * k for k in (1, 2, 3)]
        spent = await _page(http, 10)
        assert spent["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        assert spent["errors"][0]["extensions"]["retryAfter"] == 3600
        # A cheaper request still fits? No: nothing is left at all.
        assert (await _page(http, 0))["extensions"]["cost"]["remaining"] == 0
        # Another address has its own budget.
        async with _from(app, "192.0.2.10") as other:
            assert "errors" not in await _page(other, 10)
        clock.advance(hours=1)
        renewed = await _page(http, 10)
        assert "errors" not in renewed
        assert renewed["extensions"]["cost"]["remaining"] == budget - page_cost(10)


async def test_processes_share_one_budget_through_redis(
    make_app: Callable[..., Starlette],
) -> None:
    if REDIS_URL is None:
        pytest.skip("UPRIGHT_TEST_REDIS_URL is not set: Redis tests skipped (.ci/run sets it)")
    budget = page_cost(10) * 2
    # Two apps, each with its own Redis client and pool, as two server processes have;
    # a fresh client address (documentation range) so no earlier run's count is reused.
    address = str(ipaddress.IPv6Address(int("20010db8" + uuid.uuid4().hex[:24], 16)))
    one = make_app(redis_url=REDIS_URL, hourly_cost_budget_anonymous=budget)
    other = make_app(redis_url=REDIS_URL, hourly_cost_budget_anonymous=budget)
    async with _client(one, address) as first, _client(other, address) as second:
        a = await _page(first, 10)
        b = await _page(second, 10)
        c = await _page(first, 10)  # the first process alone has spent half its budget
    assert "errors" not in a
    assert "errors" not in b
    assert c["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


async def test_without_redis_each_process_counts_alone(
    make_app: Callable[..., Starlette],
) -> None:
    budget = page_cost(10)
    one = make_app(hourly_cost_budget_anonymous=budget)
    other = make_app(hourly_cost_budget_anonymous=budget)
    async with _client(one) as first, _client(other) as second:
        assert "errors" not in await _page(first, 10)
        assert "errors" not in await _page(second, 10)  # documented: N processes, N budgets
        assert "errors" in await _page(first, 10)
