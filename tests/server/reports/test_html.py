"""The HTML report: one self-contained file that runs and fetches nothing, whatever the
data holds, and shows every value as written."""

from __future__ import annotations

import re

from server.reports.html import POLICY, render_html
from tests.server.reports.markup import SVG, Document, parse_svg
from tests.server.reports.sample import HOSTILE, sample_report


def test_nothing_runs_and_nothing_is_fetched() -> None:
    # Given a report whose texts, evidence and titles hold markup
    html = render_html(sample_report())
    document = Document(html)
    # Then no script, frame, object, image, link or form is there, no event handler,
    # and no attribute or style points anywhere
    assert not {"script", "iframe", "object", "embed", "img", "link", "a", "form"} & set(
        document.tags
    )
    names = {name.lower() for name, _ in document.attributes}
    assert not {"src", "href", "xlink:href", "action", "srcset"} & names
    assert not [name for name in names if name.startswith("on")]
    assert not re.search(r"url\s*\(|@import", html, re.IGNORECASE)
    assert "<script" not in html.lower()
    # And the browser is told so too
    at = document.attributes.index(("http-equiv", "Content-Security-Policy"))
    assert document.attributes[at + 1] == ("content", POLICY)
    assert POLICY.startswith("default-src 'none';")


def test_values_show_as_written() -> None:
    # Given the hostile text in a recommendation, an assessment and an activity
    document = Document(render_html(sample_report()))
    text = "".join(document.text)
    # Then it is shown as text, each time
    assert text.count(HOSTILE) == 3
    assert "Source: https://evidence.example/report?a=1&b=<2>" in text
    assert "An organisation not listed for this audience" in text


def test_the_inline_chart_is_well_formed_svg() -> None:
    html = render_html(sample_report())
    (svg,) = re.findall(r"<svg.*?</svg>", html, re.DOTALL)
    assert parse_svg(svg).tag == f"{SVG}svg"
