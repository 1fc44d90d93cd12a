"""The README's GraphQL examples are valid against the schema: a renamed field or
argument fails here, not in a new user's first session."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphql import parse, validate

from schema import build_schema

README = Path(__file__).parent.parent / "README.md"
EXAMPLES = re.findall(r"```graphql\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)


def test_the_readme_has_examples() -> None:
    assert len(EXAMPLES) >= 10


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.split("\n", 2)[1].strip()[:40])
def test_each_example_is_valid(example: str) -> None:
    errors = validate(build_schema()._schema, parse(example))
    assert [error.message for error in errors] == []
