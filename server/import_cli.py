"""`upright import ...`: public recommendation databases into the platform.

Exit codes: 0 when the run completed (rejected rows are reported, not fatal: the
valid rows are imported); 2 when a file was refused as a whole (encoding, empty,
wrong columns) and nothing at all was written; 1 when the database failed.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import getpass
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from server.database import create_engine, first_line, safe_url
from server.settings import Settings

if TYPE_CHECKING:
    from schema.imports.parsed import ParseResult, Rejected

# What every importer's `parse` is: (name, data, encoding, into=, progress=).
Parser = Callable[..., "ParseResult"]

SHOWN_REJECTIONS = 20


class RowsPerSecond(ProgressColumn):
    def render(self, task: Task) -> Text:
        elapsed = task.finished_time or task.elapsed
        speed = task.finished_speed or task.speed or (task.completed / elapsed if elapsed else 0)
        return Text(f"{speed:,.0f} rows/s" if speed else "- rows/s", style="progress.data.speed")


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        RowsPerSecond(),
        TimeElapsedColumn(),
        console=console,
    )


def _write_report(path: Path, rejected: list[Rejected]) -> None:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(("file", "row", "reason"))
        writer.writerows((r.file, r.row, r.reason) for r in rejected)


def _summary(kind: str, result: ParseResult, new: int, present: int, dry_run: bool) -> Table:
    title = f"{kind} import (dry run: nothing written)" if dry_run else f"{kind} import"
    table = Table(title=title)
    table.add_column("")
    table.add_column("count", justify="right")
    for label, value in (
        ("rows read", result.rows_read),
        ("recommendations new" + (" (would be)" if dry_run else ""), new),
        ("rows merged into another row", result.merged),
        ("recommendations already present", present),
        ("rows rejected", len(result.rejected)),
    ):
        table.add_row(label, f"{value:,}")
    return table


def register(app: typer.Typer) -> None:
    """Adds `upright import upr-info` and `upright import uhri` to the command."""
    import_app = typer.Typer(help="Import public recommendation databases.", no_args_is_help=True)
    import_app.command("upr-info")(upr_info_command)
    import_app.command("uhri")(uhri_command)
    app.add_typer(import_app, name="import")


Encoding = Annotated[
    str | None, typer.Option(help="The files' encoding when not UTF-8 (e.g. cp1252).")
]
DryRun = Annotated[
    bool, typer.Option("--dry-run", help="Parse and check everything; write nothing.")
]
Report = Annotated[Path | None, typer.Option(help="Write the rejected rows to this CSV file.")]
Operator = Annotated[
    str | None, typer.Option(help="Who runs the import, for the audit (default: OS user).")
]


def upr_info_command(
    files: Annotated[list[Path], typer.Argument(help="CSV exports of the UPR database.")],
    encoding: Encoding = None,
    dry_run: DryRun = False,
    report: Report = None,
    operator: Operator = None,
) -> None:
    """Import the classic public UPR database CSV export.

    Columns To, From, Text, Response, Action, Issue, Session, ... Rejected rows are
    reported with their reason and the valid ones imported; re-running an import adds
    nothing."""
    from schema.imports.upr_info import parse

    _import("upr-info", parse, files, encoding, dry_run, report, operator)


def uhri_command(
    files: Annotated[
        list[Path], typer.Argument(help="CSV or XLSX exports of the Universal Human Rights Index.")
    ],
    encoding: Encoding = None,
    dry_run: DryRun = False,
    report: Report = None,
    operator: Operator = None,
) -> None:
    """Import OHCHR's Universal Human Rights Index export, CSV or XLSX.

    UPR, treaty-body and special-procedure recommendations, OHCHR's themes kept as
    published; a UPR recommendation also in the UPR database export is the same
    recommendation. Rejected rows are reported with their reason and the valid ones
    imported; re-running an import adds nothing."""
    from schema.imports.uhri import parse

    _import("uhri", parse, files, encoding, dry_run, report, operator)


def _import(
    kind: str,
    parse: Parser,
    files: list[Path],
    encoding: str | None,
    dry_run: bool,
    report: Path | None,
    operator: str | None,
) -> None:
    """Every file parsed, then written in batches, summarised and audited as `import.<kind>`."""
    from schema.imports.decoding import FileRefused, check_encoding
    from schema.imports.parsed import ParseResult
    from server.cli import console, fail, load_settings, require_database

    try:
        if encoding is not None:
            check_encoding(encoding)
        sources = [(path.name, path.read_bytes()) for path in files]
    except FileRefused as error:
        fail(f"{error}; nothing imported", code=2)
    except OSError as error:
        fail(f"cannot read {error.filename}: {error.strerror}; nothing imported", code=2)

    # Every file is parsed before anything is written: a refused file stops the run.
    result = ParseResult()
    with _progress(console) as progress:
        for name, data in sources:
            task = progress.add_task(f"reading {name}", total=None)
            try:
                parse(name, data, encoding, into=result, progress=_advance(progress, task))
            except FileRefused as error:
                progress.stop()
                fail(f"{error}; nothing imported", code=2)
            progress.update(task, total=progress.tasks[task].completed)
    settings = load_settings()
    require_database(settings, migrated=True)
    recommendations = list(result.recommendations.values())
    with _progress(console) as progress:
        task = progress.add_task(
            "checking" if dry_run else "writing", total=sum(rec.rows for rec in recommendations)
        )
        try:
            new, present = asyncio.run(
                _write(
                    settings,
                    kind,
                    result,
                    dry_run,
                    operator,
                    [name for name, _ in sources],
                    _advance(progress, task),
                )
            )
        except Exception as error:  # one line, never a traceback
            progress.stop()
            fail(
                f"import into {safe_url(settings.database_url)} stopped: {first_line(error)} "
                "(the batches before it are committed: re-run to complete)"
            )
    console.print(_summary(kind, result, new, present, dry_run))
    for rejected in result.rejected[:SHOWN_REJECTIONS]:
        console.print(f"rejected {rejected.file} row {rejected.row}: {rejected.reason}")
    if len(result.rejected) > SHOWN_REJECTIONS:
        more = len(result.rejected) - SHOWN_REJECTIONS
        console.print(f"... and {more} more" + ("" if report else " (see --report)"))
    if report is not None:
        _write_report(report, result.rejected)
        console.print(f"rejected rows written to {report}")


def _advance(progress: Progress, task: TaskID) -> Callable[[int], None]:
    def advance(rows: int) -> None:
        progress.advance(task, rows)

    return advance


async def _write(
    settings: Settings,
    kind: str,
    result: ParseResult,
    dry_run: bool,
    operator: str | None,
    files: list[str],
    progress: Callable[[int], None],
) -> tuple[int, int]:
    from server.importing import WriteCounts, record_import, write_recommendations

    engine = create_engine(settings)
    counts = WriteCounts()

    async def audit(status: str) -> None:
        await record_import(
            engine,
            f"import.{kind.replace('-', '_')}",
            {
                "status": status,
                "operator": operator or getpass.getuser(),
                "files": files,
                "rows_read": result.rows_read,
                "new": counts.new,
                "merged": result.merged,
                "already_present": counts.already_present,
                "rejected": len(result.rejected),
            },
        )

    try:
        try:
            await write_recommendations(
                engine,
                list(result.recommendations.values()),
                dry_run=dry_run,
                progress=progress,
                counts=counts,
            )
        except Exception:
            # Committed batches are audited too, when the database still answers.
            if counts.new and not dry_run:
                with contextlib.suppress(Exception):
                    await audit("stopped")
            raise
        if not dry_run:
            await audit("completed")
        return counts.new, counts.already_present
    finally:
        await engine.dispose()
