"""The status-by-theme chart: well-formed SVG made here, bars to scale, nothing active."""

from __future__ import annotations

from server.reports.chart import COLOURS, LEGEND, LONGEST_LABEL, status_chart
from tests.server.reports.markup import SVG, parse_svg
from tests.server.reports.sample import HOSTILE, sample_report


def test_the_chart_is_well_formed_and_inert() -> None:
    # Given themes named with markup
    themes = sample_report(theme=HOSTILE)["statusByTheme"]
    # When the chart is drawn
    svg = status_chart(themes, "Status <by> theme")
    root = parse_svg(svg)
    # Then it parses as SVG, its texts read as given, and nothing in it runs or loads
    assert root.tag == f"{SVG}svg"
    texts = [element.text for element in root.iter(f"{SVG}text")]
    assert HOSTILE[: LONGEST_LABEL - 1] + "…" in texts
    tags = {element.tag.removeprefix(SVG) for element in root.iter()}
    assert tags <= {"svg", "title", "rect", "text"}
    assert all(
        not name.lower().startswith("on") and "href" not in name.lower()
        for element in root.iter()
        for name in element.attrib
    )
    assert "<script" not in svg


def test_bars_are_to_scale() -> None:
    # Given two themes: one with one recommendation not implemented and one partially
    # implemented (partners disagree), one with the same and one not assessed
    themes = sample_report()["statusByTheme"]
    themes[1]["notAssessed"] = 1
    root = parse_svg(status_chart(themes, "Chart"))
    bars = [
        (float(rect.attrib["x"]), float(rect.attrib["width"]), rect.attrib["fill"])
        for rect in root.iter(f"{SVG}rect")
        if float(rect.attrib["y"]) >= LEGEND  # below the legend
    ]
    # Then the longest bar (three counts) fills the width, each count a third of it
    unit = bars[-1][1]
    assert [(round(w / unit), fill) for _, w, fill in bars] == [
        (1, COLOURS["NOT_IMPLEMENTED"]),
        (1, COLOURS["PARTIALLY_IMPLEMENTED"]),
        (1, COLOURS["NOT_IMPLEMENTED"]),
        (1, COLOURS["PARTIALLY_IMPLEMENTED"]),
        (1, COLOURS["NOT_ASSESSED"]),
    ]


def test_a_review_without_themes_says_so() -> None:
    root = parse_svg(status_chart([], "Chart"))
    assert any("carries a theme" in (t.text or "") for t in root.iter(f"{SVG}text"))
