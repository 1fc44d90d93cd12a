"""Structured request logs: one JSON line per request, nothing secret in it."""

from __future__ import annotations

import logging

import httpx
import orjson
import pytest

from server.logs import JsonFormatter, redact

LOGIN = """mutation SignIn($email: String!, $password: String!) {
  login(email: $email, password: $password) { userErrors { code } }
}"""
SECRET_EMAIL = "defender.secret@example.org"
SECRET_PASSWORD = "correct horse battery staple 42"


def _lines(
    caplog: pytest.LogCaptureFixture, name: str = "upright.request"
) -> list[dict[str, object]]:
    formatter = JsonFormatter()
    return [orjson.loads(formatter.format(r)) for r in caplog.records if r.name == name]


async def test_one_line_per_request_with_its_facts(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="upright.request")
    response = await client.post(
        "/graphql",
        json={"query": "query Cycles { cycles { number } }", "operationName": "Cycles"},
        headers={"X-Request-ID": "lb-0123456789abcdef"},
    )
    assert response.headers["x-request-id"] == "lb-0123456789abcdef"
    (line,) = _lines(caplog)
    assert line["request_id"] == "lb-0123456789abcdef"
    assert line["operation"] == "Cycles"
    assert line["operation_type"] == "query"
    assert line["principal"] == "anonymous"
    assert line["status"] == 200
    assert line["outcome"] == "ok"
    assert isinstance(line["duration_ms"], float)
    assert "organisation" not in line


async def test_errors_are_logged_with_their_codes(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="upright.request")
    bad = await client.post(
        "/graphql",
        json={"query": "{ me { id } nope }"},
        headers={"X-Request-ID": "bad id\nwith a line break"},
    )
    unauthenticated = await client.post(
        "/graphql", json={"query": "{ cycles { number } }"}, headers={"Authorization": "Basic x"}
    )
    first, second = _lines(caplog)
    assert first["codes"] == ["GRAPHQL_VALIDATION_FAILED"]
    assert first["outcome"] == "error"
    assert second["codes"] == ["UNAUTHENTICATED"]
    assert second["status"] == 401
    # A request id in a bad shape is replaced, not echoed; without one, one is made.
    assert len(str(first["request_id"])) == 32
    assert bad.headers["x-request-id"] != unauthenticated.headers["x-request-id"]


async def test_variables_and_credentials_never_reach_a_line(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await client.post(
        "/graphql",
        json={
            "query": LOGIN,
            "operationName": "SignIn",
            "variables": {"email": SECRET_EMAIL, "password": SECRET_PASSWORD},
        },
    )
    await client.post(
        "/graphql",
        json={"query": "{ cycles { number } }"},
        headers={"Authorization": "Bearer upr_t_thisisnotarealtokenbutlookslikeone"},
    )
    formatter = JsonFormatter()
    text = "\n".join(formatter.format(record) for record in caplog.records)
    assert "SignIn" in text  # the request was logged
    for secret in (SECRET_EMAIL, SECRET_PASSWORD, "thisisnotarealtoken"):
        assert secret not in text


def test_only_allowed_fields_are_written() -> None:
    record = logging.LogRecord("upright.x", logging.INFO, __file__, 1, "done", None, None)
    record.__dict__.update(
        variables={"password": SECRET_PASSWORD}, body=SECRET_EMAIL, operation="Op", cost=12
    )
    line = orjson.loads(JsonFormatter().format(record))
    assert set(line) == {"time", "level", "logger", "message", "operation", "cost"}


def test_exceptions_keep_their_frames_not_their_message() -> None:
    try:
        raise ValueError(f"could not parse {SECRET_EMAIL}")
    except ValueError:
        record = logging.LogRecord(
            "upright.x", logging.ERROR, __file__, 1, "failed", None, __import__("sys").exc_info()
        )
    line = orjson.loads(JsonFormatter().format(record))
    assert line["error"]["type"] == "ValueError"
    assert any("test_logs.py" in frame for frame in line["error"]["frames"])
    assert SECRET_EMAIL not in orjson.dumps(line).decode()


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("token upr_api_AbC123-_xyz used", "AbC123"),
        ("Authorization: Bearer s3cr3tvalue", "s3cr3tvalue"),
        ('{"password": "hunter2"}', "hunter2"),
        ("password=hunter2 next", "hunter2"),
        ("mail a.person@example.org now", "a.person@example.org"),
    ],
)
def test_redact(text: str, hidden: str) -> None:
    assert hidden not in redact(text)
