"""`importRecommendations`: platform admins import small files through the API, all rows
or none, audited; everyone else is refused."""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.imports.mutations import MAX_FILE_BYTES
from schema.tables.audit import AuditEvent
from schema.tables.recommendations import Recommendation
from security import totp
from security.platform import PlatformKeys
from security.roles import Role
from tests.accounts import code_at, make_user, sign_in
from tests.clock import Clock
from tests.factories import make_organisation
from tests.graphql import error_codes, execute

FIXTURES = Path(__file__).parent.parent.parent / "fixtures"
IMPORT = """
mutation($input: ImportRecommendationsInput!) {
  importRecommendations(input: $input) {
    userErrors { field code message }
    result { dryRun rowsRead recommendationsNew rowsMerged alreadyPresent rejectedCount
             rejected { row reason } }
  }
}
"""


def _input(path: Path, format: str = "UPR_INFO", **more: Any) -> dict[str, Any]:
    content = base64.b64encode(path.read_bytes()).decode()
    return {"input": {"format": format, "fileName": path.name, "content": content, **more}}


async def _count(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(select(func.count()).select_from(Recommendation)) or 0)


async def _imports_audited(engine: AsyncEngine) -> list[dict[str, Any]]:
    table = AuditEvent.__table__.c
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(table.action, table.details).where(table.action.like("import.%"))
        )
        return [{"action": row.action, **(row.details or {})} for row in rows]


@pytest.fixture
async def admin(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> str:
    platform = await make_organisation(engine, "Platform")
    secret = totp.new_totp_secret()
    _, email = await make_user(
        engine, platform_keys, platform, Role.PLATFORM_ADMIN, totp_secret=secret
    )
    return await sign_in(client, email, second_factor=code_at(secret, clock.now))


async def _payload(client: httpx.AsyncClient, token: str | None, variables: Any) -> Any:
    body = await execute(client, IMPORT, variables, token=token)
    assert "errors" not in body, body
    return body["data"]["importRecommendations"]


async def test_a_platform_admin_imports_a_file(
    client: httpx.AsyncClient, admin: str, engine: AsyncEngine
) -> None:
    before = await _count(engine)
    first = await _payload(client, admin, _input(FIXTURES / "upr_info" / "good.csv"))
    assert first["userErrors"] == []
    result = first["result"]
    assert result["dryRun"] is False
    assert result["recommendationsNew"] > 0
    assert result["rowsMerged"] > 0  # the fixture repeats texts from several states
    assert await _count(engine) == before + result["recommendationsNew"]
    # Again: nothing new, everything already present.
    again = (await _payload(client, admin, _input(FIXTURES / "upr_info" / "good.csv")))["result"]
    assert again["recommendationsNew"] == 0
    assert again["alreadyPresent"] == result["recommendationsNew"]
    audited = await _imports_audited(engine)
    assert [entry["action"] for entry in audited] == ["import.upr_info", "import.upr_info"]
    assert audited[0]["via"] == "graphql"
    assert audited[0]["new"] == result["recommendationsNew"]


async def test_a_dry_run_writes_nothing(
    client: httpx.AsyncClient, admin: str, engine: AsyncEngine
) -> None:
    before = await _count(engine)
    payload = await _payload(client, admin, _input(FIXTURES / "upr_info" / "good.csv", dryRun=True))
    assert payload["result"]["dryRun"] is True
    assert payload["result"]["recommendationsNew"] > 0
    assert await _count(engine) == before
    assert await _imports_audited(engine) == []


async def test_rejected_rows_are_listed_and_the_rest_imported(
    client: httpx.AsyncClient, admin: str
) -> None:
    result = (await _payload(client, admin, _input(FIXTURES / "upr_info" / "bad_rows.csv")))[
        "result"
    ]
    assert result["rejectedCount"] == len(result["rejected"]) > 0
    assert all(row["row"] >= 2 and row["reason"] for row in result["rejected"])


@pytest.mark.parametrize(
    ("content", "field_message"),
    [
        ("not base64 !!", "not base64"),
        (base64.b64encode(b"x" * (MAX_FILE_BYTES + 1)).decode(), "larger than"),
        (
            base64.b64encode((FIXTURES / "upr_info" / "wrong_columns.csv").read_bytes()).decode(),
            "missing column",
        ),
        (
            base64.b64encode((FIXTURES / "upr_info" / "cp1252.csv").read_bytes()).decode(),
            "not UTF-8",
        ),
    ],
)
async def test_a_bad_file_is_a_user_error_and_writes_nothing(
    client: httpx.AsyncClient, admin: str, engine: AsyncEngine, content: str, field_message: str
) -> None:
    before = await _count(engine)
    variables = {"input": {"format": "UPR_INFO", "fileName": "x.csv", "content": content}}
    payload = await _payload(client, admin, variables)
    assert payload["result"] is None
    (error,) = payload["userErrors"]
    assert error["field"] == "content"
    assert error["code"] == "BAD_USER_INPUT"
    assert field_message in error["message"]
    assert await _count(engine) == before


async def test_uhri_files_too(client: httpx.AsyncClient, admin: str) -> None:
    result = (await _payload(client, admin, _input(FIXTURES / "uhri" / "good.csv", "UHRI")))[
        "result"
    ]
    assert result["recommendationsNew"] > 0


async def test_only_platform_admins(
    client: httpx.AsyncClient, engine: AsyncEngine, platform_keys: PlatformKeys, clock: Clock
) -> None:
    ngo = await make_organisation(engine, "An NGO", vetted_partner=True)
    secret = totp.new_totp_secret()
    _, email = await make_user(engine, platform_keys, ngo, Role.ORG_ADMIN, totp_secret=secret)
    org_admin = await sign_in(client, email, second_factor=code_at(secret, clock.now))
    variables = _input(FIXTURES / "upr_info" / "good.csv")
    anonymous = await execute(client, IMPORT, variables)
    refused = await execute(client, IMPORT, variables, token=org_admin)
    assert error_codes(anonymous) == ["UNAUTHENTICATED"]
    assert error_codes(refused) == ["FORBIDDEN"]
    assert await _imports_audited(engine) == []


async def _refused_content(client: httpx.AsyncClient, admin: str, **input: Any) -> str:
    variables = {"input": {"format": "UPR_INFO", "fileName": "x.csv", **input}}
    payload = await _payload(client, admin, variables)
    assert payload["result"] is None
    (error,) = payload["userErrors"]
    assert error["field"] == "content"
    message: str = error["message"]
    return message


async def test_broken_files_are_user_errors_not_crashes(
    client: httpx.AsyncClient, admin: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = base64.b64encode((FIXTURES / "upr_info" / "good.csv").read_bytes()).decode()
    # A bytes-to-bytes codec is not a text encoding
    assert "unknown encoding" in await _refused_content(
        client, admin, content=good, encoding="zlib_codec"
    )
    # A field past the csv module's limit
    header = (FIXTURES / "upr_info" / "good.csv").read_bytes().splitlines()[0]
    huge = header + b'\nKenya,Africa,,"' + b"x" * 200_000 + b'",Malawi,,,,,,35\n'
    assert "not a readable CSV" in await _refused_content(
        client, admin, content=base64.b64encode(huge).decode()
    )
    # A workbook that unpacks to more than the limit (lowered here to keep the test small)
    monkeypatch.setattr("schema.imports.mutations.MAX_UNPACKED_BYTES", 1_000)
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["Text"] * 50)  # type: ignore[union-attr]
    buffer = io.BytesIO()
    workbook.save(buffer)
    message = await _refused_content(
        client,
        admin,
        format="UHRI",
        fileName="x.xlsx",
        content=base64.b64encode(buffer.getvalue()).decode(),
    )
    assert "unpacks to more than" in message
