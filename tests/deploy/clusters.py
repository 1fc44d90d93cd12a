"""A throwaway PostgreSQL cluster of a test's own, which it may stop and start at will:
the shared server at 5432 is never touched."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from bench.run import free_port
from tests.conftest import run_sync

BIN = Path(os.environ.get("UPRIGHT_TEST_POSTGRES_BIN", "/usr/lib/postgresql/15/bin"))
OWNER = "postgres"  # PostgreSQL refuses to run as root


class Cluster:
    def __init__(self, directory: Path, port: int) -> None:
        self.directory = directory
        self.data = directory / "data"
        self.port = port

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://{OWNER}@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1"
        log = self.directory / "postgres.log"
        self._pg_ctl("start", "-w", "-t", "60", "-o", options, "-l", str(log))

    def stop(self, mode: str = "fast") -> None:
        """Stop it, and wait until it has (its port then refuses connections)."""
        self._pg_ctl("stop", "-w", "-t", "60", "-m", mode)

    def running(self) -> bool:
        return self._pg_ctl("status", check=False).returncode == 0

    def create_database(self, name: str) -> str:
        """A new database; its URL."""

        async def create() -> None:
            connection = await asyncpg.connect(
                host="127.0.0.1", port=self.port, user=OWNER, database="postgres"
            )
            try:
                await connection.execute(f'CREATE DATABASE "{name}"')
            finally:
                await connection.close()

        run_sync(create())
        return self.url(name)

    def _pg_ctl(self, *arguments: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return _as_owner([str(BIN / "pg_ctl"), "-D", str(self.data), *arguments], check=check)


def _as_owner(command: list[str], check: bool = True) -> subprocess.CompletedProcess[str]:
    as_owner = ["runuser", "-u", OWNER, "--", *command] if os.geteuid() == 0 else command
    result = subprocess.run(as_owner, capture_output=True, text=True, timeout=120, check=False)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")
    return result


def _skip_reason() -> str | None:
    if not (BIN / "initdb").exists():
        return f"no initdb in {BIN} (set UPRIGHT_TEST_POSTGRES_BIN): no cluster of our own"
    try:
        owner = pwd.getpwnam(OWNER)
    except KeyError:
        return f"no {OWNER} user to run a cluster of our own"
    if os.geteuid() not in (0, owner.pw_uid):
        return f"a cluster of our own needs root or {OWNER} (to run as {OWNER})"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return f"no runuser to run PostgreSQL as {OWNER}"
    return None


@contextlib.contextmanager
def throwaway_cluster() -> Iterator[Cluster]:
    """A new cluster (trust authentication, 127.0.0.1 and a socket in its own
    directory, a free port), started; stopped and deleted at the end, however it ends."""
    reason = _skip_reason()
    if reason is not None:
        pytest.skip(reason)
    # Under /tmp, not pytest's tmp_path: PostgreSQL's user must reach it, and a socket
    # path must stay short.
    directory = Path(tempfile.mkdtemp(prefix="upright-pg-", dir="/tmp"))
    owner = pwd.getpwnam(OWNER)
    os.chown(directory, owner.pw_uid, owner.pw_gid)
    cluster = Cluster(directory, free_port())
    try:
        initdb = [str(BIN / "initdb"), "-D", str(cluster.data), "-U", OWNER]
        _as_owner([*initdb, "--auth=trust", "--encoding=UTF8", "--no-sync"])
        cluster.start()
        yield cluster
    finally:
        if cluster.running():
            cluster.stop("immediate")
        shutil.rmtree(directory, ignore_errors=True)
