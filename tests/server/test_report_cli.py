"""`upright report midterm`: an API token's report, end to end, as HTML, Markdown and an
SVG chart, for the public or one of its coalitions."""

from __future__ import annotations

import datetime as dt
import stat
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from schema.db import utcnow
from schema.tables.followup import ImplementationStatus
from schema.tables.organisations import Coalition
from security.keyring import load_keyring
from security.sharing import Visibility
from server.cli import app
from server.database import create_engine
from server.keys import open_platform_keys
from server.settings import Settings
from tests.accounts import make_user
from tests.conftest import run_sync
from tests.factories import (
    make_activity,
    make_assessment,
    make_coalition,
    make_organisation,
    make_recommendation,
    make_review,
)
from tests.principals import insert_token
from tests.server.reports.markup import parse_svg

runner = CliRunner()
COALITION = "Kenya UPR Coalition"


@dataclass
class Reporting:
    token: str  # the NGO's, with recommendations:read
    writer: str  # the NGO's, without it


async def _world(database_url: str, keys_file: Path) -> Reporting:
    """Kenya's review in cycle 3: one recommendation assessed by the NGO in public and,
    later, in its coalition; another only by the NGO itself; a held public workshop."""
    engine = create_engine(Settings(database_url=database_url))
    try:
        keys = await open_platform_keys(engine, load_keyring(keys_file))
        ngo = await make_organisation(
            engine, "Kenya Rights Network", vetted_partner=True, public_profile=True
        )
        partner = await make_organisation(engine, "Geneva Rights Watch", vetted_partner=True)
        coalition = await make_coalition(engine, ngo, [partner])
        async with engine.begin() as connection:
            await connection.execute(
                update(Coalition).where(Coalition.id == coalition).values(name=COALITION)
            )
        review = await make_review(engine, "KEN", 35, dt.date(2020, 1, 22))
        first = await make_recommendation(engine, review, themes=["detention"])
        second = await make_recommendation(engine, review, themes=["justice"])
        status = ImplementationStatus
        await make_assessment(engine, first, ngo, Visibility.PUBLIC, status=status.NOT_IMPLEMENTED)
        await make_assessment(
            engine,
            first,
            ngo,
            Visibility.COALITION,
            coalition,
            status=status.FULLY_IMPLEMENTED,
            assessed_on=dt.date(2026, 9, 1),
        )
        await make_assessment(engine, second, ngo, Visibility.ORGANISATION)
        await make_activity(engine, ngo, Visibility.PUBLIC, review=review)
        creator, _ = await make_user(engine, keys, ngo)
        _, token = await insert_token(engine, ngo, creator, "recommendations:read", utcnow())
        _, writer = await insert_token(engine, ngo, creator, "engagements:write", utcnow())
    finally:
        await engine.dispose()
    return Reporting(token, writer)


@pytest.fixture
def reporting(monkeypatch: pytest.MonkeyPatch, database_url: str, keys_file: Path) -> Reporting:
    for variable in ("UPRIGHT_ENV", "UPRIGHT_KEYS", "UPRIGHT_TOKEN"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("UPRIGHT_DATABASE_URL", database_url)
    monkeypatch.setenv("UPRIGHT_KEYS_FILE", str(keys_file))
    return run_sync(_world(database_url, keys_file))


def _report(*args: str, token: str | None = None, stdin: str = "") -> tuple[int, str, str]:
    """(exit code, standard output, everything printed)."""
    env = {"UPRIGHT_TOKEN": token} if token else {}
    result = runner.invoke(app, ["report", "midterm", *args], input=stdin, env=env)
    return result.exit_code, result.stdout, result.output


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_public_report(reporting: Reporting, tmp_path: Path) -> None:
    # When the NGO's token makes the public report of Kenya's review in cycle 3
    code, out, printed = _report(
        "--state", "KEN", "--cycle", "3", "--output-dir", str(tmp_path), token=reporting.token
    )
    # Then the three files are written, and named on standard output
    assert code == 0, printed
    stem = tmp_path / "midterm-KEN-cycle3-public"
    paths = [stem.with_suffix(suffix) for suffix in (".html", ".md", ".svg")]
    assert out.split() == [str(path) for path in paths]
    html, markdown, svg = (path.read_text(encoding="utf-8") for path in paths)
    # And they hold the public assessment, not the coalition's newer one nor the NGO's own
    assert "Not implemented (1 June 2026)" in html
    assert "Fully implemented (1 September 2026)" not in html
    assert "Partially implemented" not in markdown.split("## Recommendations")[1]
    assert "](<midterm-KEN-cycle3-public.svg>)" in markdown
    assert "Strategy workshop" in html
    parse_svg(svg)
    assert "<script" not in html + markdown + svg


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_coalition_report_from_standard_input(reporting: Reporting, tmp_path: Path) -> None:
    # When the token, piped in, makes its coalition's report
    code, out, printed = _report(
        "--state",
        "ken",
        "--cycle",
        "3",
        "--audience",
        f"coalition:{COALITION}",
        "--output-dir",
        str(tmp_path),
        stdin=reporting.token + "\n",
    )
    assert code == 0, printed
    html = Path(out.split()[0])
    # Then the coalition's newer assessment is the latest, and the files are the owner's
    assert html.name == "midterm-KEN-cycle3-coalition-kenya-upr-coalition.html"
    assert "Fully implemented (1 September 2026)" in html.read_text(encoding="utf-8")
    assert all(stat.S_IMODE(Path(p).stat().st_mode) == 0o600 for p in out.split())


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--audience", "partners"], "--audience is `public` or `coalition:NAME`"),
        (["--audience", "coalition:Nobody"], "no coalition of that name"),
        (["--state", "XXX"], "refused (BAD_USER_INPUT): Unknown state code."),
        (["--cycle", "4"], "KEN had no review in cycle 4"),
    ],
)
def test_refusals(reporting: Reporting, tmp_path: Path, args: list[str], message: str) -> None:
    output = tmp_path / "reports"
    base = {"--state": "KEN", "--cycle": "3", "--output-dir": str(output)}
    given = dict(zip(args[::2], args[1::2], strict=True))
    flat = [item for pair in {**base, **given}.items() for item in pair]
    code, _, printed = _report(*flat, token=reporting.token)
    assert (code, message in " ".join(printed.split())) == (2, True), printed
    assert not output.exists()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_tokens_are_checked(reporting: Reporting, tmp_path: Path) -> None:
    args = ("--state", "KEN", "--cycle", "3", "--output-dir", str(tmp_path))
    # No token at all, and one the platform does not know
    code, _, printed = _report(*args)
    assert (code, "no API token" in printed) == (2, True)
    code, _, printed = _report(*args, token="upr_t_" + "A" * 43)
    assert code == 2, printed
    # A token that may not read shared work sees no coalition, and makes the public
    # report only
    coalition = ("--audience", f"coalition:{COALITION}")
    code, _, printed = _report(*args, *coalition, token=reporting.writer)
    assert (code, "no coalition of that name" in printed) == (2, True)
    assert _report(*args, token=reporting.writer)[0] == 0
