"""OHCHR's Universal Human Rights Index export, parsed without a database: UPR,
treaty-body and special-procedure rows, CSV and XLSX, every quirk of real files."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import Workbook

from schema.imports.decoding import FileRefused
from schema.imports.parsed import ParsedRecommendation, ParseResult
from schema.imports.uhri import COLUMNS, parse
from schema.imports.uhri_vocabulary import THEME_MAP, mechanism, sdgs, theme
from schema.imports.upr_info import parse as parse_upr_info
from schema.reference.vocabularies import THEMES
from schema.tables.recommendations import Mechanism, Response

FIXTURES = Path(__file__).parents[2] / "fixtures"
OPCAT = "Ratify the Optional Protocol to the Convention against Torture (OP-CAT)"
BIRTHS = "Strengthen birth registration in rural areas"


def _parse(name: str, encoding: str | None = None) -> ParseResult:
    return parse(name, (FIXTURES / "uhri" / name).read_bytes(), encoding)


def _by_text(result: ParseResult) -> dict[str, list[ParsedRecommendation]]:
    found: dict[str, list[ParsedRecommendation]] = {}
    for rec in result.recommendations.values():
        found.setdefault(rec.text, []).append(rec)
    return found


def xlsx(rows: list[list[object]]) -> bytes:
    """A workbook as OHCHR's site exports it: the header row, then one row each."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _row(**cells: object) -> list[object]:
    return [cells.get(column.replace(" ", "_").lower()) for column in COLUMNS]


def test_good_file() -> None:
    # Given an export with entities, trailing spaces, `- item` cells, a duplicate row
    # and rows of all three mechanisms
    result = _parse("good.csv")

    # Then every row is read and none rejected; duplicates merged
    assert result.rejected == []
    assert (result.rows_read, len(result.recommendations), result.merged) == (8, 7, 2)
    recs = _by_text(result)
    (opcat,) = recs[f"{OPCAT}"]
    assert (opcat.mechanism, opcat.state_code, opcat.session) == (Mechanism.UPR, "BOL", 34)
    assert opcat.recommending_states == {"DNK", "CIV", "GHA"}
    assert (opcat.response, opcat.response_wording) == (Response.SUPPORTED, "Supported")
    assert opcat.document_symbol == "A/HRC/43/7"
    assert opcat.recommending_body is None
    assert opcat.rows == 2
    assert opcat.themes == {"torture-and-other-cid-treatment", "international-instruments"}
    assert opcat.source_themes == {
        "Prohibition of torture and cruel, inhuman or degrading treatment",
        "Acceptance of international norms",
    }
    assert opcat.affected_persons == {"persons-deprived-of-their-liberty"}
    assert (opcat.sdg_goals, opcat.sdg_targets) == ({16}, {"16.a"})


def test_not_supported_is_noted_with_its_wording_and_unmapped_themes_are_kept() -> None:
    (rec,) = _by_text(_parse("good.csv"))[
        "Protect human rights defenders & journalists from reprisals"
    ]
    assert (rec.response, rec.response_wording) == (Response.NOTED, "Not Supported")
    assert rec.source_themes == {"Human rights defenders", "Business & human rights"}
    assert rec.themes == {"human-rights-defenders"}
    assert rec.affected_persons == {"human-rights-defenders", "media"}
    assert (rec.sdg_goals, rec.sdg_targets) == ({16}, {"16.10"})


def test_treaty_body_rows_have_a_document_and_no_review() -> None:
    (births,) = _by_text(_parse("good.csv"))[BIRTHS]
    assert births.mechanism is Mechanism.TREATY_BODY
    assert (births.state_code, births.session) == ("KEN", None)
    assert births.document_symbol == "CRC/C/KEN/CO/3-5"
    assert births.recommending_body == "Committee on the Rights of the Child"
    assert (births.response, births.response_wording) == (None, None)
    assert births.recommending_states == set()
    assert births.rows == 2  # the duplicate row
    assert births.themes == {"rights-of-the-child"}
    assert births.source_themes == {"Rights of the child", "Birth registration"}
    # "Aliens" is no affected person of our list: not tagged, not rejected
    assert births.affected_persons == {"children", "persons-living-in-rural-areas"}
    assert (births.sdg_goals, births.sdg_targets) == ({16}, {"16.9"})
    (ccpr,) = _by_text(_parse("good.csv"))["Abolish the death penalty"]
    assert (ccpr.mechanism, ccpr.state_code) == (Mechanism.TREATY_BODY, "TZA")


def test_a_special_procedure_row_on_several_states_is_one_recommendation_each() -> None:
    result = _parse("good.csv")
    recs = _by_text(result)["Recognise the collective land rights of indigenous peoples"]
    assert sorted(rec.state_code for rec in recs) == ["BOL", "PER"]
    assert {rec.mechanism for rec in recs} == {Mechanism.SPECIAL_PROCEDURE}
    assert len({rec.natural_key for rec in recs}) == 2
    assert sorted(rec.rows for rec in recs) == [0, 1]  # still one row read
    assert all(rec.themes == {"indigenous-peoples", "right-to-land"} for rec in recs)
    assert all((rec.sdg_goals, rec.sdg_targets) == ({1, 2}, {"2.3"}) for rec in recs)
    (group,) = _by_text(result)["Adopt a general law on enforced disappearances"]
    assert group.mechanism is Mechanism.SPECIAL_PROCEDURE


def test_the_same_upr_recommendation_in_both_exports_has_one_key() -> None:
    # Given the OP-CAT recommendation in the UPR database export and in UHRI's
    result = parse_upr_info("good.csv", (FIXTURES / "upr_info" / "good.csv").read_bytes())
    parse("uhri.csv", (FIXTURES / "uhri" / "good.csv").read_bytes(), into=result)

    # Then it is one recommendation with every state and theme of both
    (opcat,) = [rec for rec in result.recommendations.values() if rec.text.startswith("Ratify")]
    assert opcat.recommending_states == {"VEN", "CIV", "DNK", "GHA"}
    assert opcat.themes == {
        "torture-and-other-cid-treatment",
        "international-instruments",
        "detention",
    }
    assert opcat.rows == 5
    (defenders,) = [rec for rec in result.recommendations.values() if "reprisals" in rec.text]
    assert defenders.recommending_states == {"PRK", "NOR"}


def test_bad_rows_are_rejected_with_row_number_and_reason() -> None:
    result = _parse("bad_rows.csv")
    assert [rec.text for rec in result.recommendations.values()] == ["Ensure access to water"]
    assert [(r.file, r.row, r.reason) for r in result.rejected] == [
        ("bad_rows.csv", 2, "unknown country concerned 'Atlantis'"),
        ("bad_rows.csv", 3, "UPR session '99' is not a session from 1 to 54"),
        ("bad_rows.csv", 4, "no recommendation text"),
        ("bad_rows.csv", 5, "unknown recommending body 'Security Council'"),
        ("bad_rows.csv", 6, "a UPR recommendation concerns one state, this row names several"),
        (
            "bad_rows.csv",
            7,
            "no document symbol (a treaty-body or special-procedure row needs it)",
        ),
        ("bad_rows.csv", 8, "unknown recommending state 'Narnia'"),
        ("bad_rows.csv", 9, "unknown response 'Maybe'"),
    ]


def test_cp1252_is_refused_without_encoding_and_read_with_it() -> None:
    with pytest.raises(FileRefused, match=r"cp1252\.csv: not UTF-8 .*--encoding"):
        _parse("cp1252.csv")
    (rec,) = _parse("cp1252.csv", encoding="cp1252").recommendations.values()
    assert rec.recommending_states == {"CIV"}
    assert rec.sdg_goals == {2}


def test_cr_only_lines_and_multi_line_cells() -> None:
    result = _parse("cr_only.csv")
    assert result.rejected == []
    housing, education = result.recommendations.values()
    assert housing.themes == {"right-to-housing"}
    assert education.text == "Ensure inclusive education\nfor children with disabilities"
    assert education.mechanism is Mechanism.TREATY_BODY
    assert education.themes == {"right-to-education", "disabilities"}
    assert education.affected_persons == {"persons-with-disabilities", "children"}


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.csv", r"empty\.csv: the file is empty"),
        (
            "wrong_columns.csv",
            r"wrong_columns\.csv: not a UHRI export: missing column\(s\) Countries Concerned, ",
        ),
    ],
)
def test_refused_files(name: str, message: str) -> None:
    with pytest.raises(FileRefused, match=message):
        _parse(name)


def test_a_refused_file_adds_nothing_to_a_run() -> None:
    result = _parse("good.csv")
    before = (result.rows_read, len(result.recommendations))
    with pytest.raises(FileRefused):
        parse("empty.csv", b"", into=result)
    assert (result.rows_read, len(result.recommendations)) == before


def test_xlsx_with_numbers_dates_and_blank_rows() -> None:
    # Given a workbook whose session is a number and whose date is a date, as a
    # spreadsheet holds them, with a blank row in between
    data = xlsx(
        [
            _row(
                text="Protect human rights defenders &amp; journalists from reprisals ",
                countries_concerned="- Kenya",
                reccomending_body="UPR",
                themes="- Human rights defenders\r\n- Freedom of the press",
                upr_reccomending_states="- Norway\n- Togo",
                upr_position="Supported",
                upr_session=35,
                document_publication_date=dt.datetime(2020, 3, 25),
            ),
            [],
            _row(text="Combat torture", countries_concerned="- Narnia", reccomending_body="UPR"),
        ]
    )

    # When it is parsed, named like any download ("export" without an extension)
    result = parse("export", data)

    # Then it reads like the CSV, row numbers being sheet rows
    (rec,) = result.recommendations.values()
    assert rec.text == "Protect human rights defenders & journalists from reprisals"
    assert (rec.session, rec.recommending_states) == (35, {"NOR", "TGO"})
    assert rec.themes == {"human-rights-defenders", "freedom-of-the-press"}
    assert [(r.row, r.reason) for r in result.rejected] == [
        (4, "unknown country concerned 'Narnia'")
    ]


def test_xlsx_by_extension_that_is_not_a_workbook_is_refused() -> None:
    with pytest.raises(FileRefused, match=r"broken\.xlsx: not a readable XLSX workbook"):
        parse("broken.xlsx", b"Text,Countries Concerned\n")


def test_xlsx_with_wrong_columns_is_refused() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["State", "Recommendation"])
    out = io.BytesIO()
    workbook.save(out)
    with pytest.raises(FileRefused, match=r"missing column\(s\) Text, "):
        parse("other.xlsx", out.getvalue())


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("UPR", Mechanism.UPR),
        ("Universal Periodic Review", Mechanism.UPR),
        ("Human Rights Committee", Mechanism.TREATY_BODY),
        ("Committee against Torture", Mechanism.TREATY_BODY),
        ("Committee on the Elimination of Discrimination against Women", Mechanism.TREATY_BODY),
        ("Subcommittee on Prevention of Torture", Mechanism.TREATY_BODY),
        ("CEDAW", Mechanism.TREATY_BODY),
        ("Special Rapporteur on the right to food", Mechanism.SPECIAL_PROCEDURE),
        ("Working Group on Arbitrary Detention", Mechanism.SPECIAL_PROCEDURE),
        (
            "Independent Expert on sexual orientation and gender identity",
            Mechanism.SPECIAL_PROCEDURE,
        ),
        ("Security Council", None),
        ("Committee", None),
    ],
)
def test_recommending_bodies(body: str, expected: Mechanism | None) -> None:
    assert mechanism(body) is expected


@pytest.mark.parametrize(
    ("published", "ours"),
    [
        # As OHCHR's thematic lists of UPR recommendations print them
        ("Ratification of & accession to international instruments", "international-instruments"),
        (
            "Economic, social & cultural rights - general measures of implementation",
            "esc-rights-general",
        ),
        ("Right to work and to just & favorable conditions of work & labour rights", "labour"),
        ("Prohibition of slavery, trafficking", "trafficking"),
        ("ENFORCED DISAPPEARANCES", "enforced-disappearances"),
        ("Business & human rights", None),
    ],
)  # fmt: skip
def test_ohchr_themes(published: str, ours: str | None) -> None:
    assert theme(published) == ours


def test_every_mapped_theme_is_one_of_ours() -> None:
    assert set(THEME_MAP.values()) <= set(THEMES)
    assert theme("D25 Prohibition of torture and cruel, inhuman or degrading treatment") == (
        "torture-and-other-cid-treatment"
    )
    assert theme("Women's rights") == "womens-rights"
    assert theme("Business and human rights") is None


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ("16 - Peace, justice and strong institutions", (16, None)),
        ("16 - PEACE, JUSTICE AND STRONG INSTITUTIONS", (16, None)),
        ("16.3 - Promote the rule of law", (16, "16.3")),
        ("16.a", (16, "16.a")),
        ("Goal 5", (5, None)),
        ("17.19", (17, "17.19")),
        ("16.11", (16, None)),
        ("18 - Not a goal", (None, None)),
        ("Peace", (None, None)),
    ],
)
def test_sdg_items(item: str, expected: tuple[int | None, str | None]) -> None:
    assert sdgs(item) == expected


def test_values_that_would_blur_the_natural_key_or_overflow_are_rejected() -> None:
    data = xlsx(
        [
            _row(
                text="Ratify the Convention",
                countries_concerned="Kenya",
                reccomending_body="Committee on the Rights of the Child",
                document_symbol="CRC/C/KEN|CO/3",
            ),
            _row(
                text="Ratify the Convention",
                countries_concerned="Kenya",
                reccomending_body="Committee on the Rights of the Child",
                document_symbol="CRC/C/KEN/CO/3",
                themes="- " + "x" * 201,
            ),
        ]
    )
    result = parse("keys.xlsx", data)
    assert result.recommendations == {}
    assert [r.reason for r in result.rejected] == [
        "document symbol 'CRC/C/KEN|CO/3' holds a '|'",
        "a theme longer than 200 characters",
    ]
