"""`upright export recommendations`: recommendations as one CSV or JSON file.

It acts as an organisation's API token (from `UPRIGHT_TOKEN` or standard input, never an
argument) and pages through the `exportRecommendations` mutation in-process, so the
file holds exactly what the API gives that token for that recipient (the public by
default), and every page is in the organisation's audit chain. `--recipient` is an
organisation id, or an exact name looked up in the directory as the token sees it.

The pages are joined into one file: the CSV header once, one JSON array. A file named
with `--output` appears only when the whole export succeeded (it is written beside it
and renamed), readable by its owner only unless the export is for the public.

Exit codes: 0 written; 2 the request was refused (no or a refused token, an unknown
recipient, a filter naming nothing); 1 the database or the file failed.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import orjson
import typer

from server.database import first_line, safe_url

if TYPE_CHECKING:
    from schema.context import Context
    from server.settings import Settings

EXPORT = """
mutation Export($input: ExportRecommendationsInput!) {
  exportRecommendations(input: $input) {
    userErrors { field message }
    export { content count endCursor hasNextPage }
  }
}
"""
DIRECTORY = """
query Directory($after: String) {
  organisations(first: 100, after: $after) {
    nodes { id name }
    pageInfo { hasNextPage endCursor }
  }
}
"""


class NoExport(Exception):
    """The request cannot give an export; the message is safe to print."""


class FileFormat(enum.StrEnum):
    CSV = "csv"
    JSON = "json"


def register(app: typer.Typer) -> None:
    """Adds `upright export recommendations` to the command."""
    export_app = typer.Typer(help="Exports made as an API token.", no_args_is_help=True)
    export_app.command("recommendations")(recommendations_command)
    app.add_typer(export_app, name="export")


def recommendations_command(
    recipient: Annotated[
        str | None,
        typer.Option(help="Who it is for: an organisation's id or exact name (default: public)."),
    ] = None,
    file_format: Annotated[FileFormat, typer.Option("--format", help="csv or json.")] = (
        FileFormat.CSV
    ),
    output: Annotated[
        Path | None, typer.Option(help="The file to write (default: standard output).")
    ] = None,
    state: Annotated[str | None, typer.Option(help="ISO code of the state.")] = None,
    cycle: Annotated[int | None, typer.Option(help="UPR cycle.")] = None,
    session: Annotated[int | None, typer.Option(help="UPR Working Group session.")] = None,
    review: Annotated[str | None, typer.Option(help="A review's id.")] = None,
    theme: Annotated[list[str] | None, typer.Option(help="A theme code (repeatable).")] = None,
    response: Annotated[
        list[str] | None, typer.Option(help="SUPPORTED, NOTED, ... (repeatable).")
    ] = None,
    status: Annotated[
        list[str] | None, typer.Option(help="A latest implementation status (repeatable).")
    ] = None,
    search: Annotated[str | None, typer.Option(help="Words of the text.")] = None,
    page_size: Annotated[int, typer.Option(help="Recommendations per request.")] = 500,
) -> None:
    """Export the recommendations a filter selects, with each organisation's latest
    assessment, holding only what your organisation and the recipient may both see. The
    API token comes from UPRIGHT_TOKEN or standard input."""
    from server.cli import console, fail, load_settings, require_database
    from server.token_cli import Refused, TokenRefused, read_token

    try:
        token = read_token()
    except TokenRefused as error:
        fail(str(error), code=2)
    settings = load_settings()
    require_database(settings, migrated=True)
    given = {
        "state": state,
        "cycle": cycle,
        "session": session,
        "review": review,
        "themes": theme,
        "responses": [value.upper() for value in response] if response else None,
        "implementationStatuses": [value.upper() for value in status] if status else None,
        "search": search,
    }
    asked = {name: value for name, value in given.items() if value is not None}
    try:
        with _destination(output, private=recipient is not None) as sink:
            writer = PageWriter(sink, file_format)
            count = asyncio.run(_export(settings, token, recipient, asked, page_size, writer))
    except (NoExport, TokenRefused) as error:
        fail(str(error), code=2)
    except Refused as error:
        server_side = error.code in ("INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE")
        fail(f"refused ({error.code}): {error}", code=1 if server_side else 2)
    except OSError as error:
        if error.filename is None:
            fail(f"export from {safe_url(settings.database_url)} failed: {first_line(error)}")
        fail(f"cannot write {error.filename}: {error.strerror}")
    except Exception as error:  # one line, never a traceback
        fail(f"export from {safe_url(settings.database_url)} failed: {first_line(error)}")
    console.print(f"{count} recommendations exported" + (f" to {output}" if output else ""))


async def _export(
    settings: Settings,
    token: str,
    recipient: str | None,
    asked: dict[str, Any],
    page_size: int,
    writer: PageWriter,
) -> int:
    from server.token_cli import run, token_context

    async with token_context(settings, token) as context:
        given: dict[str, Any] = {"format": writer.format.name, "first": page_size}
        if recipient is not None:
            given["recipient"] = await recipient_id(context, recipient)
        if asked:
            given["filter"] = asked
        count, after = 0, None
        while True:
            data = await run(context, EXPORT, {"input": {**given, "after": after}})
            payload = data["exportRecommendations"]
            if payload["userErrors"]:
                error = payload["userErrors"][0]
                raise NoExport(f"{error['field'] or 'input'}: {error['message']}")
            page = payload["export"]
            writer.write(page["content"])
            count += int(page["count"])
            if not page["hasNextPage"]:
                break
            after = page["endCursor"]
        writer.close()
        return count


async def recipient_id(context: Context, recipient: str) -> str:
    """An Organisation id as given, else the id of the one organisation of exactly that
    name in the directory as the token sees it."""
    from schema.errors import BadUserInput
    from schema.relay import from_global_id
    from server.token_cli import run

    with contextlib.suppress(BadUserInput):
        if from_global_id(recipient)[0] == "Organisation":
            return recipient
    found: list[str] = []
    after = None
    while True:
        page = (await run(context, DIRECTORY, {"after": after}))["organisations"]
        found += [node["id"] for node in page["nodes"] if node["name"] == recipient]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    if not found:
        raise NoExport("no organisation of that name in the directory you see")
    if len(found) > 1:
        raise NoExport("several organisations have that name: give its id")
    return found[0]


class PageWriter:
    """Pages of CSV or JSON into one file: the CSV header once, one JSON array."""

    def __init__(self, sink: TextIO, file_format: FileFormat) -> None:
        self.sink = sink
        self.format = file_format
        self.header: str | None = None
        self.items = 0

    def write(self, content: str) -> None:
        if self.format is FileFormat.CSV:
            header = content[: content.index("\n") + 1]
            if self.header is None:
                self.header = header
                self.sink.write(content)
            elif header != self.header:
                raise NoExport("the export changed its columns between pages: run it again")
            else:
                self.sink.write(content[len(header) :])
            return
        for item in orjson.loads(content):
            self.sink.write("[" if self.items == 0 else ",")
            self.sink.write(orjson.dumps(item).decode())
            self.items += 1

    def close(self) -> None:
        if self.format is FileFormat.JSON:
            self.sink.write(("[]" if self.items == 0 else "]") + "\n")


@contextlib.contextmanager
def _destination(output: Path | None, private: bool) -> Iterator[TextIO]:
    """Standard output, or `output` written beside it and renamed into place only when
    the export completed; owner-only unless the export is for the public."""
    if output is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    partial = output.with_name(f".{output.name}.partial")
    partial.unlink(missing_ok=True)
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600 if private else 0o644)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as file:
            yield file
        partial.replace(output)
    finally:
        partial.unlink(missing_ok=True)
