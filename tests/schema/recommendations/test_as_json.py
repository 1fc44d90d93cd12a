"""A page answered as JSON by PostgreSQL (schema/recommendations/as_json.py) answers
exactly what the library's execution answers, for every reader, field and page, and
only what the policy lets each reader see.

Each document is sent twice over HTTP: as it is, which PostgreSQL answers in one
statement, and with `@include(if: true)` on `nodes`, which the compiler refuses (a
directive), so the library answers it. Both answers are compared key by key, in order.
On SQLite both go the library's way (the compiler is PostgreSQL's only).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from graphql import FieldNode, OperationDefinitionNode, parse
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry.permission import BasePermission

from schema import build_schema
from schema.execution.as_json import fields_of, fingerprint
from schema.followup.types import Assessment
from schema.recommendations import queries
from schema.recommendations.as_json import KNOWN
from schema.relay import from_global_id
from security.platform import PlatformKeys
from security.sharing import Visibility
from server.settings import Settings
from tests.clock import Clock
from tests.factories import (
    make_assessment,
    make_coalition,
    make_organisation,
    make_recommendation,
    make_review,
)
from tests.schema.followup.conftest import FollowUpWorld, follow_up_world
from tests.worlds import ANONYMOUS, GOVERNMENT, NGO, PARTNER, UNVETTED

STATE = "id code alpha2 name officialName unMember unObserver regionalGroup __typename"
ORGANISATION = "id name acronym kind website vettedPartner __typename"
EVERY_FIELD = f"""
  __typename id mechanism paragraph text response responseWording actionCategory
  documentSymbol recommendingBody cycle
  session {{ number cycle startsOn __typename }}
  state {{ {STATE} }}
  recommendingStates {{ {STATE} }}
  themes {{ code name __typename }}
  latestAssessments {{
    __typename id status assessedOn visibility version evidence sourceUrl
    organisation {{ {ORGANISATION} }}
  }}
"""
BENCH_PAGE = """id text response actionCategory session { number }
  state { name regionalGroup } recommendingStates { code name } themes { code name }
  latestAssessments { status assessedOn organisation { name } }"""
ALIASED = """key: id words: text where: state { iso: code label: name }
  latest: latestAssessments { when: assessedOn by: organisation { called: name } }"""

PAGES = [
    f"recommendations(first: 20) {{ nodes {{ {EVERY_FIELD} }} }}",
    f'recommendations(first: 10, filter: {{state: "KEN"}}) {{ nodes {{ {BENCH_PAGE} }} }}',
    f"page: recommendations(first: 3) {{ __typename items: nodes {{ {ALIASED} }} }}",
    "recommendations(first: 4, orderBy: {field: SESSION, direction: DESC}) "
    "{ nodes { id session { number } } }",
    "recommendations(first: 4, orderBy: {field: STATE}) { nodes { id state { code } } }",
    "recommendations(last: 2) { nodes { id text } }",
    "recommendations(first: 0) { nodes { id } }",
    'recommendations(first: 5, filter: {state: "FRA"}) { nodes { id } }',
]


def _library(page: str) -> str:
    """The same page with a directive on `nodes`: the compiler leaves it to the library."""
    return page.replace("nodes {", "nodes @include(if: true) {", 1)


def _pairs(text: str) -> Any:
    """A JSON body with every object as its list of (key, value) pairs: key order counts."""
    body = json.loads(text, object_pairs_hook=lambda pairs: [list(pair) for pair in pairs])
    return [pair for pair in body if pair[0] != "extensions"]  # the cost budget moves


@pytest.fixture(name="world")
async def _world(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> FollowUpWorld:
    return await follow_up_world(engine, platform_keys, client, clock)


@pytest.fixture
def compiled(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The pages PostgreSQL answered (their JSON), as `page_answer` returned them."""
    answered: list[str] = []
    real = queries.page_answer

    async def counting(*args: Any) -> Any:
        answer = await real(*args)
        if answer is not None:
            answered.append(answer.json)
        return answer

    monkeypatch.setattr(queries, "page_answer", counting)
    return answered


async def _seed(world: FollowUpWorld) -> None:
    """Recommendations with tags, sessions and other mechanisms' ones, and assessments at
    every level by organisations that do and do not show in the directory."""
    engine, org = world.engine, world.organisations
    if engine.dialect.name == "postgresql":
        # A language's collation, as a database may well have: "National…" before
        # "NHRI" and "Åland" first, where Python's code-point order puts them after.
        async with engine.begin() as connection:
            for table, size in (("states", 120), ("themes", 100)):
                await connection.execute(
                    text(
                        f"ALTER TABLE {table} ALTER COLUMN name "
                        f'TYPE varchar({size}) COLLATE "und-x-icu"'
                    )
                )
    hidden = await make_organisation(world.engine, "Unlisted Monitors")  # no public profile
    coalition = uuid.UUID(from_global_id(world.coalition)[1])
    # The unvetted group in a coalition with the unlisted one: it may name it, and read
    # what it shares there, though neither is vetted.
    unlisted_coalition = await make_coalition(engine, org[UNVETTED], [hidden])
    work = (
        (org[NGO], Visibility.PUBLIC, None),
        (org[NGO], Visibility.COALITION, coalition),
        (org[PARTNER], Visibility.PARTNERS, None),
        (org[UNVETTED], Visibility.PUBLIC, None),
        (org[UNVETTED], Visibility.ORGANISATION, None),  # its own latest
        (hidden, Visibility.PUBLIC, None),
        (hidden, Visibility.COALITION, unlisted_coalition),
    )
    for session, state in ((41, "KEN"), (43, "KEN"), (44, "CIV"), (47, "TUR")):
        review = await make_review(engine, state=state, session=session)
        for index in range(3):
            key = await make_recommendation(
                engine,
                review,
                state,
                f"Recommendation {index} to {state} in session {session}, “quoted” \\ é",
                # Names whose order differs by collation: "NHRI" before "National…"
                # and "Åland Islands" last in code-point order, as Python sorts.
                themes=("nhri", "national-plan-of-action", "womens-rights")[index:],
                recommending=("FRA", "CIV", "TUR", "ALA")[index:],
            )
            for n, (owner, level, shared_with) in enumerate(work[index:]):
                await make_assessment(
                    engine, key, owner, level, shared_with, assessed_on=dt.date(2026, 1 + n, 1)
                )
    await make_recommendation(engine, None, "KEN", "Treaty body's", response=None)


READERS = (ANONYMOUS, NGO, PARTNER, UNVETTED, GOVERNMENT)


async def _post(world: FollowUpWorld, who: str, document: str) -> Any:
    credentials = None if who == ANONYMOUS else world.sessions.get(who, who)
    headers = {"Authorization": f"Bearer {credentials}"} if credentials else {}
    response = await world.client.post("/graphql", json={"query": document}, headers=headers)
    assert response.status_code == 200, response.text
    return _pairs(response.text)


@pytest.mark.parametrize("page", PAGES)
async def test_postgresql_answers_as_the_library_does(
    world: FollowUpWorld, compiled: list[str], backend: str, page: str
) -> None:
    # Given recommendations, tags and assessments at every level
    await _seed(world)
    for who in READERS:
        # When each reader asks for the page, compiled and not
        answer = await _post(world, who, "{ " + page + " }")
        expected = await _post(world, who, "{ " + _library(page) + " }")
        # Then the answers are the same, key order included, and carry no error
        assert answer == expected, who
        assert [key for key, _ in answer] == ["data"]
    # And PostgreSQL answered each compiled one itself (SQLite: none)
    assert len(compiled) == (len(READERS) if backend == "postgresql" else 0)


async def test_a_cursor_page_answers_as_the_library_does(
    world: FollowUpWorld, compiled: list[str], backend: str
) -> None:
    await _seed(world)
    cursors = await _post(world, NGO, "{ recommendations(first: 4) { edges { cursor } } }")
    cursor = cursors[0][1][0][1][0][1][2][0][1]  # data.recommendations.edges[2].cursor
    for arguments in (f'first: 3, after: "{cursor}"', f'last: 2, before: "{cursor}"'):
        page = f"recommendations({arguments}) {{ nodes {{ {BENCH_PAGE} }} }}"
        assert await _post(world, NGO, "{ " + page + " }") == await _post(
            world, NGO, "{ " + _library(page) + " }"
        )
    assert len(compiled) == (2 if backend == "postgresql" else 0)


async def test_one_document_answers_each_requests_variables(
    world: FollowUpWorld, compiled: list[str], backend: str
) -> None:
    # Given one document whose filter and page size are variables
    await _seed(world)
    document = """query($state: String!, $first: Int!) {
        recommendations(first: $first, filter: {state: $state}) { nodes { %s } } }"""
    for state, first, found in (
        ("KEN", 2, 2),
        ("CIV", 3, 3),
        ("TUR", 1, 1),
        ("KEN", 5, 5),
        ("FRA", 2, 0),
    ):
        variables = {"state": state, "first": first}
        # When it is sent again with other values (the statement compiled once, cached)
        answers = []
        for sent in (document % BENCH_PAGE, _library(document) % BENCH_PAGE):
            response = await world.client.post(
                "/graphql",
                json={"query": sent, "variables": variables},
                headers={"Authorization": f"Bearer {world.sessions[NGO]}"},
            )
            answers.append(_pairs(response.text))
        # Then each answers its own page, as the library does
        assert answers[0] == answers[1], variables
        nodes = answers[0][0][1][0][1][0][1]
        assert len(nodes) == found
    assert len(compiled) == (5 if backend == "postgresql" else 0)


async def test_hidden_rows_stay_hidden(
    world: FollowUpWorld, compiled: list[str], backend: str
) -> None:
    # Given assessments at every level, and one by an organisation without a public profile
    await _seed(world)
    page = """{ recommendations(first: 20) { nodes {
        latestAssessments { visibility organisation { name } } } } }"""
    seen = {who: json.dumps(await _post(world, who, page)) for who in READERS}
    assert len(compiled) == len(READERS) or backend == "sqlite"
    # Then the anonymous reader sees only public rows, and never an unlisted owner's name
    assert '"ORGANISATION"' not in seen[ANONYMOUS]
    assert '"COALITION"' not in seen[ANONYMOUS]
    assert '"PARTNERS"' not in seen[ANONYMOUS]
    assert "Unlisted Monitors" not in seen[ANONYMOUS]
    assert "Unvetted Group" not in seen[ANONYMOUS]
    # And only the unvetted group sees its own ORGANISATION rows; vetted partners see
    # the whole directory, so the unlisted owner's name too, and the unvetted group
    # names it as a member of its coalition, whose rows it reads
    assert '"ORGANISATION"' in seen[UNVETTED]
    assert '"ORGANISATION"' not in seen[NGO]
    assert '"COALITION"' in seen[PARTNER]
    assert '"COALITION"' in seen[UNVETTED]
    assert '"COALITION"' not in seen[GOVERNMENT]
    assert "Unlisted Monitors" in seen[NGO]
    assert "Unlisted Monitors" in seen[UNVETTED]
    assert "Unlisted Monitors" not in seen[GOVERNMENT]


@pytest.mark.parametrize(
    "page",
    [
        "recommendations(first: 2) { edges { node { id } } }",
        "recommendations(first: 2) { totalCount nodes { id } }",
        "recommendations(first: 2) { pageInfo { hasNextPage } nodes { id } }",
        "recommendations(first: 2) { nodes { id engagements { role } } }",
        "recommendations(first: 2) { nodes { ... on Recommendation { id } } }",
        "recommendations(first: 2) { nodes { id @skip(if: false) } }",
        "recommendations(first: 2) { nodes { latestAssessments { createdAt } } }",
        "recommendations(first: 2) { nodes { id id } }",
        "recommendations(first: 2) { __typename }",
        "recommendations(first: 0) { __typename }",
    ],
)
async def test_what_does_not_compile_goes_the_library_way(
    world: FollowUpWorld, compiled: list[str], page: str
) -> None:
    await _seed(world)
    body = await _post(world, NGO, "{ " + page + " }")
    assert body[0][0] == "data"
    assert len(body) == 1
    assert compiled == []


def _field(document: str) -> FieldNode:
    operation = parse(document).definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    field = operation.selection_set.selections[0]
    assert isinstance(field, FieldNode)
    return field


def test_fields_of_takes_plain_fields_only() -> None:
    assert [name for name, _ in fields_of(_field("{ a { b c: d } }").selection_set) or []] == [
        "b",
        "c",
    ]
    for refused in (
        "{ a { b @include(if: true) } }",
        "{ a { ... on T { b } } }",
        "{ a { ...F } } fragment F on T { b }",
        "{ a { b(x: 1) } }",
        "{ a { b b } }",
    ):
        assert fields_of(_field(refused).selection_set) is None, refused
    assert fields_of(None) is None


class _Allowed(BasePermission):
    message = "allowed"

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        return True


async def test_a_field_with_a_permission_class_is_left_to_the_library(
    world: FollowUpWorld, compiled: list[str], backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given assessments, and the page compiled while `evidence` is a plain field
    await _seed(world)
    page = "{ recommendations(first: 2) { nodes { latestAssessments { evidence } } } }"
    await _post(world, NGO, page)
    assert len(compiled) == (1 if backend == "postgresql" else 0)
    # When a permission class guards `evidence` (the statement would bypass it)
    evidence = next(
        field
        for field in Assessment.__strawberry_definition__.fields
        if field.python_name == "evidence"
    )
    monkeypatch.setattr(evidence, "permission_classes", [_Allowed])
    # Then a new document asking for it is left to the library
    await _post(world, NGO, page.replace("first: 2", "first: 3"))
    assert len(compiled) == (1 if backend == "postgresql" else 0)


def test_the_fields_answered_are_still_those_their_builders_were_written_for() -> None:
    # A field whose type or resolver changed is left to the library at run time; this
    # says so at once, so that its builder is checked and KNOWN updated.
    schema = build_schema(development=False, limits=Settings().limits)._schema
    changed = {
        key: fingerprint(schema, *key)
        for key, known in KNOWN.items()
        if fingerprint(schema, *key) != known
    }
    assert changed == {}
