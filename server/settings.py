"""Settings from the environment (`UPRIGHT_` prefix); production unless told otherwise."""

from __future__ import annotations

import enum
import ipaddress
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

if TYPE_CHECKING:
    from schema import Limits

# Accepted URL schemes, and the async driver each one runs on.
_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}


class Environment(enum.StrEnum):
    PRODUCTION = "production"
    DEVELOPMENT = "development"


class LogFormat(enum.StrEnum):
    JSON = "json"  # one object per line, for log collectors (server.logs)
    TEXT = "text"  # for a terminal


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="UPRIGHT_", frozen=True, extra="ignore")

    env: Environment = Environment.PRODUCTION
    database_url: str = "sqlite+aiosqlite:///./upright.db"
    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=1, le=65535)] = 8000
    workers: Annotated[int, Field(ge=1, le=64)] = 1
    db_pool_size: Annotated[int, Field(ge=1, le=200)] = 10
    # Seconds /readyz waits for the database before answering 503.
    readiness_timeout: Annotated[float, Field(gt=0, le=30)] = 2.0
    # The key file (every key root); `UPRIGHT_KEYS` may hold its JSON instead.
    keys_file: Path = Path("upright-keys.json")
    keys: SecretStr | None = None
    # Sessions end after this long without a request, and this long after sign-in.
    session_idle_hours: Annotated[float, Field(gt=0, le=24 * 30)] = 12
    session_absolute_days: Annotated[float, Field(gt=0, le=90)] = 7
    invitation_days: Annotated[float, Field(gt=0, le=30)] = 7
    # Second factors are required of administrators; only development may relax it.
    require_second_factor: bool = True
    # Shared state (login throttling, budgets) across server processes.
    redis_url: str | None = None
    # How long database backups are kept: a retired KEK version is destroyed only after
    # this long, so every backup still kept can be restored, and older ones decrypt nothing.
    backup_retention_days: Annotated[float, Field(gt=0, le=3650)] = 35
    # Bounds on every GraphQL request (SECURITY.md property 11).
    max_depth: Annotated[int, Field(ge=2, le=50)] = 10
    max_aliases: Annotated[int, Field(ge=1, le=500)] = 15
    max_tokens: Annotated[int, Field(ge=100, le=100_000)] = 2000
    max_directives: Annotated[int, Field(ge=0, le=1000)] = 50
    max_document_chars: Annotated[int, Field(ge=1000, le=1_000_000)] = 15_000
    # A request body (the document, its variables: an import file travels in them).
    max_body_bytes: Annotated[int, Field(ge=10_000, le=50_000_000)] = 2_000_000
    # Seconds one request may run before it is cut short (SERVICE_UNAVAILABLE).
    request_timeout: Annotated[float, Field(gt=0, le=600)] = 30.0
    # Allow-list mode: only operations registered with `upright operations register` run.
    persisted_only: bool = False
    # Query cost points (schema.cost): the most one request may cost, and what a viewer
    # (user, token, or client address when anonymous) may spend per hour.
    max_query_cost: Annotated[int, Field(ge=1)] = 25_000
    hourly_cost_budget: Annotated[int, Field(ge=1)] = 500_000
    hourly_cost_budget_anonymous: Annotated[int, Field(ge=1)] = 50_000
    # JSON lines unless told otherwise (development defaults to text).
    log_format: LogFormat | None = None
    # Browser origins allowed to call the API (comma-separated, e.g.
    # https://app.example.org); none by default.
    cors_origins: Annotated[list[str], NoDecode] = []
    # Reverse proxies (addresses or networks, comma-separated) whose X-Forwarded-For and
    # X-Forwarded-Proto are believed; nobody's by default.
    trusted_proxies: Annotated[list[str], NoDecode] = []
    # Who may read /metrics (addresses or networks); loopback only by default.
    metrics_allow: Annotated[list[str], NoDecode] = ["127.0.0.1/32", "::1/128"]

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _origins(cls, value: object) -> object:
        parts = value.split(",") if isinstance(value, str) else value
        if not isinstance(parts, list):
            return value
        origins = [str(part).strip().rstrip("/") for part in parts if str(part).strip()]
        for origin in origins:
            split = urlsplit(origin)
            if split.scheme not in {"http", "https"} or not split.netloc or split.path:
                raise ValueError(f"{origin!r} is not an origin like https://app.example.org")
        return origins

    @field_validator("trusted_proxies", "metrics_allow", mode="before")
    @classmethod
    def _proxies(cls, value: object) -> object:
        parts = value.split(",") if isinstance(value, str) else value
        if not isinstance(parts, list):
            return value
        proxies = [str(part).strip() for part in parts if str(part).strip()]
        for proxy in proxies:
            try:
                ipaddress.ip_network(proxy, strict=False)
            except ValueError:
                raise ValueError(
                    f"{proxy!r} is not an address or network (name each proxy; no wildcard)"
                ) from None
        return proxies

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError("not a database URL") from None
        driver = _DRIVERS.get(url.drivername)
        if driver is None:
            raise ValueError(
                f"unsupported scheme {url.drivername!r}: use sqlite+aiosqlite:///PATH "
                "or postgresql+asyncpg://USER@HOST/DB"
            )
        if url.port is not None and not 1 <= url.port <= 65535:
            raise ValueError(f"port {url.port} is out of range")
        if driver == "postgresql+asyncpg" and "sslmode" in url.query:
            # libpq spells it sslmode; asyncpg takes the same modes as `ssl`.
            query = {k: v for k, v in url.query.items() if k != "sslmode"}
            url = url.set(query={**query, "ssl": url.query["sslmode"]})
        return url.set(drivername=driver).render_as_string(hide_password=False)

    @model_validator(mode="after")
    def _production_is_strict(self) -> Settings:
        if not self.require_second_factor and self.env is not Environment.DEVELOPMENT:
            raise ValueError("UPRIGHT_REQUIRE_SECOND_FACTOR=false is allowed in development only")
        return self

    @property
    def limits(self) -> Limits:
        from schema import Limits  # the schema is heavy to import; most commands need none

        return Limits(
            depth=self.max_depth,
            aliases=self.max_aliases,
            tokens=self.max_tokens,
            directives=self.max_directives,
        )

    @property
    def log_style(self) -> LogFormat:
        if self.log_format is not None:
            return self.log_format
        return LogFormat.TEXT if self.development else LogFormat.JSON

    @property
    def development(self) -> bool:
        return self.env is Environment.DEVELOPMENT

    @property
    def database(self) -> URL:
        return make_url(self.database_url)


def describe_errors(error: Exception) -> str:
    """One line per invalid setting, naming the environment variable."""
    from pydantic import ValidationError

    if not isinstance(error, ValidationError):
        return str(error)
    lines = []
    for problem in error.errors():
        message = str(problem["msg"]).removeprefix("Value error, ")
        if problem["loc"]:
            variable = "UPRIGHT_" + "_".join(str(part) for part in problem["loc"]).upper()
            lines.append(f"invalid setting {variable}: {message}")
        else:
            lines.append(f"invalid settings: {message}")
    return "\n".join(lines)
