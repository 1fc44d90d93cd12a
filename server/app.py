"""The ASGI application: Starlette, with the GraphQL schema mounted at /graphql."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import gc
import logging
from collections.abc import AsyncIterator, Callable

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.routing import Route

from schema import build_schema
from schema.accounts.throttle import DatabaseThrottle, RedisThrottle, Throttle
from schema.context import AccountRules, Services
from schema.cost.budgets import Budgets, LocalBudgets, RedisBudgets
from schema.cost.extension import CostRules
from schema.db import utcnow
from schema.reference.cache import ReferenceCache, ReferenceData
from schema.registry.keys import KeyCache, RegistryKeys
from security.keyring import Keyring
from security.passwords import Passwords
from server import http_security
from server.database import UNAVAILABLE, check_connection, create_engine
from server.graphql_view import GraphQLView, RequestBounds
from server.health import healthz, readyz
from server.keys import load_keys, open_platform_keys
from server.metrics import Metrics
from server.metrics import endpoint as metrics_endpoint
from server.persisted import PersistedOperations
from server.settings import Settings

logger = logging.getLogger("upright")


class Runtime:
    """What the process holds while it serves: engine, keys, reference data, services.

    The database may be down when the process starts: what needs it is loaded on the
    first request that finds it up (`ready`), once.
    """

    def __init__(
        self, settings: Settings, keyring: Keyring, clock: Callable[[], dt.datetime]
    ) -> None:
        self.settings = settings
        self.keyring = keyring
        self.clock = clock
        self.engine: AsyncEngine = create_engine(settings)
        self.redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
        self.reference = ReferenceCache(self.engine)
        self.passwords = Passwords()
        self.registry = RegistryKeys(keyring, KeyCache())
        self.budgets: Budgets = RedisBudgets(self.redis) if self.redis else LocalBudgets()
        self._services: Services | None = None
        self._lock = asyncio.Lock()

    def throttle(self) -> Throttle:
        return RedisThrottle(self.redis) if self.redis else DatabaseThrottle()

    async def ready(self) -> tuple[ReferenceData, Services]:
        reference = await self.reference.get()
        if self._services is None:
            async with self._lock:
                if self._services is None:
                    self._services = await self._services_now()
        return reference, self._services

    async def _services_now(self) -> Services:
        settings = self.settings
        return Services(
            clock=self.clock,
            keys=await open_platform_keys(self.engine, self.keyring),
            passwords=self.passwords,
            throttle=self.throttle(),
            registry=self.registry,
            rules=AccountRules(
                session_idle=dt.timedelta(hours=settings.session_idle_hours),
                session_absolute=dt.timedelta(days=settings.session_absolute_days),
                invitation_lifetime=dt.timedelta(days=settings.invitation_days),
                require_second_factor=settings.require_second_factor,
            ),
            cost=CostRules(
                max_per_request=settings.max_query_cost,
                hourly=settings.hourly_cost_budget,
                hourly_anonymous=settings.hourly_cost_budget_anonymous,
                budgets=self.budgets,
            ),
        )

    async def close(self) -> None:
        if self.redis is not None:
            await self.redis.aclose()
        await self.engine.dispose()


def create_app(
    settings: Settings, clock: Callable[[], dt.datetime] = utcnow, tune_gc: bool = True
) -> Starlette:
    """The app for these settings. Its lifespan owns the engine: created at start-up,
    disposed at shutdown, one pool per process. A missing, wrong or (in production)
    demo key file stops the start."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        runtime = Runtime(settings, load_keys(settings), clock)
        app.state.runtime = runtime
        app.state.engine = runtime.engine
        await _warm(runtime)
        if tune_gc:
            _tune_gc()
        try:
            yield
        finally:
            await runtime.close()

    app = Starlette(
        debug=False,
        lifespan=lifespan,
        middleware=http_security.middleware(settings),
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
        ],
    )
    app.state.settings = settings
    app.state.metrics = Metrics(lambda: _engine_of(app))
    view = GraphQLView(
        build_schema(development=settings.development, limits=settings.limits),
        engine=lambda: app.state.runtime.engine,
        ready=lambda: app.state.runtime.ready(),  # noqa: PLW0108 (runtime comes with the lifespan)
        development=settings.development,
        metrics=app.state.metrics,
        persisted=PersistedOperations(
            lambda: app.state.runtime.engine, learn=not settings.persisted_only
        ),
        persisted_only=settings.persisted_only,
        bounds=RequestBounds(
            document_chars=settings.max_document_chars,
            body_bytes=settings.max_body_bytes,
            timeout=settings.request_timeout,
        ),
    )
    app.router.routes.append(Route("/graphql", view, methods=["GET", "POST"]))
    app.router.routes.append(
        Route("/metrics", metrics_endpoint(app.state.metrics, settings.metrics_allow))
    )
    return app


def _engine_of(app: Starlette) -> AsyncEngine | None:
    runtime: Runtime | None = getattr(app.state, "runtime", None)
    return runtime.engine if runtime is not None else None


def app_from_environment() -> Starlette:
    """The factory `upright serve` hands to uvicorn (each worker builds its own)."""
    return create_app(Settings())


async def _warm(runtime: Runtime) -> None:
    """Check the keys and load the reference data now rather than in the first request;
    if the database is down, the first request after it comes back does it instead.
    A key file that does not match the database stops the start (KeysRefused)."""
    try:
        await check_connection(runtime.engine)
    except UNAVAILABLE as error:
        logger.warning("database unavailable at start-up (%s)", type(error).__name__)
        return
    await runtime.ready()


def _tune_gc() -> None:
    """Everything alive after start-up lives for the whole process: freeze it out of
    the collector's sight, and collect young objects less often. Measured in
    PERFORMANCE.md: the collector was a third of CPU time under load."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
