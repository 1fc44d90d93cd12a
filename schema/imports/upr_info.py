"""The classic public UPR database CSV export, parsed into recommendations.

Columns `To, To-Rgrp, To-Org, Text, From, From-Rgrp, From-Org, Response, Action,
Issue, Session`. A row that cannot be imported is rejected with its reason; the
file is refused only when it cannot be read at all (encoding, empty, columns). Rows
with the same natural key merge into one recommendation with every recommending
state. Row numbers count CSV records, the header being row 1.
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from schema.imports.decoding import FileRefused, decode
from schema.imports.keys import natural_key
from schema.imports.states import state_code
from schema.reference import calendar
from schema.reference.vocabularies import THEMES, slug
from schema.tables.recommendations import Mechanism, Response

COLUMNS = (
    "To", "To-Rgrp", "To-Org", "Text", "From", "From-Rgrp", "From-Org",
    "Response", "Action", "Issue", "Session",
)  # fmt: skip

RESPONSES = {
    "accepted": Response.SUPPORTED,
    "supported": Response.SUPPORTED,
    "noted": Response.NOTED,
    "not supported": Response.NOTED,
    "supported in part": Response.SUPPORTED_IN_PART,
    "partially supported": Response.SUPPORTED_IN_PART,
    "partially accepted": Response.SUPPORTED_IN_PART,
    "": Response.PENDING,
    "pending": Response.PENDING,
}

_THEMES = {name.casefold(): slug(name) for name in THEMES}
_SESSIONS = calendar.sessions()


@dataclass(frozen=True, slots=True)
class Rejected:
    file: str
    row: int
    reason: str


@dataclass(slots=True)
class ParsedRecommendation:
    natural_key: str
    state_code: str
    session: int
    text: str
    response: Response
    response_wording: str | None
    action_category: int | None
    recommending_states: set[str] = field(default_factory=set)
    themes: set[str] = field(default_factory=set)
    rows: int = 1


@dataclass(slots=True)
class ParseResult:
    recommendations: dict[str, ParsedRecommendation] = field(default_factory=dict)
    rejected: list[Rejected] = field(default_factory=list)
    rows_read: int = 0
    merged: int = 0


class RowRejected(Exception):
    pass


def _records(name: str, text: str) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, cleaned cells) per record; CR, LF and CRLF all end a line."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None or not any(cell.strip() for cell in header):
        raise FileRefused(f"{name}: the file is empty (expected a header row)")
    names = [cell.strip() for cell in header]
    missing = [column for column in COLUMNS if column not in names]
    if missing:
        raise FileRefused(
            f"{name}: not a UPR database export: missing column(s) {', '.join(missing)} "
            f"(its header has: {', '.join(name for name in names if name) or 'nothing'})"
        )
    positions = {column: names.index(column) for column in COLUMNS}
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        yield (
            number,
            {
                column: _clean(cells[index]) if index < len(cells) else ""
                for column, index in positions.items()
            },
        )


def _clean(cell: str) -> str:
    """Entities unescaped, line breaks made LF, surrounding spaces trimmed."""
    return html.unescape(cell).replace("\r\n", "\n").replace("\r", "\n").strip()


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
    response = RESPONSES.get(" ".join(cells["Response"].casefold().split()))
    if response is None:
        raise RowRejected(f"unknown response {cells['Response']!r}")
    session = _session(cells["Session"])
    return ParsedRecommendation(
        natural_key=natural_key(Mechanism.UPR, reviewed, str(session), text=text),
        state_code=reviewed,
        session=session,
        text=text,
        response=response,
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
    records = list(_records(name, decode(name, data, encoding)))
    for number, cells in records:
        result.rows_read += 1
        if progress:
            progress(1)
        try:
            parsed = _recommendation(cells)
        except RowRejected as reason:
            result.rejected.append(Rejected(name, number, str(reason)))
            continue
        known = result.recommendations.get(parsed.natural_key)
        if known is None:
            result.recommendations[parsed.natural_key] = parsed
            continue
        known.recommending_states |= parsed.recommending_states
        known.themes |= parsed.themes
        known.rows += 1
        result.merged += 1
    return result
