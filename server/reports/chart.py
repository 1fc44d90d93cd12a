"""The implementation-status-by-theme chart, as SVG made here: no library, no script, no
font or image fetched. Every text is escaped, so the output is well-formed XML whatever
a theme is called, and it may be inlined in HTML or written to its own file."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from server.reports.labels import NOT_ASSESSED, STATUSES, status_counts, status_label

COLOURS = {
    "NOT_IMPLEMENTED": "#b8322a",
    "PARTIALLY_IMPLEMENTED": "#e0a526",
    "FULLY_IMPLEMENTED": "#2f7d4f",
    "UNKNOWN": "#7f7f7f",
    NOT_ASSESSED: "#d6d6d6",
}
WIDTH = 760
LABEL_WIDTH = 260
COUNT_WIDTH = 50
ROW = 24
BAR = 16
LEGEND = 44
LONGEST_LABEL = 40


def _text(x: float, y: float, content: str, anchor: str = "start", size: int = 12) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}">'
        f"{escape(content)}</text>"
    )


def _legend() -> list[str]:
    parts, x = [], 0.0
    for status in (*STATUSES, NOT_ASSESSED):
        label = status_label(status)
        parts.append(f'<rect x="{x:.1f}" y="8" width="12" height="12" fill="{COLOURS[status]}"/>')
        parts.append(_text(x + 16, 18, label))
        x += 24 + 7 * len(label)
    return parts


def _short(name: str) -> str:
    return name if len(name) <= LONGEST_LABEL else name[: LONGEST_LABEL - 1] + "…"


def status_chart(themes: Sequence[Mapping[str, Any]], title: str) -> str:
    """A horizontal stacked bar per theme: per status, the recommendations on the theme
    having it among their latest assessments, then those not assessed. A recommendation
    partners disagree on counts once per status, so a bar may be longer than the
    theme's count of recommendations (written after it)."""
    height = LEGEND + ROW * max(len(themes), 1) + 8
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" font-family="sans-serif">',
        f"<title>{escape(title)}</title>",
        *_legend(),
    ]
    rows = [(theme, status_counts(theme)) for theme in themes]
    longest = max((sum(counts.values()) for _, counts in rows), default=0)
    scale = (WIDTH - LABEL_WIDTH - COUNT_WIDTH) / longest if longest else 0.0
    if not rows:
        parts.append(_text(0, LEGEND + BAR, "No recommendation of this review carries a theme."))
    for index, (theme, counts) in enumerate(rows):
        y = LEGEND + index * ROW
        name = str(theme["theme"]["name"])
        parts.append(_text(LABEL_WIDTH - 8, y + BAR - 3, _short(name), anchor="end"))
        x = float(LABEL_WIDTH)
        for status, count in counts.items():
            if not count:
                continue
            width = count * scale
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{BAR}" '
                f'fill="{COLOURS[status]}"><title>{escape(name)}: {count} '
                f"{escape(status_label(status).lower())}</title></rect>"
            )
            x += width
        parts.append(_text(x + 6, y + BAR - 3, str(theme["recommendations"])))
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
