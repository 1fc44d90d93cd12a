"""The report as one self-contained HTML file: inline CSS and the inline SVG chart; no
script, no font, no image or style fetched from anywhere (a content security policy
says so to the browser too). Every value from the data is escaped."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from server.reports import labels
from server.reports.chart import status_chart
from server.reports.labels import NOT_ASSESSED, STATUSES, Report

# Nothing may load: styles are inline, the chart is inline SVG.
POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'"
STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto;
       padding: 0 1rem; color: #1d1d1d; line-height: 1.45; }
h1 { font-size: 1.7rem; margin-bottom: .2rem; }
h2 { border-bottom: 1px solid #ccc; padding-bottom: .2rem; margin-top: 2.2rem; }
table { border-collapse: collapse; margin: .8rem 0; }
th, td { border: 1px solid #ccc; padding: .25rem .5rem; text-align: left; vertical-align: top; }
td.n, th.n { text-align: right; }
.meta { color: #555; }
.recommendation { border-left: 4px solid #ddd; padding-left: .8rem; margin: 1.4rem 0; }
.recommendation blockquote { margin: .3rem 0; font-size: 1.05rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .8rem; margin: .4rem 0; }
dt { color: #555; }
dd { margin: 0; }
.chart { overflow-x: auto; }
@media print { .recommendation { break-inside: avoid; } }
"""


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _summary(report: Report) -> str:
    summary = report["summary"]
    rows = [("Recommendations", summary["recommendations"])]
    rows += [(labels.words(r["response"]), r["count"]) for r in summary["byResponse"]]
    counts = labels.status_counts(summary)
    rows += [(labels.status_label(s), counts[s]) for s in (*STATUSES, NOT_ASSESSED)]
    body = "".join(f'<tr><th>{_e(name)}</th><td class="n">{_e(n)}</td></tr>' for name, n in rows)
    return (
        '<section id="summary"><h2>Summary</h2>'
        f"<table><tbody>{body}</tbody></table>"
        "<p>A recommendation counts once for every status among its latest assessments: "
        "partners who disagree are each counted.</p></section>"
    )


def _themes(report: Report) -> str:
    columns = (*STATUSES, NOT_ASSESSED)
    head = "".join(f'<th class="n">{_e(labels.status_label(s))}</th>' for s in columns)
    rows = []
    for theme in report["statusByTheme"]:
        counts = labels.status_counts(theme)
        cells = "".join(f'<td class="n">{_e(counts[s])}</td>' for s in columns)
        rows.append(
            f"<tr><th>{_e(theme['theme']['name'])}</th>"
            f'<td class="n">{_e(theme["recommendations"])}</td>{cells}</tr>'
        )
    chart = status_chart(report["statusByTheme"], "Implementation status by theme")
    return (
        '<section id="themes"><h2>Implementation status by theme</h2>'
        f'<div class="chart">{chart}</div>'
        f'<table><thead><tr><th>Theme</th><th class="n">Recommendations</th>{head}</tr>'
        f"</thead><tbody>{''.join(rows)}</tbody></table></section>"
    )


def _assessment(assessment: Mapping[str, Any]) -> str:
    parts = [
        f"<strong>{_e(labels.organisation(assessment))}</strong>: "
        f"{_e(labels.words(assessment['status']))} ({_e(labels.day(assessment['assessedOn']))})"
    ]
    if assessment.get("evidence"):
        parts.append(f" — {_e(assessment['evidence'])}")
    if assessment.get("sourceUrl"):
        # Shown as text, never as a link: the report fetches and points to nothing.
        parts.append(f' <span class="meta">Source: {_e(assessment["sourceUrl"])}</span>')
    return f"<li>{''.join(parts)}</li>"


def _recommendation(index: int, recommendation: Mapping[str, Any]) -> str:
    paragraph = recommendation.get("paragraph")
    heading = f"{index}. Paragraph {paragraph}" if paragraph else f"{index}."
    assessments = recommendation["latestAssessments"]
    listed = (
        f"<ul>{''.join(_assessment(a) for a in assessments)}</ul>"
        if assessments
        else "<p>No assessment.</p>"
    )
    details = [
        ("Response", labels.response(recommendation)),
        ("Action category", labels.action_category(recommendation["actionCategory"])),
        ("Themes", labels.names(recommendation["themes"]) or "None"),
        ("Recommended by", labels.names(recommendation["recommendingStates"]) or "Not recorded"),
    ]
    described = "".join(f"<dt>{_e(name)}</dt><dd>{_e(value)}</dd>" for name, value in details)
    return (
        f'<article class="recommendation"><h3>{_e(heading)}</h3>'
        f"<blockquote>{_e(recommendation['text'])}</blockquote>"
        f"<dl>{described}</dl><h4>Latest assessments</h4>{listed}</article>"
    )


def _activities(report: Report) -> str:
    items = []
    for activity in report["activitiesHeld"]:
        where = labels.place(activity)
        organisers = labels.names(activity["organisers"])
        kind = labels.activity_kind(activity["kind"])
        items.append(
            f"<li><strong>{_e(activity['title'])}</strong> ({_e(kind)}), "
            f"{_e(labels.dates(activity))}"
            + (f", {_e(where)}" if where else "")
            + (f". Organised by {_e(organisers)}." if organisers else ".")
            + "</li>"
        )
    listed = f"<ul>{''.join(items)}</ul>" if items else "<p>None.</p>"
    return f'<section id="activities"><h2>Follow-up activities held</h2>{listed}</section>'


def render_html(report: Report) -> str:
    """The whole document."""
    title = labels.title(report)
    recommendations = "".join(
        _recommendation(i, r) for i, r in enumerate(report["recommendations"], start=1)
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_e(POLICY)}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{_e(title)}</title><style>{STYLE}</style></head><body>"
        f"<header><h1>{_e(title)}</h1>"
        f'<p class="meta">{_e(labels.review_line(report))}</p>'
        f'<p class="meta">For {_e(labels.audience(report))}. {_e(labels.audience_note(report))} '
        f"Generated {_e(labels.moment(report['generatedAt']))}.</p></header>"
        f"{_summary(report)}{_themes(report)}"
        f'<section id="recommendations"><h2>Recommendations</h2>{recommendations}</section>'
        f"{_activities(report)}"
        "</body></html>\n"
    )
