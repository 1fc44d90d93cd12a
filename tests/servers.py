"""Real `upright serve` processes for end-to-end tests, on free ports of 127.0.0.1."""

from __future__ import annotations

import contextlib
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def running_server(
    database_url: str, keys_file: Path, log_path: Path, **environment: str
) -> Iterator[str]:
    """A production server (one worker) until the block ends; its base URL. Its log
    (stdout and stderr) is written to `log_path`."""
    port = free_port()
    env = {
        **os.environ,
        "UPRIGHT_DATABASE_URL": database_url,
        "UPRIGHT_PORT": str(port),
        "UPRIGHT_KEYS_FILE": str(keys_file),
        **environment,
    }
    env.pop("UPRIGHT_ENV", None)  # production, the default
    base = f"http://127.0.0.1:{port}"
    with log_path.open("w+") as log:
        process = subprocess.Popen(
            [UPRIGHT, "serve", "--workers", "1"], env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            wait_until_ready(base, process, log)
            yield base
        finally:
            # uvicorn shuts down gracefully, then re-raises SIGTERM as its exit status.
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=15) in {0, -signal.SIGTERM}
            log.seek(0)
            assert "Finished server process" in log.read()


def wait_until_ready(base: str, process: subprocess.Popen[bytes], log: IO[str]) -> None:
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
