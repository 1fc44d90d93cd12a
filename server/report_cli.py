"""`upright report midterm`: the mid-term report of a review, as HTML and Markdown files.

It acts as an organisation's API token (from `UPRIGHT_TOKEN` or standard input, never an
argument) and runs the `midtermReport` GraphQL query in-process, so a file holds exactly
what the API gives that token for that audience: the public by default, or one of the
organisation's coalitions (`--audience coalition:NAME`, looked up among the token's
coalitions by name through the `coalitions` query).

It writes `midterm-<STATE>-cycle<N>-<audience>.html` (self-contained), `.md`, and the
chart as `.svg` next to the Markdown, and prints their paths. A coalition's files are
readable by their owner only: they hold what the coalition shares.

Exit codes: 0 written; 2 the request was refused (no or a refused token, an unknown
state, cycle or coalition, no review in that cycle, a malformed `--audience`); 1 the
database or the files failed.
"""

from __future__ import annotations

import asyncio
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from server.database import first_line, safe_url

if TYPE_CHECKING:
    from schema.context import Context
    from server.settings import Settings

PUBLIC = "public"
COALITION_PREFIX = "coalition:"


class NoReport(Exception):
    """The request cannot give a report; the message is safe to print."""


@dataclass(frozen=True, slots=True)
class Asked:
    state: str
    cycle: int
    coalition: str | None  # its name; None for the public


def register(app: typer.Typer) -> None:
    """Adds `upright report midterm` to the command."""
    report_app = typer.Typer(
        help="Reports for an audience, made as an API token.", no_args_is_help=True
    )
    report_app.command("midterm")(midterm_command)
    app.add_typer(report_app, name="report")


def parse_audience(value: str) -> str | None:
    """The coalition name of `coalition:NAME`; None for `public`."""
    if value.strip().lower() == PUBLIC:
        return None
    if value.startswith(COALITION_PREFIX) and value[len(COALITION_PREFIX) :].strip():
        return value[len(COALITION_PREFIX) :].strip()
    raise NoReport("--audience is `public` or `coalition:NAME`")


def file_stem(report: dict[str, Any]) -> str:
    """midterm-KEN-cycle3-public, or -coalition-<name as a slug>."""
    audience = report["audience"]
    suffix = PUBLIC
    if audience["kind"] == "COALITION":
        slug = re.sub(r"[^a-z0-9]+", "-", audience["coalitionName"].lower()).strip("-")
        suffix = f"coalition-{slug[:40] or 'unnamed'}"
    return f"midterm-{report['state']['code']}-cycle{report['cycle']}-{suffix}"


def midterm_command(
    state: Annotated[str, typer.Option(help="ISO 3166-1 code of the state, e.g. KEN.")],
    cycle: Annotated[int, typer.Option(help="The UPR cycle of the review.")],
    audience: Annotated[
        str, typer.Option(help="`public` (the default) or `coalition:NAME`.")
    ] = PUBLIC,
    output_dir: Annotated[
        Path, typer.Option(help="Where to write the files (made if missing).")
    ] = Path("."),
) -> None:
    """Write the mid-term report of STATE's review in CYCLE for an audience, as HTML and
    Markdown: per recommendation its response, category, themes and the latest
    assessments the audience may see; counts; a chart by theme; activities held. The API
    token comes from UPRIGHT_TOKEN or standard input."""
    from server.cli import fail, load_settings, require_database
    from server.token_cli import Refused, TokenRefused, read_token

    try:
        asked = Asked(state, cycle, parse_audience(audience))
        token = read_token()
    except (NoReport, TokenRefused) as error:
        fail(str(error), code=2)
    settings = load_settings()
    require_database(settings, migrated=True)
    try:
        report = asyncio.run(_read(settings, token, asked))
    except (NoReport, TokenRefused) as error:
        fail(str(error), code=2)
    except Refused as error:
        server_side = error.code in ("INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE")
        fail(f"refused ({error.code}): {error}", code=1 if server_side else 2)
    except Exception as error:  # one line, never a traceback
        fail(f"report from {safe_url(settings.database_url)} failed: {first_line(error)}")
    try:
        for path in write_report(report, output_dir):
            typer.echo(path)
    except OSError as error:
        fail(f"cannot write {error.filename}: {error.strerror}")


async def _read(settings: Settings, token: str, asked: Asked) -> dict[str, Any]:
    from server.reports.query import MIDTERM_REPORT
    from server.token_cli import run, token_context

    async with token_context(settings, token) as context:
        audience = None
        if asked.coalition is not None:
            audience = {"coalitionId": await _coalition_id(context, asked.coalition)}
        variables = {"state": asked.state, "cycle": asked.cycle, "audience": audience}
        data = await run(context, MIDTERM_REPORT, variables)
    report: dict[str, Any] | None = data["midtermReport"]
    if report is None:
        raise NoReport(f"{asked.state} had no review in cycle {asked.cycle}")
    return report


async def _coalition_id(context: Context, name: str) -> str:
    """The id of the one coalition of that name the token's organisation is active in."""
    from server.reports.query import COALITIONS
    from server.token_cli import run

    found: list[str] = []
    after = None
    while True:
        page = (await run(context, COALITIONS, {"after": after}))["coalitions"]
        found += [
            node["id"]
            for node in page["nodes"]
            if node["name"] == name and node["myStatus"] == "ACTIVE"
        ]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    if not found:
        raise NoReport("no coalition of that name that your organisation is active in")
    if len(found) > 1:
        raise NoReport("several of your coalitions have that name")
    return found[0]


def write_report(report: dict[str, Any], directory: Path) -> list[Path]:
    """The HTML, the Markdown and the chart it links, in `directory`."""
    from server.reports.chart import status_chart
    from server.reports.html import render_html
    from server.reports.markdown import render_markdown

    directory.mkdir(parents=True, exist_ok=True)
    stem = file_stem(report)
    chart = directory / f"{stem}.svg"
    documents = {
        directory / f"{stem}.html": render_html(report),
        directory / f"{stem}.md": render_markdown(report, chart.name),
        chart: status_chart(report["statusByTheme"], "Implementation status by theme"),
    }
    private = report["audience"]["kind"] != "PUBLIC"
    for path, content in documents.items():
        _write(path, content, private)
    return list(documents)


def _write(path: Path, content: str, private: bool) -> None:
    """Written beside and renamed: a file appears whole or not at all. A private one is
    created readable by its owner only."""
    partial = path.with_name(f".{path.name}.partial")
    partial.unlink(missing_ok=True)
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600 if private else 0o644)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(content)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
