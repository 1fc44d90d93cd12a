"""The floor: what plain Python does with the same SQL on the same machine.

A minimal Starlette app, served by uvicorn in its own process, with one endpoint per
captured request (`POST /floor/<name>`): it sends the very statements the GraphQL server
sent for that request (captured once in process with their parameters, see
`bench.run.capture`), on one pooled asyncpg connection outside a transaction (as the
server reads on PostgreSQL), turns the rows into dicts and answers them as JSON with
orjson. No GraphQL, no ORM, no policy: the server's figures divided by these are what
everything else costs.

    .venv/bin/python -m bench.floor --statements bench/out/floor-small.pickle --port 8001
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pickle
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

# name -> [(statement with $n placeholders, parameters)]
Captured = dict[str, list[tuple[str, list[Any]]]]


def create_floor(dsn: str, captured: Captured, pool_size: int = 10) -> Starlette:
    state: dict[str, Any] = {}

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        state["pool"] = await asyncpg.create_pool(dsn, min_size=1, max_size=pool_size)
        try:
            yield
        finally:
            await state["pool"].close()

    async def floor(request: Request) -> Response:
        statements = captured.get(request.path_params["name"])
        if statements is None:
            return Response(status_code=404)
        results = []
        async with state["pool"].acquire() as connection:
            for statement, parameters in statements:
                rows = await connection.fetch(statement, *parameters)
                results.append([dict(row) for row in rows])
        return Response(orjson.dumps({"data": results}, default=str), media_type="application/json")

    async def ready(_request: Request) -> Response:
        return Response(b"ok")

    return Starlette(
        routes=[
            Route("/floor/{name}", floor, methods=["POST", "GET"]),
            Route("/readyz", ready),
        ],
        lifespan=lifespan,
    )


def asyncpg_dsn(database_url: str) -> str:
    """postgresql+asyncpg://... as asyncpg takes it."""
    return "postgresql://" + database_url.split("://", 1)[1]


def app_from_environment() -> Starlette:
    """For uvicorn's factory (one app per worker)."""
    captured: Captured = pickle.loads(Path(os.environ["BENCH_FLOOR_STATEMENTS"]).read_bytes())  # noqa: S301 our own file
    return create_floor(asyncpg_dsn(os.environ["BENCH_FLOOR_DATABASE_URL"]), captured)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--statements", type=Path, required=True, help="pickle from capture")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--workers", type=int, default=1)
    arguments = parser.parse_args()
    os.environ["BENCH_FLOOR_STATEMENTS"] = str(arguments.statements.resolve())
    os.environ["BENCH_FLOOR_DATABASE_URL"] = arguments.database_url
    uvicorn.run(
        "bench.floor:app_from_environment",
        factory=True,
        host="127.0.0.1",
        port=arguments.port,
        workers=arguments.workers,
        access_log=False,
        server_header=False,
        log_level="warning",
    )


if __name__ == "__main__":
    main()
