"""Cells of an exported table: multi-valued `- item` cells, cleaning, format by content."""

from __future__ import annotations

import pytest

from schema.imports.tabular import clean, is_xlsx, items


@pytest.mark.parametrize(
    ("cell", "values"),
    [
        ("- Kenya\n- Uganda", ["Kenya", "Uganda"]),
        ("-Kenya\n\n-  Uganda  ", ["Kenya", "Uganda"]),
        ("Kenya", ["Kenya"]),
        ("- Torture and other cruel, inhuman or degrading treatment", [
            "Torture and other cruel, inhuman or degrading treatment"
        ]),
        ("- 16 - Peace, justice and strong institutions", [
            "16 - Peace, justice and strong institutions"
        ]),
        ("", []),
        ("-\n - ", []),
    ],
)  # fmt: skip
def test_items(cell: str, values: list[str]) -> None:
    assert items(cell) == values


def test_clean() -> None:
    assert clean("  Protect defenders &amp; journalists &#40;all&#41;\r\n") == (
        "Protect defenders & journalists (all)"
    )
    assert clean("- a\r- b\r\n- c") == "- a\n- b\n- c"


def test_xlsx_by_signature_or_name() -> None:
    assert is_xlsx("export", b"PK\x03\x04rest")
    assert is_xlsx("Export.XLSX", b"")
    assert not is_xlsx("export.csv", b"Text,Countries Concerned\n")
