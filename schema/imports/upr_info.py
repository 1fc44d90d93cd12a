"""The classic public UPR database CSV export, parsed into recommendations.

Columns `To, To-Rgrp, To-Org, Text, From, From-Rgrp, From-Org, Response, Action,
Issue, Session`. A row that cannot be imported is rejected with its reason; the
file is refused only when it cannot be read at all (encoding, empty, columns). Rows
with the same natural key merge into one recommendation with every recommending
state. Row numbers count CSV records, the header being row 1.
"""

from __future__ import annotations

from collections.abc import Callable

from schema.imports.decoding import decode
from schema.imports.keys import natural_key
from schema.imports.parsed import (
    ParsedRecommendation,
    ParseResult,
    Rejected,
    RowRejected,
    response,
)
from schema.imports.states import state_code
from schema.imports.tabular import csv_rows, records
from schema.reference import calendar
from schema.reference.vocabularies import THEMES, slug
from schema.tables.recommendations import Mechanism

__all__ = ["COLUMNS", "ParseResult", "ParsedRecommendation", "Rejected", "parse"]

COLUMNS = (
    "To", "To-Rgrp", "To-Org", "Text", "From", "From-Rgrp", "From-Org",
    "Response", "Action", "Issue", "Session",
)  # fmt: skip

_THEMES = {name.casefold(): slug(name) for name in THEMES}
_SESSIONS = calendar.sessions()


def _state(cell: str, what: str) -> str:
    if not cell:
        raise RowRejected(f"no {what}")
    code = state_code(cell)
    if code is None:
        raise RowRejected(f"unknown {what} {cell!r}")
    return code


def _action(cell: str) -> int | None:
    if not cell:
        return None
    if cell.isdigit() and 1 <= int(cell) <= 5:
        return int(cell)
    raise RowRejected(f"action {cell!r} is not a category from 1 to 5")


def _session(cell: str) -> int:
    if cell.isdigit() and int(cell) in _SESSIONS:
        return int(cell)
    raise RowRejected(f"session {cell!r} is not a UPR session from 1 to {max(_SESSIONS)}")


def _themes(cell: str) -> set[str]:
    codes = set()
    for part in cell.replace("\n", ",").split(","):
        name = " ".join(part.split())
        if not name:
            continue
        code = _THEMES.get(name.casefold())
        if code is None:
            raise RowRejected(f"unknown theme {name!r}")
        codes.add(code)
    return codes


def _recommendation(cells: dict[str, str]) -> ParsedRecommendation:
    text = cells["Text"]
    if not text:
        raise RowRejected("no recommendation text")
    reviewed = _state(cells["To"], "state under review")
    recommender = _state(cells["From"], "recommending state")
    position = response(cells["Response"])
    session = _session(cells["Session"])
    return ParsedRecommendation(
        natural_key=natural_key(Mechanism.UPR, reviewed, str(session), text=text),
        state_code=reviewed,
        session=session,
        text=text,
        response=position,
        response_wording=cells["Response"] or None,
        action_category=_action(cells["Action"]),
        recommending_states={recommender},
        themes=_themes(cells["Issue"]),
    )


def parse(
    name: str,
    data: bytes,
    encoding: str | None = None,
    into: ParseResult | None = None,
    progress: Callable[[int], None] | None = None,
) -> ParseResult:
    """Parse one file, merging into `into` (to merge several files); FileRefused when
    the file cannot be read at all, before anything is added to `into`."""
    result = into if into is not None else ParseResult()
    text = decode(name, data, encoding)
    rows = list(records(name, csv_rows(text), COLUMNS, "a UPR database export"))
    for number, cells in rows:
        result.rows_read += 1
        if progress:
            progress(1)
        try:
            result.add(_recommendation(cells))
        except RowRejected as reason:
            result.rejected.append(Rejected(name, number, str(reason)))
    return result
