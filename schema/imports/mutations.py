"""`importRecommendations`: a platform admin imports a small public-database file
through the API, for installations where nobody has a shell on the server.

The file travels base64-encoded inside the JSON request (multipart uploads stay off:
one request format, one body limit), at most `MAX_FILE_BYTES` once decoded; large
files go through `upright import`, which streams batches with a progress bar. The
whole file is one transaction: rows are all written or, on any failure, none. It is
the same parsing and writing as the CLI, recorded in the platform audit chain.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import enum
import io
import zipfile
from collections.abc import Callable

import strawberry
from strawberry.types import Info

from schema.audit import PLATFORM_CHAIN, record
from schema.context import Context
from schema.imports.decoding import FileRefused, check_encoding
from schema.imports.parsed import ParseResult
from schema.imports.tabular import is_xlsx
from schema.imports.writing import WriteCounts, write_batch
from schema.payloads import UserError, invalid, reports_user_errors
from security.policy import require_role
from security.roles import Role

MAX_FILE_BYTES = 1024 * 1024  # base64 makes it 1.4 MB: under the 2 MB body limit
MAX_UNPACKED_BYTES = 32 * 1024 * 1024
SHOWN_REJECTIONS = 100


@strawberry.enum(description="The public database a file was exported from.")
class ImportFormat(enum.Enum):
    UPR_INFO = "UPR_INFO"  # the classic UPR database CSV export
    UHRI = "UHRI"  # OHCHR's Universal Human Rights Index, CSV or XLSX


@strawberry.input
class ImportRecommendationsInput:
    format: ImportFormat
    file_name: str = strawberry.field(description="For messages and the audit only.")
    content: str = strawberry.field(
        description=f"The file's bytes, base64-encoded; at most {MAX_FILE_BYTES:,} bytes."
    )
    encoding: str | None = strawberry.field(
        default=None, description="The file's encoding when it is not UTF-8 (e.g. cp1252)."
    )
    dry_run: bool = strawberry.field(
        default=False, description="Parse and check everything; write nothing."
    )


@strawberry.type
class RejectedRow:
    row: int = strawberry.field(description="The CSV record or sheet row; the header is 1.")
    reason: str


@strawberry.type
class ImportResult:
    dry_run: bool
    rows_read: int
    recommendations_new: int
    rows_merged: int = strawberry.field(description="Rows merged into another row of the file.")
    already_present: int
    rejected_count: int
    rejected: list[RejectedRow] = strawberry.field(
        description=f"The first {SHOWN_REJECTIONS} rejected rows with their reason."
    )


@strawberry.type
class ImportRecommendationsPayload:
    user_errors: list[UserError] = strawberry.field(default_factory=list)
    result: ImportResult | None = None


class _DryRun(Exception):
    """Leaves `context.write()` so that everything the dry run wrote is rolled back."""


def _parser(format: ImportFormat) -> Callable[..., ParseResult]:
    if format is ImportFormat.UHRI:
        from schema.imports.uhri import parse as parse_uhri

        return parse_uhri
    from schema.imports.upr_info import parse as parse_upr_info

    return parse_upr_info


def _check_expansion(name: str, data: bytes) -> None:
    """An XLSX file is a ZIP archive: a small one may unpack to gigabytes. Refused
    unless its parts add up to at most `MAX_UNPACKED_BYTES`."""
    if not is_xlsx(name, data):
        return
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(part.file_size for part in archive.infolist())
    except zipfile.BadZipFile:
        raise FileRefused(f"{name}: not a readable XLSX workbook") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise FileRefused(f"{name}: the workbook unpacks to more than {MAX_UNPACKED_BYTES:,} bytes")


def _decoded(content: str) -> bytes:
    if len(content) > (MAX_FILE_BYTES + 2) // 3 * 4 + 4:
        raise invalid(
            "content", f"The file is larger than {MAX_FILE_BYTES:,} bytes: use `upright import`."
        )
    try:
        data = base64.b64decode(content, validate=True)
    except (binascii.Error, ValueError):
        raise invalid("content", "The content is not base64.") from None
    if len(data) > MAX_FILE_BYTES:
        raise invalid(
            "content", f"The file is larger than {MAX_FILE_BYTES:,} bytes: use `upright import`."
        )
    return data


@reports_user_errors(ImportRecommendationsPayload)
async def import_recommendations(
    info: Info[Context, None], input: ImportRecommendationsInput
) -> ImportRecommendationsPayload:
    context = info.context
    require_role(context.principal, Role.PLATFORM_ADMIN)
    data = _decoded(input.content)
    name = input.file_name.strip()[:200] or "upload"
    try:
        encoding = check_encoding(input.encoding) if input.encoding else None
        _check_expansion(name, data)
        # In a thread: a large sheet must not stall every other request of the process.
        parsed = await asyncio.to_thread(_parser(input.format), name, data, encoding)
    except FileRefused as error:
        raise invalid("content", str(error)) from None
    recommendations = list(parsed.recommendations.values())
    counts = WriteCounts()
    try:
        async with context.write() as connection:
            if recommendations:
                counts = await write_batch(connection, recommendations)
            if input.dry_run:
                raise _DryRun
            await record(
                connection,
                PLATFORM_CHAIN,
                f"import.{input.format.value.lower()}",
                context.now(),
                actor_user_id=context.principal.user_id,
                actor_organisation_id=context.principal.organisation_id,
                details={
                    "status": "completed",
                    "via": "graphql",
                    "files": [name],
                    "rows_read": parsed.rows_read,
                    "new": counts.new,
                    "merged": parsed.merged,
                    "already_present": counts.already_present,
                    "rejected": len(parsed.rejected),
                },
            )
    except _DryRun:
        pass
    return ImportRecommendationsPayload(
        result=ImportResult(
            dry_run=input.dry_run,
            rows_read=parsed.rows_read,
            recommendations_new=counts.new,
            rows_merged=parsed.merged,
            already_present=counts.already_present,
            rejected_count=len(parsed.rejected),
            rejected=[
                RejectedRow(row=rejected.row, reason=rejected.reason)
                for rejected in parsed.rejected[:SHOWN_REJECTIONS]
            ],
        )
    )
