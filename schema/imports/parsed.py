"""What every importer parses a file into, whatever its format: recommendations merged
by natural key, and the rows it rejected with their reason."""

from __future__ import annotations

from dataclasses import dataclass, field

from schema.tables.recommendations import Mechanism, Response

__all__ = [
    "RESPONSES",
    "ParseResult",
    "ParsedRecommendation",
    "Rejected",
    "RowRejected",
    "response",
]

# Published positions, case and spacing ignored; "Not Supported" is NOTED (the wording
# is kept beside it).
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


class RowRejected(Exception):
    """One row cannot be imported; the message is its reason."""


def response(cell: str) -> Response:
    found = RESPONSES.get(" ".join(cell.casefold().split()))
    if found is None:
        raise RowRejected(f"unknown response {cell!r}")
    return found


@dataclass(frozen=True, slots=True)
class Rejected:
    file: str
    row: int
    reason: str


@dataclass(slots=True)
class ParsedRecommendation:
    """One recommendation and every tag its rows carried. `session` is set for UPR
    recommendations only; `document_symbol` and `recommending_body` for the others
    (UPR ones may carry the symbol of their report). `rows` counts the source rows
    it stands for."""

    natural_key: str
    state_code: str
    text: str
    response: Response | None
    response_wording: str | None
    action_category: int | None
    mechanism: Mechanism = Mechanism.UPR
    session: int | None = None
    document_symbol: str | None = None
    recommending_body: str | None = None
    recommending_states: set[str] = field(default_factory=set)
    themes: set[str] = field(default_factory=set)
    source_themes: set[str] = field(default_factory=set)
    affected_persons: set[str] = field(default_factory=set)
    sdg_goals: set[int] = field(default_factory=set)
    sdg_targets: set[str] = field(default_factory=set)
    rows: int = 1

    def merge(self, other: ParsedRecommendation) -> None:
        """Another row of the same recommendation: its tags join; the first row's
        response and wording stay (the database keeps the first import's too)."""
        self.recommending_states |= other.recommending_states
        self.themes |= other.themes
        self.source_themes |= other.source_themes
        self.affected_persons |= other.affected_persons
        self.sdg_goals |= other.sdg_goals
        self.sdg_targets |= other.sdg_targets
        self.rows += other.rows


@dataclass(slots=True)
class ParseResult:
    recommendations: dict[str, ParsedRecommendation] = field(default_factory=dict)
    rejected: list[Rejected] = field(default_factory=list)
    rows_read: int = 0
    merged: int = 0

    def add(self, parsed: ParsedRecommendation) -> None:
        known = self.recommendations.get(parsed.natural_key)
        if known is None:
            self.recommendations[parsed.natural_key] = parsed
            return
        known.merge(parsed)
        self.merged += parsed.rows
