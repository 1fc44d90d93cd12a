"""Prometheus metrics: requests, latency, errors by code, the database pool.

Served at `/metrics` to the addresses in `UPRIGHT_METRICS_ALLOW` only (loopback by
default; the scraper's address, or its network): to everyone else the path does not
exist. Labels are bounded sets (operation type, status class, error code), never an
operation name a client chose or anything a request carried.

Each server process keeps its own counters, like its own pool: with several uvicorn
workers on one port a scrape reaches one of them, so run one worker per container or
process (the Kubernetes and compose deployments do) when the figures matter.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import Response

from schema.errors import ErrorCode

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_KNOWN_CODES = frozenset(code.value for code in ErrorCode) | {
    "GRAPHQL_PARSE_FAILED",
    "GRAPHQL_VALIDATION_FAILED",
}
_OPERATION_TYPES = frozenset({"query", "mutation"})


class _PoolCollector(Collector):
    """The database pool's state, read at scrape time."""

    def __init__(self, engine: Callable[[], AsyncEngine | None]) -> None:
        self._engine = engine

    def collect(self) -> Iterator[GaugeMetricFamily]:
        engine = self._engine()
        pool = engine.pool if engine is not None else None
        for name, help_text, method in (
            ("upright_db_pool_size", "Connections the pool keeps.", "size"),
            ("upright_db_pool_checked_out", "Connections in use.", "checkedout"),
            ("upright_db_pool_overflow", "Connections beyond the pool size.", "overflow"),
        ):
            reader = getattr(pool, method, None)
            if callable(reader):
                yield GaugeMetricFamily(name, help_text, value=float(reader()))


class Metrics:
    """One process's metrics, in a registry of their own (so apps built in tests never
    share counters)."""

    def __init__(self, engine: Callable[[], AsyncEngine | None]) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "upright_requests",
            "GraphQL requests by operation type and HTTP status.",
            ("operation_type", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "upright_request_duration_seconds",
            "GraphQL request duration.",
            ("operation_type",),
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=self.registry,
        )
        self.errors = Counter(
            "upright_errors", "GraphQL errors by code.", ("code",), registry=self.registry
        )
        self.registry.register(_PoolCollector(engine))

    def observe(
        self, operation_type: str | None, status: int, seconds: float, codes: list[str]
    ) -> None:
        kind = operation_type if operation_type in _OPERATION_TYPES else "none"
        self.requests.labels(kind, str(status)).inc()
        self.latency.labels(kind).observe(seconds)
        for code in codes:
            self.errors.labels(code if code in _KNOWN_CODES else "OTHER").inc()


def allowed(networks: list[str], address: str | None) -> bool:
    if address is None:
        return False
    try:
        client = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(client in ipaddress.ip_network(network, strict=False) for network in networks)


def endpoint(
    metrics: Metrics, networks: list[str]
) -> Callable[[Request], Coroutine[Any, Any, Response]]:
    async def serve(request: Request) -> Response:
        if not allowed(networks, request.client.host if request.client else None):
            return Response(status_code=404)
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE)

    return serve
