"""Settings: production by default, SQLite by default, bad values named."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from server.settings import Environment, Settings, describe_errors


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("UPRIGHT_ENV", "UPRIGHT_DATABASE_URL", "UPRIGHT_PORT", "UPRIGHT_HOST"):
        monkeypatch.delenv(variable, raising=False)


def test_production_and_sqlite_by_default() -> None:
    settings = Settings()
    assert settings.env is Environment.PRODUCTION
    assert not settings.development
    assert settings.database_url == "sqlite+aiosqlite:///./upright.db"


def test_development_only_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UPRIGHT_ENV", "development")
    assert Settings().development


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (
            "postgresql://app:s3cret@db:5432/upright",
            "postgresql+asyncpg://app:s3cret@db:5432/upright",
        ),
        ("postgres://db/upright", "postgresql+asyncpg://db/upright"),
        ("sqlite:////var/lib/upright.db", "sqlite+aiosqlite:////var/lib/upright.db"),
        ("postgresql://db/upright?sslmode=require", "postgresql+asyncpg://db/upright?ssl=require"),
    ],
)
def test_database_urls_get_their_async_driver(
    monkeypatch: pytest.MonkeyPatch, given: str, expected: str
) -> None:
    monkeypatch.setenv("UPRIGHT_DATABASE_URL", given)
    assert Settings().database_url == expected


@pytest.mark.parametrize(
    ("variable", "value", "fragment"),
    [
        ("UPRIGHT_DATABASE_URL", "mysql://db/upright", "unsupported scheme 'mysql'"),
        ("UPRIGHT_DATABASE_URL", "not a url", "not a database URL"),
        ("UPRIGHT_DATABASE_URL", "postgresql://db:99999/upright", "port 99999 is out of range"),
        ("UPRIGHT_PORT", "70000", "less than or equal to 65535"),
        ("UPRIGHT_PORT", "http", "valid integer"),
        ("UPRIGHT_ENV", "staging", "'production' or 'development'"),
    ],
)
def test_invalid_settings_name_their_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, fragment: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError) as caught:
        Settings()
    message = describe_errors(caught.value)
    assert message.startswith(f"invalid setting {variable}: ")
    assert fragment in message
