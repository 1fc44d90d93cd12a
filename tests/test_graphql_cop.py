"""Every check of the public GraphQL auditor graphql-cop, against the default
(production) configuration, with graphql-cop's own requests and its own verdicts: each
test asserts the check would report the server as not vulnerable.

(graphql-cop itself is not run: it is a network tool; these are its requests and its
conditions, as written in its checks.)
"""

from __future__ import annotations

from typing import Any

import httpx

URL = "/graphql"


async def _post(client: httpx.AsyncClient, payload: Any) -> httpx.Response:
    return await client.post(URL, json=payload)


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


async def test_field_suggestions(client: httpx.AsyncClient) -> None:
    body = _json(await _post(client, {"query": "query cop { __schema { directive } }"}))
    assert "Did you mean" not in str(body)
    body = _json(await _post(client, {"query": "query cop { recommendation { id } }"}))
    assert "Did you mean" not in str(body)


async def test_introspection(client: httpx.AsyncClient) -> None:
    query = "query cop { __schema { types { name fields { name } } } }"
    body = _json(await _post(client, {"query": query}))
    assert not (body and body.get("data") and body["data"].get("__schema"))


async def test_graphiql_detection(client: httpx.AsyncClient) -> None:
    for path in (URL, "/graphiql", "/playground", "/console", "/"):
        response = await client.get(path, headers={"Accept": "text/html"})
        text = response.text.lower()
        assert "graphiql" not in text
        assert "graphql playground" not in text


async def test_get_method_support(client: httpx.AsyncClient) -> None:
    response = await client.get(URL, params={"query": "query cop {__typename}"})
    body = _json(response)
    assert not (body and (body.get("data") or {}).get("__typename") == "Query")


async def test_alias_overloading(client: httpx.AsyncClient) -> None:
    aliases = "".join(f"alias{i}:__typename \n" for i in range(101))
    body = _json(await _post(client, {"query": "query cop { " + aliases + " }"}))
    assert not (body and (body.get("data") or {}).get("alias100"))


async def test_array_based_query_batching(client: httpx.AsyncClient) -> None:
    batch = [{"query": "query cop { __typename }"} for _ in range(10)]
    body = _json(await _post(client, batch))
    assert not (isinstance(body, list) and len(body) == 10)


async def test_trace_mode(client: httpx.AsyncClient) -> None:
    body = _json(await _post(client, {"query": "query cop { __typename }"}))
    assert "tracing" not in str((body or {}).get("extensions", {}))
    assert "tracing" not in str((body or {}).get("errors", []))


async def test_directive_overloading(client: httpx.AsyncClient) -> None:
    query = "query cop { __typename " + "@aa" * 10 + " }"
    body = _json(await _post(client, {"query": query}))
    assert len((body or {}).get("errors", [])) != 10


async def test_circular_introspection(client: httpx.AsyncClient) -> None:
    query = (
        "query cop { __schema { types { fields { type { fields { type { fields { type "
        "{ fields { type { name } } } } } } } } } } }"
    )
    body = _json(await _post(client, {"query": query}))
    assert not (body and body.get("data"))


async def test_get_based_mutation(client: httpx.AsyncClient) -> None:
    response = await client.get(URL, params={"query": "mutation cop {__typename}"})
    body = _json(response)
    assert not (response.status_code == 200 and body and body.get("data"))


async def test_post_based_csrf(client: httpx.AsyncClient) -> None:
    response = await client.post(
        URL,
        content="query=query+cop+%7B__typename%7D",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    body = _json(response)
    assert not (body and body.get("data"))
    multipart = await client.post(URL, files={"query": (None, "query cop {__typename}")})
    assert not ((_json(multipart) or {}).get("data"))


async def test_unhandled_error_detection(client: httpx.AsyncClient) -> None:
    for payload in (
        {"query": "qwerty cop { abc { } }"},
        {"query": "query cop { __typename }", "variables": "not an object"},
        {"query": "query cop($n: Int!) { reviews(first: $n) { totalCount } }"},
        {"query": 'query cop { recommendations(first: 1, after: "!!") { totalCount } }'},
    ):
        response = await _post(client, payload)
        assert response.status_code < 500
        text = response.text
        for leak in ("Traceback", "Exception", 'File "', "stacktrace", "sqlalchemy", "line "):
            assert leak not in text, (payload, text)
