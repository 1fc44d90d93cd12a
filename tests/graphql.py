"""Helpers to send GraphQL over HTTP in tests."""

from __future__ import annotations

from typing import Any

import httpx


async def execute(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    token: str | None = None,
) -> dict[str, Any]:
    """The response body; the HTTP status must be 200. With `token`, as its bearer."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return without_cost(body)


def without_cost(body: dict[str, Any]) -> dict[str, Any]:
    """The body without `extensions.cost`, which every response carries (see
    tests/schema/cost) and whose remaining budget changes from one request to the next."""
    extensions = body.pop("extensions", None)
    assert extensions is not None, body
    assert set(extensions) == {"cost"}, extensions
    return body


async def data(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    token: str | None = None,
) -> dict[str, Any]:
    """The `data` of a response that must carry no errors."""
    body = await execute(client, query, variables, token)
    assert "errors" not in body, body["errors"]
    result: dict[str, Any] = body["data"]
    return result


def error_codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]
