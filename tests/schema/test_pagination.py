"""Keyset pagination: argument rules, cursors, and the keyset predicate itself."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from collections.abc import Iterator

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import (
    Column,
    Date,
    Integer,
    MetaData,
    String,
    Table,
    Uuid,
    create_engine,
    insert,
    select,
)
from sqlalchemy.engine import Engine

from schema.errors import BadUserInput
from schema.pagination import Ordering, PageArgs, SortKey, build_connection, page_statement

metadata = MetaData()
items = Table(
    "items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String, nullable=False),
)
BY_NAME = Ordering("items:name", (SortKey(items.c.name, str), SortKey(items.c.id, int)))
BY_NAME_DESC = Ordering(
    "items:name-desc",
    (SortKey(items.c.name, str, descending=True), SortKey(items.c.id, int, descending=True)),
)
BY_NAME_MIXED = Ordering(
    "items:name-mixed", (SortKey(items.c.name, str, descending=True), SortKey(items.c.id, int))
)


@pytest.fixture(scope="module")
def sqlite() -> Iterator[Engine]:
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (PageArgs(), "exactly one"),
        (PageArgs(first=1, last=1), "exactly one"),
        (PageArgs(first=101), "between 0 and 100"),
        (PageArgs(last=-1), "between 0 and 100"),
    ],
)
def test_page_size_rules(args: PageArgs, message: str) -> None:
    with pytest.raises(BadUserInput, match=message):
        args.size()


def test_page_sizes_within_bounds_are_accepted() -> None:
    assert PageArgs(first=0).size() == 0
    assert PageArgs(last=100).size() == 100


def _cursor(name: str, values: object) -> str:
    return base64.urlsafe_b64encode(orjson.dumps([name, values])).rstrip(b"=").decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "not base64!",
        "e30",  # {}
        _cursor("items:name", None),
        _cursor("other", ["a", 1]),  # another list's cursor
        _cursor("items:name", ["a"]),  # too few values
        _cursor("items:name", ["a", "1"]),  # a string where an integer belongs
        _cursor("items:name", ["a", True]),
        _cursor("items:name", [{"a": 1}, 1]),
        _cursor("items:name", ["a\x00b", 1]),  # PostgreSQL refuses NUL in text
    ],
)
def test_malformed_or_foreign_cursors_are_refused(cursor: str) -> None:
    with pytest.raises(BadUserInput, match="Invalid cursor"):
        BY_NAME.decode(cursor)


@pytest.mark.parametrize("value", [123, None, ["x"], "not-a-uuid"])
def test_uuid_cursor_values_are_checked(value: object) -> None:
    ordering = Ordering("t", (SortKey(items.c.id, uuid.UUID),))
    with pytest.raises(BadUserInput, match="Invalid cursor"):
        ordering.decode(_cursor("t", [value]))


def _pages(engine: Engine, ordering: Ordering, size: int, backwards: bool) -> list[int]:
    """Walk the whole list page by page; the ids in list order."""
    seen: list[int] = []
    cursor: str | None = None
    while True:
        args = (
            PageArgs(last=size, before=cursor) if backwards else PageArgs(first=size, after=cursor)
        )
        statement, _ = page_statement(select(items), ordering, args)
        with engine.connect() as connection:
            rows = connection.execute(statement).all()
        page = rows[:size]
        if not page:
            return seen
        # Backward pages come newest-first from SQL; their first row is the boundary.
        cursor = ordering.encode(page[-1])
        ids = [row.id for row in page]
        seen = (ids[::-1] + seen) if backwards else (seen + ids)
        if len(rows) <= size:
            return seen


@settings(max_examples=60, deadline=None)
@given(
    names=st.lists(st.sampled_from(["a", "b", "c", "Ä", "z"]), max_size=30),
    size=st.integers(min_value=1, max_value=7),
    backwards=st.booleans(),
    ordering=st.sampled_from([BY_NAME, BY_NAME_DESC, BY_NAME_MIXED]),
)
def test_walking_pages_yields_every_row_once_in_order(
    sqlite: Engine, names: list[str], size: int, backwards: bool, ordering: Ordering
) -> None:
    # Given rows with many duplicate sort values (the unique id breaks ties)
    with sqlite.begin() as connection:
        connection.execute(items.delete())
        if names:
            connection.execute(insert(items), [{"id": i, "name": n} for i, n in enumerate(names)])
    # When walking every page, forwards or backwards
    walked = _pages(sqlite, ordering, size, backwards)
    # Then every row appears exactly once, in the ordering's order
    with sqlite.connect() as connection:
        expected = [
            row.id for row in connection.execute(select(items).order_by(*ordering.clauses()))
        ]
    assert walked == expected


def test_cursor_stays_correct_when_rows_are_inserted_before_it(sqlite: Engine) -> None:
    with sqlite.begin() as connection:
        connection.execute(items.delete())
        connection.execute(insert(items), [{"id": i, "name": f"n{i:02}"} for i in range(10, 20)])
    statement, _ = page_statement(select(items), BY_NAME, PageArgs(first=3))
    with sqlite.connect() as connection:
        first_page = connection.execute(statement).all()[:3]
    cursor = BY_NAME.encode(first_page[-1])
    # Rows inserted before the cursor's position must neither shift nor repeat the next page.
    with sqlite.begin() as connection:
        connection.execute(insert(items), [{"id": i, "name": f"n{i:02}"} for i in range(0, 5)])
    statement, _ = page_statement(select(items), BY_NAME, PageArgs(first=3, after=cursor))
    with sqlite.connect() as connection:
        second_page = [row.id for row in connection.execute(statement).all()[:3]]
    assert second_page == [13, 14, 15]


class _Row:
    """Just what `Ordering.encode` reads of a row."""

    def __init__(self, mapping: dict[object, object]) -> None:
        self._mapping = mapping


def test_uuid_and_date_keys_survive_the_cursor() -> None:
    table = Table("t", MetaData(), Column("day", Date), Column("key", Uuid))
    ordering = Ordering("t", (SortKey(table.c.day, dt.date), SortKey(table.c.key, uuid.UUID)))
    key = uuid.uuid4()
    cursor = ordering.encode(_Row({table.c.day: dt.date(2025, 1, 22), table.c.key: key}))  # type: ignore[arg-type]
    assert ordering.decode(cursor) == [dt.date(2025, 1, 22), key]


@pytest.mark.parametrize("backwards", [False, True])
def test_edges_and_page_info_carry_the_rows_cursors(sqlite: Engine, backwards: bool) -> None:
    with sqlite.begin() as connection:
        connection.execute(items.delete())
        connection.execute(insert(items), [{"id": i, "name": f"n{i}"} for i in range(5)])
    args = PageArgs(last=2) if backwards else PageArgs(first=2)
    statement, size = page_statement(select(items), BY_NAME, args)
    with sqlite.connect() as connection:
        rows = connection.execute(statement).all()

    async def never() -> int:
        raise AssertionError("not selected")

    page = build_connection(
        rows=rows, size=size, args=args, ordering=BY_NAME, to_node=lambda row: row.id, count=never
    )
    expected = [3, 4] if backwards else [0, 1]
    assert [edge.node for edge in page.edges] == expected
    cursors = [edge.encoded() for edge in page.edges]
    assert [BY_NAME.decode(cursor) for cursor in cursors] == [[f"n{i}", i] for i in expected]
    assert page.page_info.first is page.edges[0]
    assert page.page_info.last is page.edges[-1]
    assert (page.page_info.has_next_page, page.page_info.has_previous_page) == (
        not backwards,
        backwards,
    )


def test_an_empty_page_has_no_cursors() -> None:
    async def never() -> int:
        raise AssertionError("not selected")

    page = build_connection(
        rows=[], size=2, args=PageArgs(first=2), ordering=BY_NAME, to_node=str, count=never
    )
    assert page.edges == []
    assert (page.page_info.first, page.page_info.last) == (None, None)
