"""Full-text search: the tokeniser, what the databases index, the `search` filter, and the
same answers on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from alembic import command
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Uuid, bindparam, delete, insert, inspect, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.db import new_id, utcnow
from schema.errors import BadUserInput
from schema.recommendations.search import (
    MAX_QUERY_LENGTH,
    search_clause,
    search_document,
    tokens,
)
from schema.relay import to_global_id
from schema.tables.recommendations import Mechanism, Recommendation
from server.app import create_app
from server.database import create_engine
from server.migrate import alembic_config, upgrade
from server.settings import Settings
from tests.clock import Clock
from tests.conftest import (
    NO_POSTGRES,
    POSTGRES_URL,
    create_postgres_database,
    drop_postgres_database,
    migrate_and_seed,
    postgres_database_url,
)
from tests.factories import make_recommendation, make_review
from tests.graphql import data, error_codes, execute

SEARCH = """
query($filter: RecommendationFilter) {
  recommendations(filter: $filter, first: 100) { totalCount nodes { id } }
}
"""

# Accents, typographic and straight apostrophes, ligatures, letters Unicode does not
# decompose, digits glued to letters, symbols, addresses, non-Latin scripts.
AWKWARD = (
    "Côte d’Ivoire’s 2030-Agenda: paragraph 119.45, 1e5 & CEDAW/C/KEN/CO/8 (x86_64; 3rd)",
    "ﬁnancial aid to Łódź, Straße and Ærø — e-mail info@example.org or http://un.org/a?b=c",
    "Non-refoulement of asylum-seekers: women's and girls' rights; права человека; 人权",
)


# The tokeniser


def test_case_and_accents_fold_alike() -> None:
    assert tokens("Côte d’Ivoire") == tokens("cote d'ivoire") == tokens("COTE D'IVOIRE")
    assert tokens("Côte d'Ivoire") == ["cote", "ivoir"]
    assert tokens("São Tomé and Príncipe") == tokens("Sao Tome and Principe")
    # Ligatures, ß and letters without a decomposition fold too
    assert tokens("ﬁnance Straße Łódź Ærø") == ["financ", "strass", "lodz", "aero"]


def test_stop_words_and_elision_remnants_are_dropped() -> None:
    assert tokens("The rights of the child") == ["right", "child"]
    assert tokens("women's rights") == ["women", "right"]
    assert tokens("the of and to") == []
    # Negations stay searchable
    assert tokens("not without non-refoulement") == ["not", "without", "non", "refoul"]


def test_stemming_is_the_snowball_english_stemmer() -> None:
    # Inflections of a verb share a stem...
    assert set(tokens("ratify ratified ratifies ratifying")) == {"ratifi"}
    # ...but Snowball (Porter 2) leaves the noun another stem: "ratify" does not find it
    assert tokens("ratification") == ["ratif"]
    assert tokens("education educational educate") == ["educ", "educ", "educ"]
    assert tokens("registering registered registration") == ["regist", "regist", "registr"]


def test_digits_are_words_and_punctuation_splits() -> None:
    assert tokens("paragraph 119.45") == ["paragraph", "119", "45"]
    assert tokens("SDG 16.3 and the 2030 Agenda") == ["sdg", "16", "3", "2030", "agenda"]
    assert tokens("CEDAW/C/KEN/CO/8") == ["cedaw", "ken", "co", "8"]


def test_other_scripts_are_not_searchable() -> None:
    assert tokens("права человека 人权") == []


def test_the_stored_document_is_the_words_joined() -> None:
    assert search_document("Ratify the Optional Protocol") == "ratifi option protocol"
    assert search_document("") == ""


@given(st.text())
def test_every_word_is_plain_lower_ascii(value: str) -> None:
    # Only [a-z0-9] words: what both databases' tokenisers keep as exactly one word
    assert all(re.fullmatch(r"[a-z0-9]{1,100}", word) for word in tokens(value))


@given(st.text(st.characters(max_codepoint=127)))
def test_ascii_text_folds_as_any_text(value: str) -> None:
    # ASCII takes a shortcut; a trailing " é" (a one-letter word, dropped) forces the
    # general path, which must agree
    assert tokens(value) == tokens(value + " é")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("x" * (MAX_QUERY_LENGTH + 1), "at most 200 characters"),
        ("the of and", "at least one word"),
        ("?! — …", "at least one word"),
        ("", "at least one word"),
        ("人权", "at least one word"),
    ],
)
def test_unsearchable_queries_are_refused(query: str, message: str) -> None:
    for dialect in ("sqlite", "postgresql"):
        with pytest.raises(BadUserInput, match=message):
            search_clause(dialect, query)


def test_a_query_of_the_longest_length_is_taken() -> None:
    search_clause("sqlite", "death " * (MAX_QUERY_LENGTH // 6) + "x" * (MAX_QUERY_LENGTH % 6))


# What the databases index


async def _found(engine: AsyncEngine, query: str) -> list[uuid.UUID]:
    statement = (
        select(Recommendation.id)
        .where(search_clause(engine.dialect.name, query))
        .order_by(Recommendation.id)
    )
    async with engine.connect() as connection:
        return list((await connection.scalars(statement)).all())


async def _indexed_words(engine: AsyncEngine, key: uuid.UUID) -> list[str]:
    """The words the database itself indexed for one recommendation, in order."""
    async with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            rows = await connection.execute(
                text(
                    "SELECT lexeme, unnest(positions) AS at FROM recommendations,"
                    " unnest(to_tsvector('simple', search_tokens))"
                    " WHERE id = :id ORDER BY at"
                ).bindparams(bindparam("id", key, Uuid)),
            )
        else:
            await connection.exec_driver_sql(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_words"
                " USING fts5vocab(main, recommendation_search, instance)"
            )
            rows = await connection.execute(
                text(
                    "SELECT term FROM temp.search_words WHERE doc ="
                    " (SELECT rowid FROM recommendations WHERE id = :id) ORDER BY offset"
                ).bindparams(bindparam("id", key, Uuid)),
            )
        return [row[0] for row in rows]


async def _sqlite_index_intact(engine: AsyncEngine) -> None:
    """FTS5 compares its index with the content table and raises if they differ."""
    if engine.dialect.name == "sqlite":
        async with engine.begin() as connection:
            await connection.exec_driver_sql(
                "INSERT INTO recommendation_search(recommendation_search, rank)"
                " VALUES ('integrity-check', 1)"
            )


@pytest.mark.parametrize("value", AWKWARD)
async def test_the_database_indexes_exactly_our_words(engine: AsyncEngine, value: str) -> None:
    # Given a recommendation with awkward text
    key = await make_recommendation(engine, None, "KEN", value)
    # Then the database splits what we stored into exactly our words, none more or fewer
    assert await _indexed_words(engine, key) == tokens(value)
    await _sqlite_index_intact(engine)


async def test_changes_keep_the_index_in_step(engine: AsyncEngine) -> None:
    # Given two recommendations
    penalty = await make_recommendation(engine, None, "KEN", "Abolish the death penalty")
    journalists = await make_recommendation(engine, None, "KEN", "Protect journalists")
    assert await _found(engine, "death") == [penalty]

    # When one's text changes, through SQL
    new_text = "Protect human rights defenders"
    async with engine.begin() as connection:
        await connection.execute(
            update(Recommendation)
            .where(Recommendation.id == penalty)
            .values(text=new_text, search_tokens=search_document(new_text))
        )
    # Then it is found by its new words only
    assert await _found(engine, "death") == []
    assert await _found(engine, "protected") == [penalty, journalists]
    await _sqlite_index_intact(engine)

    # When a change leaves the words alone, and another recommendation is deleted
    async with engine.begin() as connection:
        await connection.execute(
            update(Recommendation).where(Recommendation.id == penalty).values(action_category=2)
        )
        await connection.execute(delete(Recommendation).where(Recommendation.id == journalists))
    # Then the deleted one is no longer found, the other one still is
    assert await _found(engine, "protect") == [penalty]
    assert await _found(engine, "defenders") == [penalty]
    await _sqlite_index_intact(engine)


def _quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


async def test_postgresql_answers_from_the_gin_index(backend: str, engine: AsyncEngine) -> None:
    if backend != "postgresql":
        pytest.skip("PostgreSQL's GIN index")
    # Given the search condition as a prepared statement, planned once for any words
    # (as a driver's cached statement may be), with sequential scans priced out
    statement = select(Recommendation.id).where(search_clause(backend, "death penalty"))
    sql = statement.compile(dialect=engine.dialect)
    async with engine.connect() as connection:
        driver = (await connection.get_raw_connection()).driver_connection
        assert driver is not None
        await driver.execute("SET enable_seqscan = off; SET plan_cache_mode = force_generic_plan")
        await driver.execute(f"PREPARE search AS {sql}")
        values = ", ".join(_quoted(sql.params[name]) for name in sql.positiontup or ())
        plan = [row[0] for row in await driver.fetch(f"EXPLAIN EXECUTE search({values})")]
    # Then the planner matches the expression to the index
    assert any("ix_recommendations_search" in line for line in plan), plan


def _revision_0003(url: str) -> None:
    command.downgrade(alembic_config(url), "0003")


SQLITE_TRIGGERS = {f"recommendation_search_{event}" for event in ("insert", "update", "delete")}


def _search_objects(connection: Connection) -> set[str]:
    """The search column, index, FTS5 table and triggers that exist (autogenerate sees
    none but the column)."""
    inspector = inspect(connection)
    tables = set(inspector.get_table_names())
    indexes = {index["name"] for index in inspector.get_indexes("recommendations")}
    columns = {column["name"] for column in inspector.get_columns("recommendations")}
    triggers: set[str] = set()
    if connection.dialect.name == "sqlite":
        triggers = set(
            connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'"
            ).scalars()
        )
    return (
        (tables & {"recommendation_search"})
        | (indexes & {"ix_recommendations_search"})
        | (columns & {"search_tokens"})
        | (triggers & SQLITE_TRIGGERS)
    )


async def test_the_migration_indexes_existing_recommendations(database_url: str) -> None:
    # Given a database at the revision before search, holding a recommendation
    await asyncio.to_thread(_revision_0003, database_url)
    engine = create_engine(Settings(database_url=database_url))
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(_search_objects) == set()
        key, now = new_id(), utcnow()
        columns = Recommendation.__table__.c
        async with engine.begin() as connection:
            await connection.execute(
                insert(Recommendation.__table__).values(
                    {
                        columns.id: key,
                        columns.mechanism: Mechanism.TREATY_BODY,
                        columns.state_code: "KEN",
                        columns.text: "Ratify the Optional Protocol to the Convention",
                        columns.natural_key: "0" * 64,
                        columns.created_at: now,
                        columns.updated_at: now,
                        columns.version: 1,
                    }
                )
            )
        # When it migrates to the head
        await asyncio.to_thread(upgrade, database_url)
        # Then that recommendation has its words and is found by them
        assert await _found(engine, "ratified protocols") == [key]
        async with engine.connect() as connection:
            stored = await connection.scalar(select(columns.search_tokens))
        assert stored == "ratifi option protocol convent"
        await _sqlite_index_intact(engine)
        async with engine.connect() as connection:
            on_sqlite = {"recommendation_search", *SQLITE_TRIGGERS}
            on_postgresql = {"ix_recommendations_search"}
            assert await connection.run_sync(_search_objects) == {"search_tokens"} | (
                on_sqlite if engine.dialect.name == "sqlite" else on_postgresql
            )
        # And going back removes every search object
        await asyncio.to_thread(_revision_0003, database_url)
        async with engine.connect() as connection:
            assert await connection.run_sync(_search_objects) == set()
    finally:
        await engine.dispose()


# The `search` filter


async def test_search_through_the_api(engine: AsyncEngine, client: httpx.AsyncClient) -> None:
    # Given recommendations to Kenya and Nepal
    kenya = await make_review(engine, "KEN", 48)
    nepal = await make_review(engine, "NPL", 51)
    ratify = await make_recommendation(engine, kenya, "KEN", "Ratify the Rome Statute")
    ratified = await make_recommendation(
        engine, nepal, "NPL", "Implement the conventions it has ratified"
    )
    other = await make_recommendation(engine, kenya, "KEN", "Abolish the death penalty")

    async def found(filter: dict[str, object]) -> list[str]:
        result = (await data(client, SEARCH, {"filter": filter}))["recommendations"]
        assert result["totalCount"] == len(result["nodes"])
        return [node["id"] for node in result["nodes"]]

    def ids(*keys: uuid.UUID) -> list[str]:
        return [to_global_id("Recommendation", key) for key in keys]

    # When searching; then every word must match, in any of its forms
    assert await found({"search": "RATIFYING"}) == ids(ratify, ratified)
    assert await found({"search": "the ratified statute of Rome"}) == ids(ratify)
    assert await found({"search": "death"}) == ids(other)
    assert await found({"search": "death ratify"}) == []
    # And it combines with the other fields
    assert await found({"search": "ratify", "state": "NPL"}) == ids(ratified)


@pytest.mark.parametrize(
    ("search", "message"),
    [
        ("death " * 40, "at most 200 characters"),
        ("of the", "at least one word"),
        ("...", "at least one word"),
    ],
)
async def test_bad_searches_are_bad_user_input(
    client: httpx.AsyncClient, search: str, message: str
) -> None:
    body = await execute(client, SEARCH, {"filter": {"search": search}})
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert message in body["errors"][0]["message"]


# The same answers on both databases

# (label, text): a fixture of UPR-style texts with inflections, accents and numbers.
TEXTS = (
    ("opcat", "Ratify the Optional Protocol to the Convention against Torture"),
    ("crpd", "Consider ratifying the Convention on the Rights of Persons with Disabilities"),
    ("icrmw", "Accelerate the ratification of the Convention on the Rights of Migrant Workers"),
    ("rome", "Ensure that the State ratifies the Rome Statute of the Criminal Court"),
    ("fgm", "Eradicate female genital mutilation and prosecute those who practise it"),
    ("marriage", "Raise the minimum age of marriage to 18 years for girls and boys"),
    ("participation", "Strengthen women's participation in political and public life"),
    ("ivoire", "Cooperate with Côte d’Ivoire on the voluntary return of refugees"),
    ("ivoire-caps", "Share good practices with COTE D'IVOIRE and Sao Tome and Principe"),
    ("sao-tome", "Support São Tomé and Príncipe in setting up its national institution"),
    ("refoulement", "Respect the principle of non-refoulement for all asylum-seekers"),
    ("camps", "Improve living conditions in the refugee camp of Kakuma"),
    ("death", "Abolish the death penalty and commute all death sentences"),
    ("moratorium", "Establish a moratorium on executions, abolishing the death penalty"),
    ("police", "Investigate all allegations of torture by police officers"),
    ("redress", "Provide redress to victims who were tortured in detention"),
    ("journalists", "Protect journalists and human rights defenders from harassment"),
    ("defenders-law", "Adopt a law recognising the work of human rights defenders"),
    ("land", "Guarantee a safe environment for those defending land rights"),
    ("primary", "Ensure free and compulsory primary education for all children"),
    ("curricula", "Remove discriminatory content from educational materials"),
    ("lgbti", "Adopt comprehensive anti-discrimination legislation covering sexual orientation"),
    ("sdg", "Align national policies with the 2030 Agenda and SDG target 16.3"),
    ("paragraph", "Implement recommendation 119.45 of the third cycle in full"),
    (
        "paris-principles",
        "Bring the national human rights institution in line with the Paris Principles",
    ),
    ("paris-agreement", "Fully implement the Paris Agreement on climate change"),
    ("birth", "Guarantee free birth registration, including for children born to migrants"),
    ("registering", "Simplify the procedures for registering civil society organisations"),
    ("trafficking", "Combat trafficking in persons, in particular of women and children"),
    ("health", "Increase the health budget to 15 per cent of public expenditure"),
)

# query: the labels it must find, in the order they were added.
EXPECTED = {
    "ratify": ["opcat", "crpd", "rome"],
    "Ratified": ["opcat", "crpd", "rome"],
    "ratification": ["icrmw"],
    "death penalty": ["death", "moratorium"],
    "abolish the death penalty": ["death", "moratorium"],
    "Côte d'Ivoire": ["ivoire", "ivoire-caps"],
    "sao tome": ["ivoire-caps", "sao-tome"],
    "SÃO TOMÉ": ["ivoire-caps", "sao-tome"],
    "the rights of the defenders": ["journalists", "defenders-law", "land"],
    "refugee": ["ivoire", "camps"],
    "non-refoulement": ["refoulement"],
    "tortured": ["opcat", "police", "redress"],
    "119.45": ["paragraph"],
    "SDG 16.3": ["sdg"],
    "women and children": ["trafficking"],
    "educate": ["primary", "curricula"],
    "register": ["registering"],
    "Paris": ["paris-principles", "paris-agreement"],
    "national institution": ["sao-tome", "paris-principles"],
    "climate torture": [],
    "penguins": [],
}


@pytest.fixture
def twin_databases(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A fresh, migrated, seeded SQLite database and PostgreSQL database."""
    if POSTGRES_URL is None:
        pytest.skip(NO_POSTGRES)
    name = create_postgres_database()
    try:
        urls = {
            "sqlite": f"sqlite+aiosqlite:///{tmp_path / 'twin.db'}",
            "postgresql": postgres_database_url(name),
        }
        for url in urls.values():
            migrate_and_seed(url)
        yield urls
    finally:
        drop_postgres_database(name)


async def _answers(url: str, keys_file: Path, clock: Clock) -> dict[str, list[str]]:
    """Each query's answer on one database, as fixture labels."""
    settings = Settings(database_url=url, keys_file=keys_file)
    engine = create_engine(settings)
    try:
        review = await make_review(engine, "KEN", 48)
        labels = {}
        for label, value in TEXTS:
            key = await make_recommendation(engine, review, "KEN", value)
            labels[to_global_id("Recommendation", key)] = label
    finally:
        await engine.dispose()
    app = create_app(settings, clock=clock, tune_gc=False)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://upright.test") as client,
    ):
        answers = {}
        for query in EXPECTED:
            result = await data(client, SEARCH, {"filter": {"search": query}})
            answers[query] = [labels[node["id"]] for node in result["recommendations"]["nodes"]]
        return answers


async def test_sqlite_and_postgresql_find_the_same(
    twin_databases: dict[str, str], keys_file: Path, clock: Clock
) -> None:
    # Given the same recommendations on a SQLite and a PostgreSQL database
    # When each runs the same searches
    on_sqlite = await _answers(twin_databases["sqlite"], keys_file, clock)
    on_postgresql = await _answers(twin_databases["postgresql"], keys_file, clock)
    # Then both find the same recommendations, the expected ones
    assert on_sqlite == on_postgresql
    assert on_sqlite == EXPECTED
