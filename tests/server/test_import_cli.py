"""`upright import upr-info`: real files into both databases, idempotent and audited."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from typer.testing import CliRunner

from schema.imports.upr_info import parse
from schema.tables.audit import AuditEvent
from schema.tables.recommendations import (
    Recommendation,
    recommendation_affected_persons,
    recommendation_sdg_goals,
    recommendation_sdg_targets,
    recommendation_source_themes,
    recommendation_themes,
    recommending_states,
)
from schema.tables.reviews import Review
from server.cli import app
from server.database import create_engine
from server.importing import WriteCounts, write_recommendations
from server.settings import Settings
from tests.conftest import run_sync

FIXTURES = Path(__file__).parents[1] / "fixtures" / "upr_info"
UHRI = Path(__file__).parents[1] / "fixtures" / "uhri"
runner = CliRunner()
HEADER = "To,To-Rgrp,To-Org,Text,From,From-Rgrp,From-Org,Response,Action,Issue,Session"


def _invoke(
    monkeypatch: pytest.MonkeyPatch, database_url: str, *args: str, kind: str = "upr-info"
) -> tuple[int, str]:
    monkeypatch.setenv("UPRIGHT_DATABASE_URL", database_url)
    for variable in ("UPRIGHT_ENV", "UPRIGHT_KEYS_FILE", "UPRIGHT_PORT"):
        monkeypatch.delenv(variable, raising=False)
    result = runner.invoke(app, ["import", kind, *args])
    return result.exit_code, result.output


def _fixture(name: str) -> str:
    return str(FIXTURES / name)


def _counts(database_url: str) -> dict[str, int]:
    async def count() -> dict[str, int]:
        engine = create_engine(Settings(database_url=database_url))
        try:
            async with engine.connect() as connection:
                return {
                    name: (
                        await connection.execute(select(func.count()).select_from(table))
                    ).scalar_one()
                    for name, table in (
                        ("recommendations", Recommendation.__table__),
                        ("states", recommending_states),
                        ("themes", recommendation_themes),
                        ("reviews", Review.__table__),
                        ("source themes", recommendation_source_themes),
                        ("affected persons", recommendation_affected_persons),
                        ("sdg goals", recommendation_sdg_goals),
                        ("sdg targets", recommendation_sdg_targets),
                    )
                }
        finally:
            await engine.dispose()

    return run_sync(count())


def _query(database_url: str, statement: Any) -> list[Any]:
    async def run() -> list[Any]:
        engine = create_engine(Settings(database_url=database_url))
        try:
            async with engine.connect() as connection:
                return list((await connection.execute(statement)).all())
        finally:
            await engine.dispose()

    return run_sync(run())


def _imports(database_url: str, action: str = "import.upr_info") -> list[Any]:
    table = AuditEvent.__table__
    return _query(
        database_url,
        select(table.c.details).where(table.c.action == action).order_by(table.c.sequence),
    )


def test_import_then_rerun_adds_nothing(monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    # Given a migrated database
    before = _counts(database_url)

    # When the good file is imported
    code, output = _invoke(monkeypatch, database_url, _fixture("good.csv"), "--operator", "ops")

    # Then its 10 recommendations are there, merged rows with all their states
    assert code == 0, output
    after = _counts(database_url)
    assert after["recommendations"] - before["recommendations"] == 10
    assert after["states"] - before["states"] == 12
    assert "rows read" in output
    table = Recommendation.__table__
    (row,) = _query(
        database_url,
        select(
            table.c.id, table.c.response_wording, table.c.search_tokens, table.c.review_id
        ).where(table.c.text == "Protect human rights defenders & journalists from reprisals"),
    )
    assert row.response_wording == "Not Supported"
    assert "defend" in row.search_tokens.split()
    (review,) = _query(
        database_url,
        select(Review.__table__.c.state_code, Review.__table__.c.session_number).where(
            Review.__table__.c.id == row.review_id
        ),
    )
    assert tuple(review) == ("KEN", 35)

    # And the run is in the platform audit chain, without row content
    (details,) = _imports(database_url)
    assert details[0]["status"] == "completed"
    assert details[0]["operator"] == "ops"
    assert details[0]["files"] == ["good.csv"]
    assert (details[0]["new"], details[0]["merged"], details[0]["rejected"]) == (10, 4, 0)
    assert "reprisals" not in str(details[0])

    # When it is imported again
    code, output = _invoke(monkeypatch, database_url, _fixture("good.csv"))

    # Then nothing is added
    assert code == 0, output
    assert _counts(database_url) == after
    assert _imports(database_url)[1][0]["already_present"] == 10


def test_a_known_recommendation_gains_new_states(
    monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path
) -> None:
    header = HEADER + "\n"
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text(header + "Kenya,,,Do it.,Ghana,,,Supported,1,General,35\n")
    second.write_text(header + "Kenya,,,do it,Togo,,,Supported,1,Other,35\n")
    assert _invoke(monkeypatch, database_url, str(first))[0] == 0
    before = _counts(database_url)

    code, output = _invoke(monkeypatch, database_url, str(second))

    assert code == 0, output
    after = _counts(database_url)
    assert after["recommendations"] == before["recommendations"]
    assert (after["states"], after["themes"]) == (before["states"] + 1, before["themes"] + 1)


def test_rejected_rows_are_reported_and_the_rest_imported(
    monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path
) -> None:
    before = _counts(database_url)
    report = tmp_path / "rejected.csv"

    code, output = _invoke(
        monkeypatch, database_url, _fixture("bad_rows.csv"), "--report", str(report)
    )

    assert code == 0, output
    assert "rejected bad_rows.csv row 2: unknown recommending state 'Atlantis'" in output
    assert "rejected bad_rows.csv row 4: action '6' is not a category from 1 to 5" in output
    assert _counts(database_url)["recommendations"] == before["recommendations"] + 1
    rows = list(csv.reader(report.read_text(encoding="utf-8").splitlines()))
    assert rows[0] == ["file", "row", "reason"]
    assert rows[1] == ["bad_rows.csv", "2", "unknown recommending state 'Atlantis'"]
    assert len(rows) == 9


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("cp1252.csv", "cp1252.csv: not UTF-8 (byte 0xf4 at offset 145); name its encoding"),
        ("empty.csv", "empty.csv: the file is empty"),
        ("wrong_columns.csv", "wrong_columns.csv: not a UPR database export: missing column(s) To"),
    ],
)
def test_refused_files_import_nothing(
    monkeypatch: pytest.MonkeyPatch, database_url: str, name: str, message: str
) -> None:
    # Given a good file and a refused one in the same run
    before = _counts(database_url)

    code, output = _invoke(monkeypatch, database_url, _fixture("good.csv"), _fixture(name))

    # Then the run stops with a clear message and writes nothing at all
    assert code == 2
    error = output.strip().splitlines()[-1]
    assert error.startswith(f"error: {message}")
    assert error.endswith("; nothing imported")
    assert "Traceback" not in output
    assert _counts(database_url) == before
    assert _imports(database_url) == []


def test_cp1252_with_encoding(monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    code, output = _invoke(
        monkeypatch, database_url, _fixture("cp1252.csv"), "--encoding", "cp1252"
    )
    assert code == 0, output
    table = Recommendation.__table__
    ids = _query(
        database_url,
        select(table.c.id).where(table.c.text.like("Protect the right to food%")),
    )
    assert len(ids) == 1
    states = _query(
        database_url,
        select(recommending_states.c.state_code).where(
            recommending_states.c.recommendation_id == ids[0].id
        ),
    )
    assert [s.state_code for s in states] == ["CIV"]


def test_unknown_encoding(monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    code, output = _invoke(monkeypatch, database_url, _fixture("good.csv"), "--encoding", "nope")
    assert code == 2
    assert output.startswith("error: unknown encoding 'nope'")


def test_dry_run_writes_nothing(monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    before = _counts(database_url)

    code, output = _invoke(
        monkeypatch,
        database_url,
        "--dry-run",
        _fixture("good.csv"),
        _fixture("cr_only.csv"),
        _fixture("utf16.csv"),
        _fixture("bom_crlf.csv"),
    )

    assert code == 0, output
    assert "dry run: nothing written" in output
    assert _counts(database_url) == before
    assert _imports(database_url) == []


def test_missing_file(monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path) -> None:
    code, output = _invoke(monkeypatch, database_url, str(tmp_path / "nope.csv"))
    assert code == 2
    assert "cannot read" in output
    assert "nope.csv" in output


async def test_a_failing_batch_leaves_no_half_written_recommendation(
    engine: AsyncEngine,
) -> None:
    # Given two batches, the second with a theme the database does not know
    good = parse("a.csv", f"{HEADER}\nKenya,,,First,Ghana,,,Supported,1,General,35\n".encode())
    bad = parse("b.csv", f"{HEADER}\nKenya,,,Second,Ghana,,,Supported,1,General,35\n".encode())
    (second,) = bad.recommendations.values()
    second.themes.add("no-such-theme")
    counts = WriteCounts()

    # When they are written
    with pytest.raises(IntegrityError):
        await write_recommendations(
            engine,
            [*good.recommendations.values(), second],
            batch_size=1,
            counts=counts,
        )

    # Then the first batch is committed and nothing of the second was written
    assert (counts.new, counts.already_present) == (1, 0)
    table = Recommendation.__table__
    async with engine.connect() as connection:
        texts = (await connection.execute(select(table.c.text))).scalars().all()
    assert "First" in texts
    assert "Second" not in texts


def _uhri(name: str) -> str:
    return str(UHRI / name)


def _recommendation(database_url: str, text: str) -> Any:
    table = Recommendation.__table__
    (row,) = _query(database_url, select(table).where(table.c.text == text))
    return row


def _tags(database_url: str, table: Any, column: str, recommendation_id: Any) -> set[Any]:
    rows = _query(
        database_url,
        select(table.c[column]).where(table.c.recommendation_id == recommendation_id),
    )
    return {row[0] for row in rows}


def test_uhri_import_merges_with_upr_info_and_rerun_adds_nothing(
    monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    # Given the UPR database export imported first
    assert _invoke(monkeypatch, database_url, _fixture("good.csv"))[0] == 0
    before = _counts(database_url)

    # When the UHRI export holding two of its recommendations is imported
    code, output = _invoke(
        monkeypatch, database_url, _uhri("good.csv"), "--operator", "ops", kind="uhri"
    )

    # Then those two gain UHRI's states and themes, and the five others are new
    assert code == 0, output
    assert "uhri import" in output
    after = _counts(database_url)
    assert after["recommendations"] - before["recommendations"] == 5
    opcat = _recommendation(
        database_url, "Ratify the Optional Protocol to the Convention against Torture (OP-CAT)."
    )
    assert _tags(database_url, recommending_states, "state_code", opcat.id) == {
        "VEN", "CIV", "DNK", "GHA",
    }  # fmt: skip
    assert _tags(database_url, recommendation_themes, "theme_code", opcat.id) == {
        "torture-and-other-cid-treatment", "international-instruments", "detention",
    }  # fmt: skip
    assert _tags(database_url, recommendation_source_themes, "name", opcat.id) == {
        "Prohibition of torture and cruel, inhuman or degrading treatment",
        "Acceptance of international norms",
    }
    assert _tags(database_url, recommendation_sdg_targets, "target_code", opcat.id) == {"16.a"}

    # And treaty-body and special-procedure recommendations have no review
    births = _recommendation(database_url, "Strengthen birth registration in rural areas")
    assert (births.mechanism, births.state_code, births.review_id) == ("TREATY_BODY", "KEN", None)
    assert births.document_symbol == "CRC/C/KEN/CO/3-5"
    assert births.recommending_body == "Committee on the Rights of the Child"
    assert births.response is None
    assert "registr" in births.search_tokens.split()
    affected = _tags(
        database_url, recommendation_affected_persons, "affected_person_code", births.id
    )
    assert affected == {"children", "persons-living-in-rural-areas"}
    assert _tags(database_url, recommendation_sdg_goals, "goal_number", births.id) == {16}
    assert _tags(database_url, recommendation_source_themes, "name", births.id) == {
        "Rights of the child", "Birth registration",
    }  # fmt: skip
    table = Recommendation.__table__
    land = _query(
        database_url,
        select(table.c.state_code, table.c.mechanism).where(
            table.c.text == "Recognise the collective land rights of indigenous peoples"
        ),
    )
    assert sorted(tuple(row) for row in land) == [
        ("BOL", "SPECIAL_PROCEDURE"), ("PER", "SPECIAL_PROCEDURE"),
    ]  # fmt: skip

    # And the run is audited as a UHRI import
    (details,) = _imports(database_url, "import.uhri")
    assert details[0]["operator"] == "ops"
    assert (details[0]["new"], details[0]["already_present"], details[0]["merged"]) == (5, 2, 2)

    # When it is imported again, also through the UPR database export
    code, output = _invoke(monkeypatch, database_url, _uhri("good.csv"), kind="uhri")
    assert code == 0, output
    assert _invoke(monkeypatch, database_url, _fixture("good.csv"))[0] == 0

    # Then nothing is added
    assert _counts(database_url) == after
    assert _imports(database_url, "import.uhri")[1][0]["already_present"] == 7


def test_uhri_xlsx(monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path) -> None:
    # Given a workbook (generated here rather than committed as a binary)
    from tests.schema.imports.test_uhri import xlsx

    path = tmp_path / "uhri export.xlsx"
    path.write_bytes(
        xlsx(
            [
                [
                    "Combat trafficking in persons", "- Kenya", "UPR", "A/HRC/44/9",
                    "- Trafficking in persons", "- women & girls", "- 5.2", None, "- Ghana",
                    "Supported", "Recommendation", "x1", 35, None, None,
                ]
            ]
        )
    )  # fmt: skip
    before = _counts(database_url)

    code, output = _invoke(monkeypatch, database_url, str(path), kind="uhri")

    assert code == 0, output
    rec = _recommendation(database_url, "Combat trafficking in persons")
    assert rec.review_id is not None
    assert _tags(database_url, recommendation_themes, "theme_code", rec.id) == {"trafficking"}
    after = _counts(database_url)
    assert after["recommendations"] == before["recommendations"] + 1
    assert (after["affected persons"], after["sdg targets"]) == (
        before["affected persons"] + 1,
        before["sdg targets"] + 1,
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("cp1252.csv", "cp1252.csv: not UTF-8"),
        ("empty.csv", "empty.csv: the file is empty"),
        (
            "wrong_columns.csv",
            "wrong_columns.csv: not a UHRI export: missing column(s) Countries Concerned",
        ),
    ],
)
def test_uhri_refused_files_import_nothing(
    monkeypatch: pytest.MonkeyPatch, database_url: str, name: str, message: str
) -> None:
    before = _counts(database_url)

    code, output = _invoke(monkeypatch, database_url, _uhri("good.csv"), _uhri(name), kind="uhri")

    assert code == 2
    error = output.strip().splitlines()[-1]
    assert error.startswith(f"error: {message}")
    assert error.endswith("; nothing imported")
    assert _counts(database_url) == before
    assert _imports(database_url, "import.uhri") == []


def test_uhri_rejected_rows_report_and_dry_run(
    monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path
) -> None:
    before = _counts(database_url)
    report = tmp_path / "rejected.csv"

    code, output = _invoke(
        monkeypatch,
        database_url,
        "--dry-run",
        "--report",
        str(report),
        _uhri("bad_rows.csv"),
        _uhri("cr_only.csv"),
        kind="uhri",
    )

    assert code == 0, output
    assert "dry run: nothing written" in output
    assert "rejected bad_rows.csv row 5: unknown recommending body 'Security Council'" in output
    assert _counts(database_url) == before
    rows = list(csv.reader(report.read_text(encoding="utf-8").splitlines()))
    assert len(rows) == 9
    assert rows[1] == ["bad_rows.csv", "2", "unknown country concerned 'Atlantis'"]

    code, output = _invoke(
        monkeypatch, database_url, _uhri("cp1252.csv"), "--encoding", "cp1252", kind="uhri"
    )
    assert code == 0, output
    assert _counts(database_url)["recommendations"] == before["recommendations"] + 1
