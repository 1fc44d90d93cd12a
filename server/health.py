"""Liveness and readiness probes."""

from __future__ import annotations

import asyncio
import logging

from starlette.requests import Request
from starlette.responses import JSONResponse

from security.keyring import Keyring
from server.database import UNAVAILABLE, check_connection
from server.metrics import allowed

logger = logging.getLogger("upright.health")

KeyVersions = dict[str, dict[str, int | list[int]]]


async def healthz(request: Request) -> JSONResponse:
    """The process is alive and serving HTTP; says nothing about the database."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    """Ready when the database answers; checked afresh on every call, so it tells the
    truth while the database is down and as soon as it is back.

    To the operator's addresses (`UPRIGHT_METRICS_ALLOW`, loopback by default) both
    answers also list the key versions this process holds: a KEK rotation adds a version
    to every replica's key file before promoting it, and the operator confirms here that
    every replica holds it (the key file is held whatever the database). Others never
    see them: which old versions a replica still holds says whether a stolen backup of
    their time would still open."""
    state = request.app.state
    extra: dict[str, KeyVersions] = {}
    if allowed(state.settings.metrics_allow, request.client.host if request.client else None):
        extra["keys"] = key_versions(state.runtime.keyring)
    try:
        await asyncio.wait_for(check_connection(state.engine), state.settings.readiness_timeout)
    except UNAVAILABLE as error:
        logger.warning("not ready: database unavailable (%s)", type(error).__name__)
        return JSONResponse({"status": "unavailable", "database": "down", **extra}, status_code=503)
    return JSONResponse({"status": "ready", "database": "up", **extra})


def key_versions(keyring: Keyring) -> KeyVersions:
    """Per root, its version numbers and the primary: never a key or a check value."""
    return {
        name: {"versions": sorted(root.versions), "primary": root.primary}
        for name, root in keyring.roots.items()
    }
