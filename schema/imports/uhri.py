"""OHCHR's Universal Human Rights Index export, CSV or XLSX, parsed into recommendations.

Columns (OHCHR's spelling) `Text, Countries Concerned, Reccomending Body, Document
Symbol, Themes, Affected Persons, Sdgs, Document Publication Date, UPR Reccomending
States, UPR Position, Type, OHCHR Annotation Id, UPR Session, Regions Concerned,
Recommending Regions`; multi-valued cells hold `- item` lines.

A UPR row is keyed exactly as the upr-info importer keys it (UPR, state, session,
text), so the same recommendation from both exports is one recommendation with the
union of their recommending states and themes. A treaty-body or special-procedure
row has no review: it is keyed by (mechanism, state, document symbol, text) and keeps
its document symbol and body.

Several Countries Concerned: a UPR recommendation is made to the one state under
review, so a UPR row naming several is rejected. A treaty-body or special-procedure
row naming several (a regional or thematic report) becomes one recommendation per
state, since each state follows up its own; it still counts as one row read, and a
row with any unknown state is rejected whole rather than imported in part.

Type, OHCHR Annotation Id, Document Publication Date and the two region columns are
required in the header but not stored: nothing in the platform reads them yet.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from schema.imports.decoding import decode
from schema.imports.keys import natural_key
from schema.imports.parsed import ParsedRecommendation, ParseResult, Rejected, RowRejected
from schema.imports.parsed import response as upr_response
from schema.imports.states import state_code
from schema.imports.tabular import csv_rows, is_xlsx, items, records, xlsx_rows
from schema.imports.uhri_vocabulary import affected_person, mechanism, sdgs, theme
from schema.reference import calendar
from schema.tables.recommendations import Mechanism

__all__ = ["COLUMNS", "parse"]

COLUMNS = (
    "Text", "Countries Concerned", "Reccomending Body", "Document Symbol", "Themes",
    "Affected Persons", "Sdgs", "Document Publication Date", "UPR Reccomending States",
    "UPR Position", "Type", "OHCHR Annotation Id", "UPR Session", "Regions Concerned",
    "Recommending Regions",
)  # fmt: skip

# The lengths the columns hold: longer is a malformed row, not a truncation to make.
MAX_DOCUMENT_SYMBOL = 80
MAX_BODY = 200
MAX_WORDING = 100

_SESSIONS = calendar.sessions()
_SESSION = re.compile(r"^(?:session\s*)?(\d{1,3})(?:st|nd|rd|th)?(?:\s*session)?$", re.I)


def _states(cell: str, what: str) -> list[str]:
    names = items(cell)
    if not names:
        raise RowRejected(f"no {what}")
    codes = []
    for name in names:
        code = state_code(name)
        if code is None:
            raise RowRejected(f"unknown {what} {name!r}")
        codes.append(code)
    return list(dict.fromkeys(codes))


def _session(cell: str) -> int:
    match = _SESSION.match(cell.strip())
    if match is not None and int(match[1]) in _SESSIONS:
        return int(match[1])
    raise RowRejected(f"UPR session {cell!r} is not a session from 1 to {max(_SESSIONS)}")


def _limited(value: str, limit: int, what: str) -> str:
    if len(value) > limit:
        raise RowRejected(f"{what} longer than {limit} characters")
    return value


@dataclass(frozen=True, slots=True)
class _Tags:
    source_themes: frozenset[str]
    themes: frozenset[str]
    affected_persons: frozenset[str]
    sdg_goals: frozenset[int]
    sdg_targets: frozenset[str]

    def onto(self, rec: ParsedRecommendation) -> ParsedRecommendation:
        rec.source_themes = set(self.source_themes)
        rec.themes = set(self.themes)
        rec.affected_persons = set(self.affected_persons)
        rec.sdg_goals = set(self.sdg_goals)
        rec.sdg_targets = set(self.sdg_targets)
        return rec


def _tags(cells: dict[str, str]) -> _Tags:
    """Themes as published and mapped, affected persons and SDGs where they match."""
    published = frozenset(_limited(name, 200, "a theme") for name in items(cells["Themes"]))
    pairs = [sdgs(item) for item in items(cells["Sdgs"])]
    return _Tags(
        source_themes=published,
        themes=frozenset(code for name in published if (code := theme(name))),
        affected_persons=frozenset(
            code for name in items(cells["Affected Persons"]) if (code := affected_person(name))
        ),
        sdg_goals=frozenset(goal for goal, _ in pairs if goal is not None),
        sdg_targets=frozenset(target for _, target in pairs if target is not None),
    )


def _recommendations(cells: dict[str, str]) -> list[ParsedRecommendation]:
    text = cells["Text"]
    if not text:
        raise RowRejected("no recommendation text")
    body = cells["Reccomending Body"]
    if not body:
        raise RowRejected("no recommending body")
    kind = mechanism(body)
    if kind is None:
        raise RowRejected(f"unknown recommending body {body!r}")
    concerned = _states(cells["Countries Concerned"], "country concerned")
    symbol = _limited(cells["Document Symbol"], MAX_DOCUMENT_SYMBOL, "document symbol") or None
    if symbol is not None and "|" in symbol:  # it is part of the natural key, `|`-joined
        raise RowRejected(f"document symbol {symbol!r} holds a '|'")
    tags = _tags(cells)
    if kind is Mechanism.UPR:
        if len(concerned) > 1:
            raise RowRejected("a UPR recommendation concerns one state, this row names several")
        (state,) = concerned
        session = _session(cells["UPR Session"])
        wording = _limited(cells["UPR Position"], MAX_WORDING, "UPR position")
        return [
            tags.onto(
                ParsedRecommendation(
                    natural_key=natural_key(Mechanism.UPR, state, str(session), text=text),
                    state_code=state,
                    session=session,
                    text=text,
                    response=upr_response(wording),
                    response_wording=wording or None,
                    action_category=None,
                    document_symbol=symbol,
                    recommending_states=set(
                        _states(cells["UPR Reccomending States"], "recommending state")
                    ),
                )
            )
        ]
    if symbol is None:
        raise RowRejected("no document symbol (a treaty-body or special-procedure row needs it)")
    _limited(body, MAX_BODY, "recommending body")
    return [
        tags.onto(
            ParsedRecommendation(
                natural_key=natural_key(kind, state, symbol, text=text),
                state_code=state,
                text=text,
                response=None,
                response_wording=None,
                action_category=None,
                mechanism=kind,
                document_symbol=symbol,
                recommending_body=body,
                rows=1 if index == 0 else 0,
            )
        )
        for index, state in enumerate(concerned)
    ]


def _rows(name: str, data: bytes, encoding: str | None) -> Iterable[Sequence[str]]:
    if is_xlsx(name, data):
        return xlsx_rows(name, data)
    return csv_rows(decode(name, data, encoding))


def parse(
    name: str,
    data: bytes,
    encoding: str | None = None,
    into: ParseResult | None = None,
    progress: Callable[[int], None] | None = None,
) -> ParseResult:
    """Parse one CSV or XLSX file (XLSX by its ZIP signature or name; `encoding` is for
    CSV only), merging into `into`; FileRefused when the file cannot be read at all,
    before anything is added to `into`."""
    result = into if into is not None else ParseResult()
    rows = list(records(name, _rows(name, data, encoding), COLUMNS, "a UHRI export"))
    for number, cells in rows:
        result.rows_read += 1
        if progress:
            progress(1)
        try:
            for parsed in _recommendations(cells):
                result.add(parsed)
        except RowRejected as reason:
            result.rejected.append(Rejected(name, number, str(reason)))
    return result
