"""The cost of a document: connections multiply, leaves are free, variables count."""

from __future__ import annotations

import pytest
from graphql import parse

from schema import build_schema
from schema.cost.analysis import LIST_SIZE, MAX_PAGE, MUTATION_COST, operation_cost

SCHEMA = build_schema()._schema


def cost(query: str, variables: dict[str, object] | None = None, name: str | None = None) -> int:
    return operation_cost(SCHEMA, parse(query), name, variables)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("{ cycles { number } }", 1),
        ("{ me { user { email } } }", 2),
        # A connection: 1 + first x (nodes: 1 + what each node selects).
        # `nodes` is the page: the connection's first/last multiplies it once.
        ("{ recommendations(first: 50) { nodes { text } } }", 1 + 50 * 1),
        # A list of leaves-only objects costs its one point.
        ("{ recommendations(first: 50) { nodes { text themes { name } } } }", 1 + 50 * 2),
        ("{ recommendations(last: 10) { totalCount } }", 1),
        # Nested connections multiply.
        (
            "{ recommendations(first: 10) { nodes { engagements(first: 5) { nodes { id } } } } }",
            1 + 10 * (1 + (1 + 5 * 1)),
        ),
        # No first/last: the field counts once (a connection refuses to run without one).
        ("{ organisations { nodes { name } } }", 2),
    ],
)
def test_costs(query: str, expected: int) -> None:
    assert cost(query) == expected


def test_variables_and_fragments() -> None:
    query = """
    query Page($n: Int) {
      recommendations(first: $n) { ...Rec ... on RecommendationConnection { nodes { id } } }
    }
    fragment Rec on RecommendationConnection { nodes { review { session } } }
    """
    assert cost(query, {"n": 20}) == 1 + 20 * (2 + 1)
    assert cost(query, {}) == 1 + MAX_PAGE * 3  # absent: the worst case
    assert cost(query, {"n": 10_000}) == 1 + MAX_PAGE * 3  # out of range: likewise


def test_a_named_operation_among_several() -> None:
    query = "query A { cycles { number } } query B { recommendations(first: 7) { nodes { id } } }"
    assert cost(query, name="A") == 1
    assert cost(query, name="B") == 1 + 7
    assert cost(query) == 0  # ambiguous: graphql-core refuses it before any cost


def test_mutations_cost_more() -> None:
    assert cost("mutation { logout { userErrors { code } } }") == 2 + MUTATION_COST


def test_a_self_spreading_fragment_stays_finite() -> None:
    query = "{ me { ...F } } fragment F on Me { user { ...F } }"
    assert cost(query) == 1 + 1  # me, user; the inner spread is not counted again


def test_unpaged_lists_multiply_as_far_as_they_may_reach() -> None:
    nested = """{ recommendations(first: 10) { nodes {
        relatedRecommendations { assessments { organisation { name } } } } } }"""
    # nodes (1) + related: 1 + LIST_SIZE x (assessments: 1 + LIST_SIZE x organisation (1))
    per_node = 1 + (1 + LIST_SIZE * (1 + LIST_SIZE * 1))
    assert cost(nested) == 1 + 10 * per_node
    report = '{ midtermReport(state: "KEN", cycle: 3) { recommendations { text themes } } }'
    assert cost(report) == 1 + 1 * (1 + 400 * 0)
    deep_report = """{ midtermReport(state: "KEN", cycle: 3) {
        recommendations { latestAssessments { status } } } }"""
    assert cost(deep_report) == 1 + (1 + 400 * (1 + LIST_SIZE * 0))


def test_exports_cost_their_page() -> None:
    literal = "mutation { exportRecommendations(input: {first: 800}) { export { count } } }"
    assert cost(literal) == 1 + 800 * 1 + MUTATION_COST
    default = "mutation { exportRecommendations(input: {}) { export { count } } }"
    assert cost(default) == 1 + 500 * 1 + MUTATION_COST
    variable = """mutation($i: ExportRecommendationsInput!) {
        exportRecommendations(input: $i) { export { count } } }"""
    assert cost(variable, {"i": {"first": 20}}) == 1 + 20 * 1 + MUTATION_COST


def test_mutations_inside_fragments_still_pay() -> None:
    wrapped = """mutation { ... on Mutation {
        a: logout { userErrors { code } } b: logout { userErrors { code } } } }"""
    assert cost(wrapped) == 2 * (2 + MUTATION_COST)
