"""The report as Markdown (CommonMark with GitHub's tables), with the chart's figures
as a table and, when written next to it, the chart as an SVG file linked relatively.

Every value from the data is escaped: whitespace folds to single spaces (a newline
would end a table row or a quote), Markdown and HTML punctuation is backslash-escaped
(no `<script>`, link, image, emphasis or `|` cell break survives; a bracket
is escaped, so no parenthesis can complete a link; nor does an autolink: `:`, `@` and
the dot of `www.` are escaped), and a value never starts a line."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from server.reports import labels
from server.reports.labels import NOT_ASSESSED, STATUSES, Report

# `:` and `@` too: GitHub turns bare URLs and e-mail addresses into live links.
_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~!&$:@])")
_WWW = re.compile(r"(?i)\b(www)\.")
# What would start a list, a rule or a heading at the start of a line (or of a quote).
_LEADING = re.compile(r"^([-+=]|\d+(?=[.)]))")
_SPACE = re.compile(r"\s+")


def text(value: object) -> str:
    """`value` as inline Markdown text that renders as itself and nothing else."""
    escaped = _SPECIAL.sub(r"\\\1", _SPACE.sub(" ", str(value)).strip())
    escaped = _WWW.sub(r"\1\\.", escaped)
    return _LEADING.sub(lambda found: _leading(found.group(1)), escaped)


def _leading(start: str) -> str:
    return start + "\\" if start[0].isdigit() else "\\" + start


def _row(*cells: object) -> str:
    return "| " + " | ".join(text(cell) for cell in cells) + " |"


def _table(header: tuple[str, ...], rows: list[tuple[object, ...]], numeric_from: int) -> list[str]:
    rule = ["---:" if i >= numeric_from else "---" for i in range(len(header))]
    return [_row(*header), "| " + " | ".join(rule) + " |", *(_row(*row) for row in rows)]


def _summary(report: Report) -> list[str]:
    summary = report["summary"]
    rows: list[tuple[object, ...]] = [("Recommendations", summary["recommendations"])]
    rows += [(labels.words(r["response"]), r["count"]) for r in summary["byResponse"]]
    counts = labels.status_counts(summary)
    rows += [(labels.status_label(s), counts[s]) for s in (*STATUSES, NOT_ASSESSED)]
    return [
        "## Summary",
        "",
        *_table(("", "Recommendations"), rows, 1),
        "",
        "A recommendation counts once for every status among its latest assessments: "
        "partners who disagree are each counted.",
    ]


def _themes(report: Report, chart_file: str | None) -> list[str]:
    columns = (*STATUSES, NOT_ASSESSED)
    header = ("Theme", "Recommendations", *(labels.status_label(s) for s in columns))
    rows = []
    for theme in report["statusByTheme"]:
        counts = labels.status_counts(theme)
        rows.append(
            (theme["theme"]["name"], theme["recommendations"], *(counts[s] for s in columns))
        )
    lines = ["## Implementation status by theme", ""]
    if chart_file is not None:
        lines += [f"![Implementation status by theme](<{text(chart_file)}>)", ""]
    if not rows:
        return [*lines, "No recommendation of this review carries a theme."]
    return [*lines, *_table(header, rows, 1)]


def _assessment(assessment: Mapping[str, Any]) -> str:
    line = (
        f"  - **{text(labels.organisation(assessment))}**: "
        f"{text(labels.words(assessment['status']))} ({text(labels.day(assessment['assessedOn']))})"
    )
    if assessment.get("evidence"):
        line += f" — {text(assessment['evidence'])}"
    if assessment.get("sourceUrl"):
        line += f" (source: {text(assessment['sourceUrl'])})"
    return line


def _recommendation(index: int, recommendation: Mapping[str, Any]) -> list[str]:
    paragraph = recommendation.get("paragraph")
    heading = f"### {index}. {text(f'Paragraph {paragraph}')}" if paragraph else f"### {index}."
    assessments = [_assessment(a) for a in recommendation["latestAssessments"]]
    return [
        heading,
        "",
        f"> {text(recommendation['text'])}",
        "",
        f"- Response: {text(labels.response(recommendation))}",
        f"- Action category: {text(labels.action_category(recommendation['actionCategory']))}",
        f"- Themes: {text(labels.names(recommendation['themes']) or 'None')}",
        "- Recommended by: "
        + text(labels.names(recommendation["recommendingStates"]) or "Not recorded"),
        "- Latest assessments:" + ("" if assessments else " none"),
        *assessments,
        "",
    ]


def _activities(report: Report) -> list[str]:
    lines = ["## Follow-up activities held", ""]
    for activity in report["activitiesHeld"]:
        where = labels.place(activity)
        organisers = labels.names(activity["organisers"])
        line = (
            f"- **{text(activity['title'])}** ({text(labels.activity_kind(activity['kind']))}), "
            f"{text(labels.dates(activity))}"
        )
        line += f", {text(where)}" if where else ""
        line += f". Organised by {text(organisers)}." if organisers else "."
        lines.append(line)
    if not report["activitiesHeld"]:
        lines.append("None.")
    return lines


def render_markdown(report: Report, chart_file: str | None = None) -> str:
    """The whole document; `chart_file`, the chart's SVG file next to it, if written."""
    lines = [
        f"# {text(labels.title(report))}",
        "",
        text(labels.review_line(report)),
        "",
        f"For {text(labels.audience(report))}. {text(labels.audience_note(report))} "
        f"Generated {text(labels.moment(report['generatedAt']))}.",
        "",
        *_summary(report),
        "",
        *_themes(report, chart_file),
        "",
        "## Recommendations",
        "",
    ]
    for index, recommendation in enumerate(report["recommendations"], start=1):
        lines += _recommendation(index, recommendation)
    lines += _activities(report)
    return "\n".join(lines) + "\n"
