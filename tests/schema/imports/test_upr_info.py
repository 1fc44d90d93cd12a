"""The UPR database CSV export, parsed without a database: every quirk of real files."""

from __future__ import annotations

from pathlib import Path

import pytest

from schema.imports.decoding import FileRefused
from schema.imports.keys import natural_key
from schema.imports.states import state_code
from schema.imports.upr_info import ParseResult, parse
from schema.tables.recommendations import Response

FIXTURES = Path(__file__).parents[2] / "fixtures" / "upr_info"
HEADER = "To,To-Rgrp,To-Org,Text,From,From-Rgrp,From-Org,Response,Action,Issue,Session"


def _parse(name: str, encoding: str | None = None) -> ParseResult:
    return parse(name, (FIXTURES / name).read_bytes(), encoding)


def _one(row: str) -> ParseResult:
    return parse("inline.csv", f"{HEADER}\n{row}\n".encode())


def test_good_file_merges_duplicates_and_unescapes_entities() -> None:
    # Given the export with entities, trailing spaces, multi-line theme cells and
    # the same text recommended by several states in separate rows
    result = _parse("good.csv")

    # Then every row is read, none rejected, duplicates merged with all their states
    assert (result.rows_read, len(result.recommendations), result.merged) == (14, 10, 4)
    assert result.rejected == []
    recs = {rec.text: rec for rec in result.recommendations.values()}
    opcat = recs["Ratify the Optional Protocol to the Convention against Torture (OP-CAT)."]
    assert opcat.state_code == "BOL"
    assert opcat.recommending_states == {"VEN", "CIV"}
    assert opcat.themes == {
        "torture-and-other-cid-treatment",
        "international-instruments",
        "detention",
    }
    assert opcat.rows == 3
    defenders = recs["Protect human rights defenders & journalists from reprisals"]
    assert defenders.themes == {"human-rights-defenders", "freedom-of-the-press"}
    assert (defenders.response, defenders.response_wording) == (Response.NOTED, "Not Supported")
    assert recs["Abolish the death penalty"].themes == {"death-penalty"}
    assert recs["Cooperate with treaty bodies"].recommending_states == {"RUS", "TUR"}


@pytest.mark.parametrize(
    ("text", "response", "wording", "action"),
    [
        ("Strengthen the national human rights institution", Response.SUPPORTED, "Accepted", None),
        ("Abolish the death penalty", Response.NOTED, "Noted", 5),
        (
            "Adopt a national plan of action on business and human rights",
            Response.SUPPORTED_IN_PART,
            "Supported in part",
            3,
        ),
        ("Invite special procedures", Response.SUPPORTED_IN_PART, "Partially accepted", 2),
        ("Guarantee freedom of the press", Response.PENDING, None, None),
        ("Release detained bloggers", Response.PENDING, "Pending", 2),
    ],
)
def test_responses_keep_their_wording(
    text: str, response: Response, wording: str | None, action: int | None
) -> None:
    rec = {r.text: r for r in _parse("good.csv").recommendations.values()}[text]
    assert (rec.response, rec.response_wording, rec.action_category) == (response, wording, action)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Bolivia (Plurinational State of)", "BOL"),
        ("Venezuela (Bolivarian Republic of)", "VEN"),
        ("Cote d'Ivoire", "CIV"),
        ("Côte d’Ivoire", "CIV"),
        ("CÔTE D'IVOIRE ", "CIV"),
        ("Democratic People's Republic of Korea", "PRK"),
        ("Holy See", "VAT"),
        ("State of Palestine", "PSE"),
        ("Turkiye", "TUR"),
        ("Türkiye", "TUR"),
        ("Turkey", "TUR"),
        ("United Kingdom of Great Britain and Northern Ireland", "GBR"),
        ("United States of America", "USA"),
        ("Iran (Islamic Republic of)", "IRN"),
        ("Republic of Moldova", "MDA"),
        ("Russian Federation", "RUS"),
        ("Syrian Arab Republic", "SYR"),
        ("United Republic of Tanzania", "TZA"),
        ("Viet Nam", "VNM"),
        ("Lao People's Democratic Republic", "LAO"),
        ("KEN", "KEN"),
    ],
)
def test_un_state_names(name: str, code: str) -> None:
    assert state_code(name) == code


def test_unknown_names_are_none() -> None:
    assert state_code("Atlantis") is None
    assert state_code("XYZ") is None
    assert state_code("") is None


def test_bad_rows_are_rejected_with_row_number_and_reason() -> None:
    # Given a file whose rows are each wrong in one way, and one good row
    result = _parse("bad_rows.csv")

    # Then the good row is parsed and every other is rejected with its reason
    assert [rec.text for rec in result.recommendations.values()] == ["Ensure access to water"]
    assert [(r.file, r.row, r.reason) for r in result.rejected] == [
        ("bad_rows.csv", 2, "unknown recommending state 'Atlantis'"),
        ("bad_rows.csv", 3, "unknown state under review 'Narnia'"),
        ("bad_rows.csv", 4, "action '6' is not a category from 1 to 5"),
        ("bad_rows.csv", 5, "action 'three' is not a category from 1 to 5"),
        ("bad_rows.csv", 6, "unknown theme 'Astrology'"),
        ("bad_rows.csv", 7, "unknown response 'Maybe'"),
        ("bad_rows.csv", 8, "session '99' is not a UPR session from 1 to 54"),
        ("bad_rows.csv", 9, "no recommendation text"),
    ]


def test_cp1252_is_refused_without_encoding() -> None:
    with pytest.raises(FileRefused, match=r"cp1252\.csv: not UTF-8 .*--encoding"):
        _parse("cp1252.csv")


def test_cp1252_with_encoding() -> None:
    result = _parse("cp1252.csv", encoding="cp1252")
    (rec,) = result.recommendations.values()
    assert rec.recommending_states == {"CIV"}


def test_unknown_encoding_name() -> None:
    with pytest.raises(FileRefused, match="unknown encoding 'klingon'"):
        _parse("good.csv", encoding="klingon")


def test_wrong_forced_encoding_is_refused_not_misread() -> None:
    with pytest.raises(FileRefused, match=r"utf16\.csv: not valid utf-8"):
        _parse("utf16.csv", encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "texts"),
    [
        (
            "cr_only.csv",
            [
                "Ensure access to housing",
                "Ensure inclusive education\nfor children with disabilities",
            ],
        ),
        ("bom_crlf.csv", ["Guarantee the right to health"]),
        ("utf16.csv", ["Combat racial discrimination"]),
    ],
)
def test_line_endings_and_boms(name: str, texts: list[str]) -> None:
    result = _parse(name)
    assert [rec.text for rec in result.recommendations.values()] == texts
    assert result.rejected == []


def test_cr_only_multiline_theme_cell() -> None:
    themes = [rec.themes for rec in _parse("cr_only.csv").recommendations.values()]
    assert themes[1] == {"right-to-education", "disabilities"}


def test_empty_file() -> None:
    with pytest.raises(FileRefused, match=r"empty\.csv: the file is empty"):
        _parse("empty.csv")


def test_wrong_columns_lists_the_missing() -> None:
    with pytest.raises(FileRefused, match=r"missing column\(s\) To, To-Rgrp, .*Session"):
        _parse("wrong_columns.csv")


def test_one_missing_column() -> None:
    header = HEADER.replace(",Action", "")
    with pytest.raises(FileRefused, match=r"missing column\(s\) Action \("):
        parse("x.csv", f"{header}\n".encode())


def test_blank_lines_are_skipped_and_row_numbers_stay() -> None:
    result = parse("x.csv", f"{HEADER}\n\nKenya,,,Do it,Mars,,,Supported,1,General,35\n".encode())
    assert [(r.row, r.reason) for r in result.rejected] == [
        (3, "unknown recommending state 'Mars'")
    ]


def test_files_merge_into_one_result() -> None:
    # Given the same recommendation in two files, from two states
    result = _one("Kenya,,,Do it.,Ghana,,,Supported,1,General,35")
    parse("b.csv", f"{HEADER}\nKenya,,,do  it,Togo,,,Supported,1,Other,35\n".encode(), into=result)

    # Then it is one recommendation with both states and both themes
    (rec,) = result.recommendations.values()
    assert rec.recommending_states == {"GHA", "TGO"}
    assert rec.themes == {"general", "other"}


def test_natural_key_normalisation() -> None:
    key = natural_key("UPR", "KEN", "35", text="Ratify the Convention &#40;CAT&#41;.")
    assert key == natural_key("UPR", "KEN", "35", text="  ratify THE   convention (CAT) ")
    assert key != natural_key("UPR", "KEN", "36", text="Ratify the Convention (CAT)")
    assert len(key) == 64
