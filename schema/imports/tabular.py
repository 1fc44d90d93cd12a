"""Rows of an exported table, CSV or XLSX, as cleaned cells under their column names.

Row numbers are what the operator sees: the CSV record or the sheet row, the header
being row 1; blank rows are skipped without renumbering the rest.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence

from schema.imports.decoding import FileRefused

__all__ = ["clean", "csv_rows", "is_xlsx", "items", "records", "xlsx_rows"]

_ZIP_MAGIC = b"PK\x03\x04"


def clean(cell: str) -> str:
    """Entities unescaped, line breaks made LF, surrounding spaces trimmed (each only
    when needed: every cell of an export passes here)."""
    if "&" in cell:
        cell = html.unescape(cell)
    if "\r" in cell:
        cell = cell.replace("\r\n", "\n").replace("\r", "\n")
    return cell.strip()


def items(cell: str) -> list[str]:
    """The values of a multi-valued cell written as `- item` lines, spacing collapsed;
    a cell of one value without the dash is that value."""
    values = []
    for line in cell.split("\n"):
        value = " ".join(line.strip().removeprefix("- ").removeprefix("-").split())
        if value:
            values.append(value)
    return values


def is_xlsx(name: str, data: bytes) -> bool:
    return data.startswith(_ZIP_MAGIC) or name.casefold().endswith(".xlsx")


def csv_rows(text: str) -> Iterator[list[str]]:
    """CR, LF and CRLF all end a line (`newline=""` lets csv see every form)."""
    return csv.reader(io.StringIO(text, newline=""))


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def xlsx_rows(name: str, data: bytes) -> Iterator[list[str]]:
    """The first sheet's rows as text (numbers and dates as the sheet shows them)."""
    from openpyxl import load_workbook  # only XLSX imports pay for loading it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise FileRefused(f"{name}: not a readable XLSX workbook") from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            return
        for row in sheet.iter_rows(values_only=True):
            yield [_cell(value) for value in row]
    finally:
        workbook.close()


def records(
    name: str, rows: Iterable[Sequence[str]], columns: Sequence[str], what: str
) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, cleaned cells by column) per non-blank row; FileRefused when there
    is no header or it lacks one of `columns` (`what` names the expected export), or
    when the CSV itself breaks (a field past the csv module's limit, a NUL byte)."""
    try:
        yield from _records(name, rows, columns, what)
    except csv.Error as error:
        raise FileRefused(f"{name}: not a readable CSV file ({error})") from None


def _records(
    name: str, rows: Iterable[Sequence[str]], columns: Sequence[str], what: str
) -> Iterator[tuple[int, dict[str, str]]]:
    iterator = iter(rows)
    header = next(iterator, None)
    if header is None or not any(cell.strip() for cell in header):
        raise FileRefused(f"{name}: the file is empty (expected a header row)")
    names = [cell.strip() for cell in header]
    missing = [column for column in columns if column not in names]
    if missing:
        raise FileRefused(
            f"{name}: not {what}: missing column(s) {', '.join(missing)} "
            f"(its header has: {', '.join(name for name in names if name) or 'nothing'})"
        )
    positions = {column: names.index(column) for column in columns}
    for number, cells in enumerate(iterator, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        yield (
            number,
            {
                column: clean(cells[index]) if index < len(cells) else ""
                for column, index in positions.items()
            },
        )
