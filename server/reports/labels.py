"""Words and formats the renderers share, so the HTML and the Markdown say the same."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

Report = Mapping[str, Any]

# Implementation statuses in the order of every table and of the chart, then the
# recommendations nobody assessed (for the audience).
STATUSES = ("NOT_IMPLEMENTED", "PARTIALLY_IMPLEMENTED", "FULLY_IMPLEMENTED", "UNKNOWN")
NOT_ASSESSED = "NOT_ASSESSED"
# DOMAIN.md's action categories.
ACTION_CATEGORIES = {
    1: "minimal action",
    2: "continuing action",
    3: "considering action",
    4: "general action",
    5: "specific action",
}
ACTIVITY_KINDS = {
    "PRE_SESSION": "Pre-session",
    "CSO_STRATEGY_WORKSHOP": "CSO strategy workshop",
    "CSO_GOVERNMENT_DIALOGUE": "CSO–government dialogue",
    "MID_TERM_REPORT": "Mid-term report",
}
UNNAMED = "An organisation not listed for this audience"


def words(value: str | None) -> str:
    """An enum value as words: NOT_IMPLEMENTED -> "Not implemented"."""
    if value is None:
        return "No response"
    return value.replace("_", " ").capitalize()


def activity_kind(kind: str) -> str:
    return ACTIVITY_KINDS.get(kind) or words(kind)


def status_label(status: str) -> str:
    return "Not assessed" if status == NOT_ASSESSED else words(status)


def day(value: str | None) -> str:
    """An ISO date as "22 January 2020"."""
    if not value:
        return ""
    parsed = dt.date.fromisoformat(value)
    return f"{parsed.day} {parsed:%B %Y}"


def moment(value: str) -> str:
    """An ISO date-time as "2026-11-28 09:00 UTC"."""
    return f"{dt.datetime.fromisoformat(value).astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"


def title(report: Report) -> str:
    return f"Mid-term report: {report['state']['name']}, UPR cycle {report['cycle']}"


def audience(report: Report) -> str:
    given = report["audience"]
    if given["kind"] == "COALITION":
        return f"the members of the coalition {given['coalitionName']}"
    return "the public"


def audience_note(report: Report) -> str:
    """What the reader must know about what the report holds."""
    if report["audience"]["kind"] == "COALITION":
        return (
            "It holds work shared with this coalition as well as public work: keep it "
            "within the coalition."
        )
    return "It holds public work only."


def review_line(report: Report) -> str:
    parts = [
        f"Reviewed at Working Group session {report['session']['number']} on "
        f"{day(report['reviewDate'])}"
    ]
    if report.get("reportSymbol"):
        parts.append(f"report {report['reportSymbol']}")
    if report.get("adoptionDate"):
        parts.append(f"adopted {day(report['adoptionDate'])}")
    parts.append(f"mid-term report usually due around {day(report['midtermDate'])}")
    return "; ".join(parts) + "."


def response(recommendation: Mapping[str, Any]) -> str:
    found = words(recommendation["response"])
    wording = recommendation.get("responseWording")
    if wording and wording.strip().lower() != found.lower():
        return f"{found} (published as “{wording}”)"
    return found


def action_category(value: int | None) -> str:
    if value is None:
        return "Not categorised"
    return f"{value} ({ACTION_CATEGORIES.get(value, 'unknown')})"


def organisation(assessment: Mapping[str, Any]) -> str:
    found = assessment.get("organisation")
    return str(found["name"]) if found else UNNAMED


def dates(activity: Mapping[str, Any]) -> str:
    if activity.get("endsOn") and activity["endsOn"] != activity["startsOn"]:
        return f"{day(activity['startsOn'])} to {day(activity['endsOn'])}"
    return day(activity["startsOn"])


def place(activity: Mapping[str, Any]) -> str:
    country = activity.get("country")
    return ", ".join(p for p in (activity.get("city"), country and country["name"]) if p)


def names(items: list[Mapping[str, Any]]) -> str:
    return ", ".join(str(item["name"]) for item in items)


def status_counts(entry: Mapping[str, Any]) -> dict[str, int]:
    """Per status (and NOT_ASSESSED), the count of a summary or a theme's entry."""
    counts = {item["status"]: int(item["count"]) for item in entry["byImplementationStatus"]}
    return {status: counts.get(status, 0) for status in STATUSES} | {
        NOT_ASSESSED: int(entry["notAssessed"])
    }
