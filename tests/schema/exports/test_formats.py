"""CSV and JSON shapes of an export page."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import uuid

import orjson

from schema.exports.formats import COLUMNS, to_csv, to_json
from schema.exports.rows import ExportedRecommendation, LatestAssessment

ROW = ExportedRecommendation(
    key=uuid.UUID(int=1),
    id="UmVjb21tZW5kYXRpb246MQ",
    state="KEN",
    state_name="Kenya",
    session=48,
    cycle=4,
    mechanism="UPR",
    document_symbol=None,
    paragraph="119.45",
    text='Ratify the "Optional Protocol",\nwithout delay',
    response="SUPPORTED",
    response_wording="Supported",
    action_category=5,
    themes=["human-rights-defenders", "women"],
    recommending_states=["FRA", "NOR"],
    latest_assessments=[
        LatestAssessment("Kenya Rights Network", "NOT_IMPLEMENTED", dt.date(2026, 1, 10), "PUBLIC"),
        LatestAssessment(None, "UNKNOWN", dt.date(2025, 3, 1), "PARTNERS"),
    ],
)


def _records(content: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content)))


def test_csv_is_one_row_per_recommendation_with_flattened_lists() -> None:
    # When a page is written as CSV
    content = to_csv([ROW], contacts=False)
    # Then it has the header and one record, lists joined with "; "
    (record,) = _records(content)
    assert list(record) == list(COLUMNS)
    assert record["text"] == ROW.text
    assert record["document_symbol"] == ""
    assert record["themes"] == "human-rights-defenders; women"
    assert record["latest_assessments"] == (
        "Kenya Rights Network: NOT_IMPLEMENTED (2026-01-10, PUBLIC); "
        "(not listed): UNKNOWN (2025-03-01, PARTNERS)"
    )
    # And an empty page is the header alone
    assert to_csv([], contacts=False) == ",".join(COLUMNS) + "\r\n"


def test_csv_never_hands_a_spreadsheet_a_formula() -> None:
    # Given text and names a spreadsheet would run as formulas
    row = dataclasses.replace(
        ROW, text='=HYPERLINK("http://evil.example","click")', contacts=["HRD-AAAA-BBBB"]
    )
    # When it is written as CSV
    (record,) = _records(to_csv([row], contacts=True))
    # Then the cell starts with an apostrophe, and the contacts have their column
    assert record["text"].startswith("'=HYPERLINK")
    assert record["contacts"] == "HRD-AAAA-BBBB"


def test_json_is_an_array_of_nested_objects() -> None:
    # When a page is written as JSON, without and with contacts
    (item,) = orjson.loads(to_json([ROW], contacts=False))
    (with_contacts,) = orjson.loads(to_json([ROW], contacts=True))
    # Then values are unchanged and assessments nested; contacts only when included
    assert item["text"] == ROW.text
    assert item["recommendingStates"] == ["FRA", "NOR"]
    assert item["latestAssessments"][1] == {
        "organisation": None,
        "status": "UNKNOWN",
        "assessedOn": "2025-03-01",
        "visibility": "PARTNERS",
    }
    assert "contacts" not in item
    assert with_contacts["contacts"] == []
    assert orjson.loads(to_json([], contacts=False)) == []
