"""/metrics: Prometheus text for allowed addresses only, bounded labels."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def test_requests_errors_latency_and_pool(client: httpx.AsyncClient) -> None:
    await client.post("/graphql", json={"query": "{ cycles { number } }"})
    await client.post("/graphql", json={"query": "mutation { logout { userErrors { code } } }"})
    await client.post("/graphql", json={"query": "{ nope }"})
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples = _samples(response.text)
    requests = "upright_requests_total"
    assert samples[(requests, (("operation_type", "query"), ("status", "200")))] == 1
    # A document that does not validate never becomes an operation.
    assert samples[(requests, (("operation_type", "none"), ("status", "200")))] == 1
    assert samples[("upright_errors_total", (("code", "GRAPHQL_VALIDATION_FAILED"),))] == 1
    assert samples[("upright_request_duration_seconds_count", (("operation_type", "query"),))] == 1
    assert samples[("upright_db_pool_checked_out", ())] == 0  # each request gave its back
    assert samples[("upright_db_pool_size", ())] >= 1


async def test_hidden_from_other_addresses(make_app: Callable[..., Starlette]) -> None:
    app = make_app()
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("203.0.113.5", 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://upright.test") as http:
            response = await http.get("/metrics")
    assert response.status_code == 404
    assert "upright_" not in response.text


async def test_a_configured_scraper_network(make_app: Callable[..., Starlette]) -> None:
    app = make_app(metrics_allow=["10.0.0.0/8"])
    async with app.router.lifespan_context(app):
        for address, status in (("10.20.30.40", 200), ("127.0.0.1", 404)):
            transport = httpx.ASGITransport(app=app, client=(address, 5000))
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
                assert (await http.get("/metrics")).status_code == status
