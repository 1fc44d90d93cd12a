"""A report as the API gives it (the shape of `server.reports.query.MIDTERM_REPORT`),
with hostile text where a partner or an import could put text."""

from __future__ import annotations

from typing import Any

# Markup, Markdown and table syntax, a newline and an entity: none may take effect.
HOSTILE = (
    '<script>alert("x")</script> | cell ![img](http://evil.example/i.png) '
    "[link](javascript:alert(1)) **bold** # heading\n- item & &#40; `code` <img src=x>"
)
STATUS_COUNTS = [
    {"status": "NOT_IMPLEMENTED", "count": 1},
    {"status": "PARTIALLY_IMPLEMENTED", "count": 1},
    {"status": "FULLY_IMPLEMENTED", "count": 0},
    {"status": "UNKNOWN", "count": 0},
]


def sample_report(text: str = HOSTILE, theme: str = "Women's rights <&>") -> dict[str, Any]:
    return {
        "state": {"code": "KEN", "name": "Kenya"},
        "cycle": 3,
        "session": {"number": 35},
        "reviewDate": "2020-01-22",
        "adoptionDate": None,
        "reportSymbol": "A/HRC/44/9",
        "midtermDate": "2022-04-22",
        "generatedAt": "2026-11-28T09:00:00+00:00",
        "audience": {"kind": "PUBLIC", "coalitionName": None},
        "recommendations": [
            {
                "paragraph": "119.2",
                "text": text,
                "response": "SUPPORTED",
                "responseWording": "Accepted",
                "actionCategory": 4,
                "themes": [{"name": theme}, {"name": "Justice"}],
                "recommendingStates": [{"name": "France"}],
                "latestAssessments": [
                    {
                        "organisation": {"name": "Kenya Rights Network"},
                        "status": "PARTIALLY_IMPLEMENTED",
                        "assessedOn": "2026-01-10",
                        "evidence": text,
                        "sourceUrl": "https://evidence.example/report?a=1&b=<2>",
                    },
                    {
                        "organisation": None,
                        "status": "NOT_IMPLEMENTED",
                        "assessedOn": "2025-09-01",
                        "evidence": None,
                        "sourceUrl": None,
                    },
                ],
            },
            {
                "paragraph": None,
                "text": "Ratify the Optional Protocol",
                "response": None,
                "responseWording": None,
                "actionCategory": None,
                "themes": [],
                "recommendingStates": [],
                "latestAssessments": [],
            },
        ],
        "summary": {
            "recommendations": 2,
            "byResponse": [
                {"response": "SUPPORTED", "count": 1},
                {"response": "NOTED", "count": 0},
                {"response": None, "count": 1},
            ],
            "byImplementationStatus": STATUS_COUNTS,
            "notAssessed": 1,
        },
        "statusByTheme": [
            {
                "theme": {"name": theme},
                "recommendations": 1,
                "byImplementationStatus": STATUS_COUNTS,
                "notAssessed": 0,
            },
            {
                "theme": {"name": "Justice"},
                "recommendations": 1,
                "byImplementationStatus": STATUS_COUNTS,
                "notAssessed": 0,
            },
        ],
        "activitiesHeld": [
            {
                "title": text,
                "kind": "CSO_STRATEGY_WORKSHOP",
                "startsOn": "2020-03-05",
                "endsOn": "2020-03-06",
                "city": "Nairobi",
                "country": {"name": "Kenya"},
                "organisers": [{"name": "Kenya Rights Network"}],
            }
        ],
    }
