"""Persisted operations: documents run by their SHA-256.

Two kinds, one protocol (Apollo's automatic persisted queries, `extensions.persistedQuery
.sha256Hash`):
- registered by the operator (`upright operations register`), in the database, shared
  by every process; in allow-list mode (`UPRIGHT_PERSISTED_ONLY=true`) the only ones
  that run;
- learned from clients (APQ): a client sends the hash, and on PERSISTED_QUERY_NOT_FOUND
  the document with it, which this process remembers (bounded, least recently used).
  Nothing a client sends is written to the database. Off in allow-list mode.

GET carries a hash only, never a document (so no ad-hoc query lands in a URL or a
proxy log); mutations never run over GET (Strawberry allows queries only), and neither
do operations on contacts or `node` (`reads_people`), whose variables would sit in the
URL. A learned document is remembered only if it holds no string literal and touches
no contact (`holds_values`): another client probing hashes must not learn that someone
searched for a name.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLSchema,
    StringValueNode,
    TypeInfo,
    TypeInfoVisitor,
    get_named_type,
    parse,
    validate,
    visit,
)
from graphql.language import Visitor
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry.http import GraphQLRequestData

from schema.db import insert_for
from schema.errors import ErrorCode
from schema.tables.operations import PersistedOperation

HASH = re.compile(r"[0-9a-f]{64}")
_table = PersistedOperation.__table__.c


def digest(document: str) -> str:
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


class _Lru:
    def __init__(self, size: int) -> None:
        self._items: OrderedDict[str, str] = OrderedDict()
        self._size = size

    def get(self, key: str) -> str | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: str, value: str) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self._size:
            self._items.popitem(last=False)


class PersistedOperations:
    """One process's view of the persisted documents."""

    def __init__(self, engine: Callable[[], AsyncEngine], learn: bool, size: int = 1000) -> None:
        self._engine = engine
        self._learn = learn
        self._learned = _Lru(size)
        self._registered = _Lru(size)  # a hash names one text forever: safe to keep

    async def registered(self, sha256: str) -> str | None:
        found = self._registered.get(sha256)
        if found is None:
            async with self._engine().connect() as connection:
                found = await connection.scalar(
                    select(_table.document).where(_table.sha256 == sha256)
                )
            if found is not None:
                self._registered.put(sha256, found)
        return found

    async def find(self, sha256: str) -> str | None:
        """The document of a hash: learned here, else registered."""
        if self._learn:
            learned = self._learned.get(sha256)
            if learned is not None:
                return learned
        return await self.registered(sha256)

    def learn(self, sha256: str, document: str) -> None:
        if self._learn:
            self._learned.put(sha256, document)


class Refusal(Exception):
    """A request refused before it runs, with its status, code and message."""

    def __init__(self, status: int, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


GET_DOCUMENT = (
    "GET runs persisted operations only: send extensions.persistedQuery.sha256Hash, "
    "or POST the document."
)
NOT_REGISTERED = "This server runs registered operations only."
MISMATCH = "The hash does not match the document."
GET_CONTACTS = "Operations on contacts or by node id are not served over GET: POST them."


def persisted_hash(extensions: dict[str, Any] | None) -> str | None:
    """`extensions.persistedQuery.sha256Hash`, checked; None when there is none."""
    given = (extensions or {}).get("persistedQuery")
    if given is None:
        return None
    if not isinstance(given, dict) or given.get("version") != 1:
        raise Refusal(400, ErrorCode.BAD_USER_INPUT, "persistedQuery must be version 1.")
    sha256 = given.get("sha256Hash")
    if not isinstance(sha256, str) or not HASH.fullmatch(sha256):
        raise Refusal(400, ErrorCode.BAD_USER_INPUT, "sha256Hash must be 64 hex digits.")
    return sha256


def _parsed(query: str) -> DocumentNode | None:
    try:
        return parse(query)
    except GraphQLError:
        return None  # it will not run either: the parser refuses it again


def _learnable(schema: GraphQLSchema, query: str) -> bool:
    document = _parsed(query)
    return (
        document is not None and not holds_values(document) and not reads_people(schema, document)
    )


async def resolve(
    persisted: PersistedOperations,
    schema: GraphQLSchema,
    only: bool,
    data: GraphQLRequestData,
    get: bool,
) -> GraphQLRequestData:
    """The request with its document: looked up by hash for persisted operations,
    checked against the allow-list when there is one (see server.persisted)."""
    query = data.query
    wanted = persisted_hash(data.extensions)
    if wanted is None:
        if get:
            raise Refusal(400, ErrorCode.BAD_USER_INPUT, GET_DOCUMENT)
        if only and (query is None or await persisted.registered(digest(query)) is None):
            raise Refusal(400, ErrorCode.OPERATION_NOT_REGISTERED, NOT_REGISTERED)
        return data
    if query is not None:
        if get:
            raise Refusal(400, ErrorCode.BAD_USER_INPUT, GET_DOCUMENT)
        if digest(query) != wanted:
            raise Refusal(400, ErrorCode.BAD_USER_INPUT, MISMATCH)
        if only and await persisted.registered(wanted) is None:
            raise Refusal(400, ErrorCode.OPERATION_NOT_REGISTERED, NOT_REGISTERED)
        document = _parsed(query)
        if (
            document is not None
            and not holds_values(document)
            and not reads_people(schema, document)
        ):
            persisted.learn(wanted, query)
        return data
    found = await persisted.find(wanted)
    if found is None:  # Apollo clients then send the document with the hash
        raise Refusal(200, ErrorCode.PERSISTED_QUERY_NOT_FOUND, "PersistedQueryNotFound")
    document = _parsed(found)
    if get and document is not None and reads_people(schema, document):
        raise Refusal(400, ErrorCode.BAD_USER_INPUT, GET_CONTACTS)
    return dataclasses.replace(data, query=found)


def reads_people(schema: GraphQLSchema, document: DocumentNode) -> bool:
    """Whether a document may touch the registry of people: a field of any contact type
    (Contact, RevealedContact, ContactConnection, ...), or `node`, which answers any id,
    contacts' too (an id in a URL would confirm the contact exists)."""
    info = TypeInfo(schema)
    found = False

    class Finder(Visitor):
        def enter_field(self, node: FieldNode, *_: object) -> None:
            nonlocal found
            named = get_named_type(info.get_type())
            found = (
                found
                or node.name.value == "node"
                or (named is not None and "Contact" in named.name)
            )

    visit(document, TypeInfoVisitor(info, Finder()))
    return found


def holds_values(document: DocumentNode) -> bool:
    """Whether a document carries string literals (a name, an e-mail, a search): such a
    document is run, never remembered, so its hash cannot be probed for by others."""
    found = False

    class Finder(Visitor):
        def enter_string_value(self, node: StringValueNode, *_: object) -> None:
            nonlocal found
            found = True

    visit(document, Finder())
    return found


class InvalidOperation(Exception):
    pass


def check(schema: GraphQLSchema, text: str) -> DocumentNode:
    """A document fit to register: it parses and validates against the schema."""
    try:
        document = parse(text)
    except Exception as error:
        raise InvalidOperation(str(error).splitlines()[0]) from None
    errors = validate(schema, document)
    if errors:
        raise InvalidOperation(errors[0].message)
    return document


async def register(
    engine: AsyncEngine, documents: list[tuple[str, str]], now: dt.datetime
) -> list[tuple[str, str, bool]]:
    """(name, sha256, newly registered) per (name, text); the same text twice is one."""
    results = []
    async with engine.begin() as connection:
        for name, text in documents:
            sha256 = digest(text)
            inserted = await connection.execute(
                insert_for(connection)(PersistedOperation)
                .values(sha256=sha256, document=text, name=name[:200], registered_at=now)
                .on_conflict_do_nothing(index_elements=["sha256"])
            )
            results.append((name, sha256, inserted.rowcount == 1))
    return results
