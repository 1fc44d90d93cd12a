"""Security headers, CORS allow-list and proxy headers, on the real app."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

import httpx
import pytest
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from server.http_security import API_POLICY, GRAPHIQL_POLICY, middleware
from server.settings import Environment, Settings

QUERY = {"query": "{ cycles { number } }"}


@asynccontextmanager
async def _client(
    app: Starlette,
    client: tuple[str, int] = ("127.0.0.1", 40000),
    base: str = "http://upright.test",
) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=client)
        async with httpx.AsyncClient(transport=transport, base_url=base) as http:
            yield http


async def test_every_response_carries_the_security_headers(client: httpx.AsyncClient) -> None:
    for response in (
        await client.post("/graphql", json=QUERY),
        await client.get("/healthz"),
        await client.get("/graphql", headers={"Accept": "text/html"}),  # a 404
    ):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["content-security-policy"] == API_POLICY
        # Plain HTTP: HSTS would be ignored by browsers, and is a lie on a dev laptop.
        assert "strict-transport-security" not in response.headers


async def test_hsts_over_https(make_app: Callable[..., Starlette]) -> None:
    async with _client(make_app(), base="https://upright.test") as http:
        response = await http.post("/graphql", json=QUERY)
    assert response.headers["strict-transport-security"].startswith("max-age=63072000")


async def test_graphiql_works_under_its_policy(make_app: Callable[..., Starlette]) -> None:
    """Every script and stylesheet the development GraphiQL page loads is allowed by the
    policy it is served with; the API's own policy allows none of them."""
    async with _client(make_app(env=Environment.DEVELOPMENT)) as http:
        response = await http.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert policy == GRAPHIQL_POLICY
    sources = re.findall(r'(?:src|href)="(https?://[^"]+)"', response.text)
    assert sources, "GraphiQL loads its code from a CDN"
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    for source in sources:
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(source))
        kind = "style-src" if source.endswith(".css") else "script-src"
        assert origin in directives[kind].split(), source
        assert origin not in API_POLICY


async def test_cors_only_for_listed_origins(make_app: Callable[..., Starlette]) -> None:
    app = make_app(cors_origins=["https://app.example.org"])
    async with _client(app) as http:
        allowed = await http.post(
            "/graphql", json=QUERY, headers={"Origin": "https://app.example.org"}
        )
        other = await http.post("/graphql", json=QUERY, headers={"Origin": "https://evil.example"})
        preflight = await http.options(
            "/graphql",
            headers={
                "Origin": "https://app.example.org",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type",
            },
        )
    assert allowed.headers["access-control-allow-origin"] == "https://app.example.org"
    assert "access-control-allow-origin" not in other.headers
    assert preflight.status_code == 200
    assert "authorization" in preflight.headers["access-control-allow-headers"].lower()
    assert "access-control-allow-credentials" not in allowed.headers


async def test_no_cors_by_default(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json=QUERY, headers={"Origin": "https://a.example"})
    assert "access-control-allow-origin" not in response.headers


def _echo_app(settings: Settings) -> Starlette:
    """The same middleware around a route that reports what the app believes."""

    async def whoami(request: Request) -> JSONResponse:
        host = request.client.host if request.client else None
        return JSONResponse({"client": host, "scheme": request.url.scheme})

    return Starlette(routes=[Route("/", whoami)], middleware=middleware(settings))


FORWARDED = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}


async def test_proxy_headers_only_from_trusted_proxies(database_url: str) -> None:
    settings = Settings(database_url=database_url, trusted_proxies=["10.0.0.0/8", "192.0.2.1"])
    app = _echo_app(settings)
    async with _client(app, client=("10.1.2.3", 5000)) as http:
        through_proxy = (await http.get("/", headers=FORWARDED)).json()
    async with _client(app, client=("198.51.100.7", 5000)) as http:
        direct = await http.get("/", headers=FORWARDED)
    assert through_proxy == {"client": "203.0.113.9", "scheme": "https"}
    assert direct.json() == {"client": "198.51.100.7", "scheme": "http"}
    assert "strict-transport-security" not in direct.headers


async def test_no_proxy_is_trusted_by_default(database_url: str) -> None:
    app = _echo_app(Settings(database_url=database_url))
    async with _client(app, client=("127.0.0.1", 5000)) as http:
        assert (await http.get("/", headers=FORWARDED)).json() == {
            "client": "127.0.0.1",
            "scheme": "http",
        }


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("cors_origins", "*"),
        ("cors_origins", "https://app.example.org/path"),
        ("cors_origins", "app.example.org"),
        ("trusted_proxies", "*"),
        ("trusted_proxies", "proxy.internal"),
    ],
)
def test_settings_refuse_wildcards_and_non_addresses(variable: str, value: str) -> None:
    with pytest.raises(ValidationError):
        Settings(**{variable: value})  # type: ignore[arg-type]


def test_lists_come_comma_separated_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UPRIGHT_CORS_ORIGINS", "https://a.example.org/, http://localhost:5173")
    monkeypatch.setenv("UPRIGHT_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8")
    settings = Settings()
    assert settings.cors_origins == ["https://a.example.org", "http://localhost:5173"]
    assert settings.trusted_proxies == ["127.0.0.1", "10.0.0.0/8"]
