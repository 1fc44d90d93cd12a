"""Real `upright serve` processes for end-to-end tests, on free ports of 127.0.0.1."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pytest

from bench.run import free_port
from bench.run import wait_until_ready as bench_wait_until_ready

UPRIGHT = str(Path(sys.executable).with_name("upright"))


@dataclass
class Server:
    """A running `upright serve` process and its base URL."""

    base: str
    process: subprocess.Popen[bytes]
    killed: bool = False

    def kill(self) -> None:
        """SIGKILL: no graceful shutdown at all, as when a node dies or the OOM killer
        strikes."""
        self.process.kill()
        self.process.wait(timeout=15)
        self.killed = True


@contextlib.contextmanager
def running_server(
    database_url: str, keys_file: Path, log_path: Path, **environment: str
) -> Iterator[str]:
    """A production server (one worker) until the block ends; its base URL. Its log
    (stdout and stderr) is written to `log_path`."""
    with server_process(database_url, keys_file, log_path, **environment) as server:
        yield server.base


@contextlib.contextmanager
def server_process(
    database_url: str, keys_file: Path, log_path: Path, **environment: str
) -> Iterator[Server]:
    """`running_server` with its process, which the test may kill (`Server.kill`);
    otherwise it must still be running at the end, and shut down gracefully."""
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
        server = Server(base, process)
        try:
            wait_until_ready(base, process, log)
            yield server
        finally:
            if not server.killed:
                # uvicorn shuts down gracefully, then re-raises SIGTERM as its exit status.
                process.send_signal(signal.SIGTERM)
                assert process.wait(timeout=15) in {0, -signal.SIGTERM}
                log.seek(0)
                assert "Finished server process" in log.read()


def wait_until_ready(base: str, process: subprocess.Popen[bytes], log: IO[str]) -> None:
    """Poll /readyz until the process serves (an event to wait for, not a timing); the
    benchmark's own wait, failing the test with the server's log."""
    try:
        bench_wait_until_ready(base, process, log)
    except RuntimeError as error:
        pytest.fail(str(error))
