"""The per-request context: the viewer, one database connection, the loaders."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Executable, Row
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from strawberry.dataloader import DataLoader

from schema.accounts.throttle import Throttle
from schema.cost.extension import CostRules
from schema.error_codes import connection_lost
from schema.reference.cache import ReferenceData
from schema.registry.keys import RegistryKeys
from security.passwords import Passwords
from security.platform import PlatformKeys
from security.policy import Viewer, reading_viewer

logger = logging.getLogger("upright.context")
AUTOCOMMIT = "AUTOCOMMIT"

K = TypeVar("K")
V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class AccountRules:
    """Account settings the schema needs (the server reads them from the environment)."""

    session_idle: dt.timedelta = dt.timedelta(hours=12)
    session_absolute: dt.timedelta = dt.timedelta(days=7)
    invitation_lifetime: dt.timedelta = dt.timedelta(days=7)
    require_second_factor: bool = True


@dataclass(frozen=True, slots=True)
class Services:
    """What every request shares: the clock (tests move it), keys, passwords, throttle."""

    clock: Callable[[], dt.datetime]
    keys: PlatformKeys
    passwords: Passwords
    throttle: Throttle
    registry: RegistryKeys
    rules: AccountRules = AccountRules()
    cost: CostRules = field(default_factory=CostRules)


class Context:
    """Everything a resolver may use for one request.

    `principal` is who is asking; `viewer` is what they read as (see
    `security.policy.reading_viewer`), which every read path hands to the policy.

    One connection per request, opened on first use: GraphQL resolves sibling fields
    and DataLoader batches concurrently, and a connection runs one statement at a
    time, so statements take turns on it behind a lock instead of each batch taking
    a connection (and a BEGIN/ROLLBACK) of its own.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        principal: Viewer,
        reference: ReferenceData,
        services: Services,
        client_address: str | None = None,
    ) -> None:
        self.engine = engine
        self.principal = principal
        self.viewer = reading_viewer(principal)
        self.reference = reference
        self.services = services
        self.client_address = client_address
        # The operation run, for the request log (set by `schema.OperationNamed`).
        self.operation: tuple[str | None, str] | None = None
        # Whether a field may answer with JSON built by the database (see
        # `schema.execution.as_json`): only the HTTP view, which serializes with orjson.
        self.json_answers = False
        self._link = _Link()
        self._loaders: dict[Callable[..., Any], DataLoader[Any, Any]] = {}
        # Values this request derived once and reuses, under the function that made them
        # (the owners a page names again and again, say). As the loaders: per reader;
        # forgotten by every context of the request when it writes.
        self.memo: dict[Callable[..., Any], dict[Any, Any]] = {}
        self._link.memos.append(self.memo)
        self._link.loaders.append(self._loaders)

    async def fetch_all(
        self, statement: Executable, parameters: Mapping[str, Any] | None = None
    ) -> Sequence[Row[Any]]:
        """The rows of a statement. Hot paths take `row._mapping` once per row (it builds
        a new mapping on every access, 1.3 µs) or read by position (0.05 µs; see
        `schema.batch.position`): `row.name` costs about 0.65 µs in SQLAlchemy 2.1 (a
        failed class attribute lookup first), and a page reads thousands."""
        async with self._link.lock:
            connection = await self._link.open(self.engine)
            result = await connection.execute(statement, parameters)
            return result.all()

    async def fetch_scalar(self, statement: Executable) -> Any:
        rows = await self.fetch_all(statement)
        return rows[0][0] if rows else None

    @contextlib.asynccontextmanager
    async def connection(self) -> AsyncIterator[AsyncConnection]:
        """The request's connection, held for a few statements in a row (the key
        hierarchy reads keys as it unwraps them). Do not nest other database calls."""
        async with self._link.lock:
            yield await self._link.open(self.engine)

    def loader(self, load: Callable[[Context, list[K]], Any]) -> DataLoader[K, V]:
        """The request's DataLoader for a batch function `load(context, keys)`."""
        existing = self._loaders.get(load)
        if existing is None:

            async def batch(keys: list[K]) -> Sequence[V]:
                return await load(self, keys)  # type: ignore[no-any-return]

            existing = self._loaders[load] = DataLoader(load_fn=batch)
        return existing

    def now(self) -> dt.datetime:
        return self.services.clock()

    def signed_in_as(self, principal: Viewer) -> None:
        """After login or logout within this request, later fields see the new principal
        (and nothing derived for the one before)."""
        self.principal = principal
        self.viewer = reading_viewer(principal)
        self.memo.clear()
        self._loaders.clear()  # their loads ran under the policy of the one before

    @contextlib.asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        """The request's connection in a write transaction, committed on success and
        rolled back on any error: a mutation writes all or nothing. On SQLite the
        transaction takes the write lock at once (BEGIN IMMEDIATE), so it waits for
        other writers instead of failing when it first writes."""
        async with self._link.lock:
            # What was read or derived from rows may change now: later fields of the
            # mutation (its payload, the next mutation's) read afresh.
            for memo in self._link.memos:
                memo.clear()
            for loaders in self._link.loaders:
                loaders.clear()
            connection = await self._link.open(self.engine)
            if connection.in_transaction():
                await connection.commit()  # end the implicit read transaction, if any
            reads_autocommit = self._link.reads_autocommit
            options: dict[str, Any] = {"upright_write": True}
            if reads_autocommit:
                options["isolation_level"] = connection.default_isolation_level
            await connection.execution_options(**options)
            try:
                async with connection.begin():
                    yield connection
            finally:
                await connection.execution_options(upright_write=False)
                if reads_autocommit and not connection.invalidated:
                    await connection.execution_options(isolation_level=AUTOCOMMIT)

    def reading_as(self, reader: Viewer) -> Context:
        """This request read as `reader` (an export's or a report's audience, see
        `security.policy.shared_reader`): the same principal and connection, its own
        DataLoaders, so nothing read as one viewer is served from cache to the other."""
        child = Context(self.engine, self.principal, self.reference, self.services)
        child.client_address = self.client_address
        child.viewer = reader
        child._link = self._link
        self._link.loaders.append(child._loaders)
        self._link.memos.append(child.memo)
        return child

    async def close(self) -> None:
        # Each DataLoader's batch function holds this context, which holds the loaders:
        # a cycle that kept everything the request read alive until a full collection
        # (RSS grew by half a megabyte a request under load). Breaking it frees the
        # request's objects as soon as the response is sent.
        for loaders in self._link.loaders:
            loaders.clear()
        await self._link.close()


class _Link:
    """The request's one connection, opened on first use, and the lock statements take
    turns behind; shared by a request's contexts (`Context.reading_as`)."""

    def __init__(self) -> None:
        self.connection: AsyncConnection | None = None
        self.reads_autocommit = False
        self.lock = asyncio.Lock()
        # The DataLoaders of each context on this connection, emptied when it closes.
        self.loaders: list[dict[Callable[..., Any], DataLoader[Any, Any]]] = []
        self.memos: list[dict[Callable[..., Any], dict[Any, Any]]] = []
        self.closed = False

    async def open(self, engine: AsyncEngine) -> AsyncConnection:
        if self.closed:
            # A DataLoader batch still running after its request ended (a timeout):
            # it gets no connection of its own that nobody would close.
            raise RuntimeError("the request is over: its connection is closed")
        if self.connection is None:
            connection = await engine.connect()
            if engine.dialect.name == "postgresql":
                # Reads run outside a transaction: at READ COMMITTED each statement has
                # its own snapshot either way, and a read-only request saves the BEGIN
                # and ROLLBACK round trips. `Context.write` opens a real transaction.
                await connection.execution_options(isolation_level=AUTOCOMMIT)
                self.reads_autocommit = True
            self.connection = connection
        return self.connection

    async def close(self) -> None:
        self.closed = True
        if self.connection is None:
            return
        connection, self.connection = self.connection, None
        if self.lock.locked():
            # A statement is still running for a request that ended (it timed out):
            # cut it rather than wait, and never hand the connection back to the pool.
            logger.warning("a statement outlived its request: connection cut")
            with contextlib.suppress(Exception):
                await connection.invalidate()
            return
        async with self.lock:
            try:
                await connection.close()
            except Exception as error:
                if not connection_lost(error):
                    raise
                # The database went away during the request (a restart, say): the
                # answer already says so; the connection is dropped, not pooled.
                logger.warning("connection lost at the end of a request (%s)", type(error).__name__)
                with contextlib.suppress(Exception):
                    await connection.invalidate()
