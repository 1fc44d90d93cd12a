"""`upright export recommendations`: an API token's export, end to end, into one CSV or
JSON file holding what both the token's organisation and the recipient may see."""

from __future__ import annotations

import csv
import io
import os
import stat
import uuid
from dataclasses import dataclass
from pathlib import Path

import orjson
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from schema.db import utcnow
from schema.relay import to_global_id
from schema.tables.audit import AuditEvent
from schema.tables.followup import ImplementationStatus
from schema.tables.organisations import OrganisationKind
from security.keyring import load_keyring
from security.sharing import Visibility
from server.cli import app
from server.database import create_engine
from server.keys import open_platform_keys
from server.settings import Settings
from tests.accounts import make_user
from tests.conftest import run_sync
from tests.factories import (
    make_assessment,
    make_coalition,
    make_organisation,
    make_recommendation,
    make_review,
)
from tests.principals import insert_token

runner = CliRunner()


@dataclass
class Exporting:
    token: str
    ngo: uuid.UUID
    partner: uuid.UUID
    recommendations: list[str]  # global ids, as added


async def _world(database_url: str, keys_file: Path) -> Exporting:
    """The NGO's token; its own, coalition and the partner's public assessments."""
    engine = create_engine(Settings(database_url=database_url))
    try:
        keys = await open_platform_keys(engine, load_keyring(keys_file))
        ngo = await make_organisation(
            engine, "Kenya Rights Network", vetted_partner=True, public_profile=True
        )
        partner = await make_organisation(
            engine,
            "Geneva Rights Watch",
            OrganisationKind.INTERNATIONAL_NGO,
            vetted_partner=True,
            public_profile=True,
        )
        coalition = await make_coalition(engine, ngo, [partner])
        review = await make_review(engine)
        keys_of = [await make_recommendation(engine, review) for _ in range(3)]
        await make_assessment(engine, keys_of[0], ngo, Visibility.ORGANISATION)
        await make_assessment(
            engine,
            keys_of[1],
            ngo,
            Visibility.COALITION,
            coalition,
            status=ImplementationStatus.FULLY_IMPLEMENTED,
        )
        await make_assessment(engine, keys_of[2], partner, Visibility.PUBLIC)
        creator, _ = await make_user(engine, keys, ngo)
        _, token = await insert_token(engine, ngo, creator, "recommendations:read", utcnow())
    finally:
        await engine.dispose()
    ids = [to_global_id("Recommendation", key) for key in keys_of]
    return Exporting(token, ngo, partner, ids)


@pytest.fixture
def exporting(monkeypatch: pytest.MonkeyPatch, database_url: str, keys_file: Path) -> Exporting:
    for variable in ("UPRIGHT_ENV", "UPRIGHT_KEYS", "UPRIGHT_TOKEN"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("UPRIGHT_DATABASE_URL", database_url)
    monkeypatch.setenv("UPRIGHT_KEYS_FILE", str(keys_file))
    return run_sync(_world(database_url, keys_file))


def _export(*args: str, token: str | None = None, stdin: str = "") -> tuple[int, str, str]:
    """(exit code, standard output, everything printed)."""
    env = {"UPRIGHT_TOKEN": token} if token else {}
    result = runner.invoke(app, ["export", "recommendations", *args], input=stdin, env=env)
    return result.exit_code, result.stdout, result.output


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def _exports(database_url: str, organisation: uuid.UUID) -> list[dict[str, object]]:
    async def read() -> list[dict[str, object]]:
        engine = create_engine(Settings(database_url=database_url))
        table = AuditEvent.__table__.c
        try:
            async with engine.connect() as connection:
                rows = await connection.execute(
                    select(table.details)
                    .where(
                        table.chain == f"org:{organisation}",
                        table.action == "export.recommendations",
                    )
                    .order_by(table.sequence)
                )
                return [row.details for row in rows]
        finally:
            await engine.dispose()

    return run_sync(read())


def test_csv_for_a_recipient_named_by_name_pages_into_one_file(
    exporting: Exporting, database_url: str
) -> None:
    # When the NGO's token exports for the partner, by name, two recommendations a page
    code, out, output = _export(
        "--recipient", "Geneva Rights Watch", "--page-size", "2", token=exporting.token
    )
    # Then one CSV comes out, its header once, every recommendation in the order added
    assert code == 0, output
    records = list(csv.DictReader(io.StringIO(out)))
    assert [record["id"] for record in records] == exporting.recommendations
    assert out.count("latest_assessments") == 1
    # And it holds what both may see: not the NGO's own assessment
    assert [record["latest_assessments"] for record in records] == [
        "",
        "Kenya Rights Network: FULLY_IMPLEMENTED (2026-06-01, COALITION)",
        "Geneva Rights Watch: PARTIALLY_IMPLEMENTED (2026-06-01, PUBLIC)",
    ]
    assert "3 recommendations exported" in output
    # And both pages are in the NGO's audit chain
    assert [entry["recipient"] for entry in _exports(database_url, exporting.ngo)] == [
        str(exporting.partner)
    ] * 2


def test_json_for_the_public_into_a_file(exporting: Exporting, tmp_path: Path) -> None:
    # When the token, read from standard input, exports JSON to a file for the public
    folder = tmp_path / "exports"
    folder.mkdir()
    target = folder / "export.json"
    code, out, output = _export(
        "--format",
        "json",
        "--output",
        str(target),
        "--page-size",
        "2",
        stdin=exporting.token + "\n",
    )
    # Then the file is one array with the public assessment only, and nothing on stdout
    assert code == 0, output
    assert out == ""
    items = orjson.loads(target.read_bytes())
    assert [item["id"] for item in items] == exporting.recommendations
    assert [len(item["latestAssessments"]) for item in items] == [0, 0, 1]
    assert stat.S_IMODE(target.stat().st_mode) == 0o644 & ~_umask()
    assert list(folder.iterdir()) == [target]
    # And an export for a recipient is readable by its owner only
    private = folder / "private.json"
    partner = to_global_id("Organisation", exporting.partner)
    args = ("--format", "json", "--output", str(private), "--recipient", partner)
    assert _export(*args, token=exporting.token)[0] == 0
    assert stat.S_IMODE(private.stat().st_mode) == 0o600


def test_the_token_is_never_an_argument(exporting: Exporting) -> None:
    # When the token is given as an option, or not at all
    as_option = _export("--token", exporting.token)
    missing = _export()
    refused = _export(token="upr_t_" + "A" * 43)
    # Then each is refused with one line, exit code 2, and no token echoed
    assert as_option[0] == 2
    assert "No such option" in as_option[2]
    assert exporting.token not in as_option[2]
    assert missing[0] == 2
    assert "UPRIGHT_TOKEN" in missing[2]
    assert refused[0] == 2
    assert "Invalid or expired credentials" in refused[2]


def test_unknown_recipients_and_filters_are_refused(exporting: Exporting, tmp_path: Path) -> None:
    # When the recipient is nobody the token sees, or a filter names nothing
    folder = tmp_path / "exports"
    folder.mkdir()
    target = folder / "export.csv"
    unknown = _export("--recipient", "Nobody", "--output", str(target), token=exporting.token)
    bad_theme = _export("--theme", "no-such-theme", token=exporting.token)
    hidden = _export(
        "--recipient", to_global_id("Organisation", uuid.uuid4()), token=exporting.token
    )
    # Then each is one line, exit code 2, and no file is left behind
    assert unknown[0] == bad_theme[0] == hidden[0] == 2
    assert "no organisation of that name" in unknown[2]
    assert "filter" in bad_theme[2]
    assert "NOT_FOUND" in hidden[2]
    assert list(folder.iterdir()) == []
