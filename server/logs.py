"""Structured logs: one JSON object per line, built from an allow-list.

A log line is assembled from named fields only (`FIELDS`), never from whatever a record
happens to carry: GraphQL variables, request bodies, headers and decrypted values have
no field, so they cannot reach a line even by mistake. Free text (the message) still
passes `redact`, which blanks bearer secrets (`upr_…` tokens), `Authorization` values
and anything that looks like a password or e-mail assignment. An exception is logged as
its type and stack frames (file, line, function), never its message or locals: a
message may quote a value.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import traceback
from pathlib import Path
from typing import Any

import orjson

# The only extra fields a line may carry (`logger.info(..., extra={...})`).
FIELDS = (
    "request_id",
    "organisation",
    "principal",
    "operation",
    "operation_type",
    "status",
    "outcome",
    "codes",
    "duration_ms",
    "cost",
    "method",
    "path",
)

_SECRETS = (
    # Session and API tokens, and anything after "Bearer".
    (re.compile(r"\bupr_[a-z]+_[A-Za-z0-9_\-]+"), "upr_[redacted]"),
    (re.compile(r"(?i)\bbearer\s+\S+"), "Bearer [redacted]"),
    # key=value or "key": "value" for keys that name secrets or personal data.
    (
        re.compile(
            r"(?i)(\"?\b(?:password|passwd|secret|token|authorization|email|phone|"
            r"full_?name|totp|code)\"?\s*[:=]\s*)(\"[^\"]*\"|'[^']*'|\S+)"
        ),
        r"\1[redacted]",
    ),
    (re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}"), "[email redacted]"),
)


def redact(text: str) -> str:
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


def _frames(error: BaseException) -> list[str]:
    return [
        f"{'/'.join(Path(frame.filename).parts[-2:])}:{frame.lineno} in {frame.name}"
        for frame in traceback.extract_tb(error.__traceback__)
    ]


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, redacted message, allowed fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        for name in FIELDS:
            value = record.__dict__.get(name)
            if value is not None:
                line[name] = value
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            line["error"] = {"type": type(error).__name__, "frames": _frames(error)}
        return orjson.dumps(line, default=str).decode()


def uvicorn_log_config(json: bool) -> dict[str, Any]:
    """uvicorn's logging, with our formatter: its own lines become JSON as well, and its
    access log is off (ours is one line per request with more in it, see GraphQLView)."""
    formatter = (
        {"()": f"{__name__}.JsonFormatter"}
        if json
        else {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": formatter},
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": "INFO", "propagate": False},
            "uvicorn.error": {"level": "INFO"},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "upright": {"handlers": ["default"], "level": "INFO", "propagate": False},
        },
    }
