"""Liveness and readiness probes."""

from __future__ import annotations

import asyncio
import logging

from starlette.requests import Request
from starlette.responses import JSONResponse

from server.database import UNAVAILABLE, check_connection

logger = logging.getLogger("upright.health")


async def healthz(request: Request) -> JSONResponse:
    """The process is alive and serving HTTP; says nothing about the database."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    """Ready when the database answers; checked afresh on every call, so it tells the
    truth while the database is down and as soon as it is back."""
    state = request.app.state
    try:
        await asyncio.wait_for(check_connection(state.engine), state.settings.readiness_timeout)
    except UNAVAILABLE as error:
        logger.warning("not ready: database unavailable (%s)", type(error).__name__)
        return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503)
    return JSONResponse({"status": "ready", "database": "up"})
