"""A real uvicorn process, started by `upright serve`, queried over HTTP."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import httpx
import pytest

UPRIGHT = str(Path(sys.executable).with_name("upright"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def server(database_url: str, keys_file: Path, tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    env = {
        **os.environ,
        "UPRIGHT_DATABASE_URL": database_url,
        "UPRIGHT_PORT": str(port),
        "UPRIGHT_KEYS_FILE": str(keys_file),
    }
    env.pop("UPRIGHT_ENV", None)  # production, the default
    base = f"http://127.0.0.1:{port}"
    with (tmp_path / "server.log").open("w+") as log:
        process = subprocess.Popen(
            [UPRIGHT, "serve", "--workers", "1"], env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            _wait_until_ready(base, process, log)
            yield base
        finally:
            # uvicorn shuts down gracefully, then re-raises SIGTERM as its exit status.
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=15) in {0, -signal.SIGTERM}
            log.seek(0)
            assert "Finished server process" in log.read()


def _wait_until_ready(base: str, process: subprocess.Popen[bytes], log: IO[str]) -> None:
    """Poll /readyz until the process serves (an event to wait for, not a timing)."""
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            log.seek(0)
            pytest.fail(f"server did not start:\n{log.read()}")
        time.sleep(0.1)


def test_graphql_over_http(server: str) -> None:
    query = '{ state(code: "MWI") { name regionalGroup } cycles { number } }'
    response = httpx.post(f"{server}/graphql", json={"query": query}, timeout=10)
    assert response.status_code == 200
    assert response.json() == {
        "data": {
            "state": {"name": "Malawi", "regionalGroup": "AFRICA"},
            "cycles": [{"number": n} for n in (1, 2, 3, 4)],
        }
    }
    # Production by default: no GraphiQL.
    assert (
        httpx.get(f"{server}/graphql", headers={"Accept": "text/html"}, timeout=10).status_code
        == 404
    )
