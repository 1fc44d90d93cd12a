"""The Markdown report: every value renders as itself (no markup, link, image, emphasis
or broken table from the data), and the chart is linked relatively when written."""

from __future__ import annotations

from markdown_it import MarkdownIt

from server.reports.markdown import render_markdown, text
from tests.server.reports.markup import Document
from tests.server.reports.sample import HOSTILE, sample_report

STRUCTURE = {
    *("h1", "h2", "h3", "p", "blockquote", "ul", "li", "strong"),
    *("table", "thead", "tbody", "tr", "th", "td"),
}


def _rendered(source: str) -> Document:
    return Document(MarkdownIt("commonmark").enable("table").render(source))


def test_hostile_text_renders_as_itself() -> None:
    # Given the hostile text in a recommendation, an assessment, an activity and a theme
    source = render_markdown(sample_report(theme="Rights | <b>x</b>"))
    document = _rendered(source)
    # Then no tag comes from the data: no script, image, link, emphasis or raw HTML,
    # only the report's own structure
    assert set(document.tags) <= STRUCTURE
    assert document.tags.count("h1") == 1
    assert "<script" not in source.replace("\\<script", "")
    # And the text reads as written (whitespace folded), in the quote and elsewhere
    folded = " ".join(HOSTILE.split())
    assert "".join(document.text).count(folded) == 3


def test_tables_keep_their_columns() -> None:
    # Given a theme whose name holds a pipe
    document = _rendered(render_markdown(sample_report(theme="Rights | more")))
    # Then every row of the status table has its seven columns, the name in one cell
    assert "Rights | more" in document.cells
    assert {len(row) for row in document.rows if len(row) > 2} == {7}


def test_the_chart_is_linked_relatively() -> None:
    document = _rendered(render_markdown(sample_report(), "midterm-KEN-cycle3-public.svg"))
    assert [value for name, value in document.attributes if name == "src"] == [
        "midterm-KEN-cycle3-public.svg"
    ]


def test_text_escapes_line_starts() -> None:
    assert [text(v) for v in ("- a", "1. b", "2) c", "# d", "a\nb")] == [
        "\\- a",
        "1\\. b",
        "2\\) c",
        "\\# d",
        "a b",
    ]


def test_no_autolink_survives() -> None:
    # GitHub links bare URLs, www. addresses and e-mails; escaped, they stay text
    value = "see https://evil.example/x, www.evil.example and someone@evil.example"
    escaped = text(value)
    for live in ("https://", "www."):
        assert live not in escaped
    assert "someone\\@evil" in escaped
    assert "".join(_rendered(escaped).text).strip() == value
