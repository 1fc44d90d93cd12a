"""An export page as a file: CSV for spreadsheets, JSON for programs.

CSV has one row per recommendation; lists are joined with "; ", and each
organisation's latest assessment reads `Name: STATUS (assessed on, visibility)` (an
organisation the reader's directory does not list is "(not listed)"). Every page
carries the header, so each stands alone; the CLI writes it once. Cells that a
spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return)
get a leading apostrophe (OWASP "CSV injection"): recommendation texts and
organisation names come from outside. JSON is an array of nested objects, the values
unchanged.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

import orjson

from schema.exports.rows import ExportedRecommendation, LatestAssessment

COLUMNS = (
    "id",
    "state",
    "state_name",
    "session",
    "cycle",
    "mechanism",
    "document_symbol",
    "paragraph",
    "text",
    "response",
    "response_wording",
    "action_category",
    "themes",
    "recommending_states",
    "latest_assessments",
)
CONTACTS_COLUMN = "contacts"
NOT_LISTED = "(not listed)"
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def to_csv(rows: Sequence[ExportedRecommendation], contacts: bool) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow((*COLUMNS, CONTACTS_COLUMN) if contacts else COLUMNS)
    for row in rows:
        cells: list[Any] = [
            row.id,
            row.state,
            row.state_name,
            row.session,
            row.cycle,
            row.mechanism,
            row.document_symbol,
            row.paragraph,
            row.text,
            row.response,
            row.response_wording,
            row.action_category,
            "; ".join(row.themes),
            "; ".join(row.recommending_states),
            "; ".join(_assessment_cell(a) for a in row.latest_assessments),
        ]
        if contacts:
            cells.append("; ".join(row.contacts or []))
        writer.writerow([_cell(value) for value in cells])
    return out.getvalue()


def _assessment_cell(assessment: LatestAssessment) -> str:
    name = assessment.organisation or NOT_LISTED
    when = assessment.assessed_on.isoformat()
    return f"{name}: {assessment.status} ({when}, {assessment.visibility})"


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return "" if value is None else value


def to_json(rows: Sequence[ExportedRecommendation], contacts: bool) -> str:
    return orjson.dumps([_object(row, contacts) for row in rows]).decode()


def _object(row: ExportedRecommendation, contacts: bool) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": row.id,
        "state": row.state,
        "stateName": row.state_name,
        "session": row.session,
        "cycle": row.cycle,
        "mechanism": row.mechanism,
        "documentSymbol": row.document_symbol,
        "paragraph": row.paragraph,
        "text": row.text,
        "response": row.response,
        "responseWording": row.response_wording,
        "actionCategory": row.action_category,
        "themes": row.themes,
        "recommendingStates": row.recommending_states,
        "latestAssessments": [
            {
                "organisation": a.organisation,
                "status": a.status,
                "assessedOn": a.assessed_on.isoformat(),
                "visibility": a.visibility,
            }
            for a in row.latest_assessments
        ],
    }
    if contacts:
        item["contacts"] = row.contacts or []
    return item
