"""The ASGI application: Starlette, with the GraphQL schema mounted at /graphql."""

from __future__ import annotations

import contextlib
import gc
import logging
from collections.abc import AsyncIterator

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.routing import Route

from schema import build_schema
from schema.reference.cache import ReferenceCache
from server.database import UNAVAILABLE, check_connection, create_engine
from server.graphql_view import GraphQLView
from server.health import healthz, readyz
from server.settings import Settings

logger = logging.getLogger("upright")


def create_app(settings: Settings, tune_gc: bool = True) -> Starlette:
    """The app for these settings. Its lifespan owns the engine: created at start-up,
    disposed at shutdown, one pool per process."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.engine = create_engine(settings)
        app.state.reference = ReferenceCache(app.state.engine)
        await _warm(app.state.engine, app.state.reference)
        if tune_gc:
            _tune_gc()
        try:
            yield
        finally:
            await app.state.engine.dispose()

    app = Starlette(
        debug=False,
        lifespan=lifespan,
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
        ],
    )
    app.state.settings = settings
    view = GraphQLView(
        build_schema(development=settings.development),
        engine=lambda: app.state.engine,
        reference=lambda: app.state.reference,
        development=settings.development,
    )
    app.router.routes.append(Route("/graphql", view, methods=["GET", "POST"]))
    return app


def app_from_environment() -> Starlette:
    """The factory `upright serve` hands to uvicorn (each worker builds its own)."""
    return create_app(Settings())


async def _warm(engine: AsyncEngine, reference: ReferenceCache) -> None:
    """Load the reference data now rather than in the first request; if the database
    is down, the first request after it comes back loads it instead."""
    try:
        await check_connection(engine)
        await reference.get()
    except UNAVAILABLE as error:
        logger.warning("reference data not loaded at start-up (%s)", type(error).__name__)


def _tune_gc() -> None:
    """Everything alive after start-up lives for the whole process: freeze it out of
    the collector's sight, and collect young objects less often. Measured in
    PERFORMANCE.md: the collector was a third of CPU time under load."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
