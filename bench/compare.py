"""Two versions of the server on the same data, in alternating rounds.

A busy machine drifts by more than a change is worth (the floor itself moved by a
fifth between two runs here), so a change is measured against the code before it at
the same moment: each round serves one scenario from the other checkout, then from
this one, each a fresh `upright serve` (one worker) on the same database.

    git worktree add /tmp/before HEAD~1
    .venv/bin/python -m bench.compare --before /tmp/before --scenario page10 --clients 32
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Sequence
from pathlib import Path

from bench.run import (
    RESULTS,
    ROOT,
    UPRIGHT,
    cpu_ticks,
    drive,
    free_port,
    process_serving,
    server_environment,
    up_to_date,
)


def measure(
    manifest_path: Path, checkout: Path, scenario: str, clients: int, duration: float
) -> tuple[float, float, float]:
    """(requests per second, p50 ms, server CPU ms per request) of one fresh server
    importing its code from `checkout`."""
    manifest = json.loads(manifest_path.read_text())
    port = free_port()
    environment = server_environment(manifest, port, 1)
    environment["PYTHONPATH"] = str(checkout)  # ahead of the editable install
    log = RESULTS.parent / "out" / f"compare-{checkout.name}.log"
    with process_serving([UPRIGHT, "serve"], environment, port, log) as (base, pid):
        drive(manifest_path, base, scenario, clients, 2.0, 1.0)  # caches and plans warm
        before = cpu_ticks([pid])
        result = drive(manifest_path, base, scenario, clients, duration, 0.5)
        ticks = cpu_ticks([pid]) - before
    cpu_ms = ticks / os.sysconf("SC_CLK_TCK") * 1000 / max(1, result["requests"])
    return result["rps"], result["p50"], cpu_ms


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--before", type=Path, required=True, help="the other checkout")
    parser.add_argument("--scale", default="full")
    parser.add_argument("--scenario", default="page10")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--duration", type=float, default=10.0)
    arguments = parser.parse_args(argv)
    manifest = RESULTS.parent / "out" / f"{arguments.scale}.json"
    if not manifest.exists():
        parser.error(f"no {manifest}: run `python -m bench.generate --scale {arguments.scale}`")
    up_to_date(json.loads(manifest.read_text())["database_url"])
    for round_ in range(1, arguments.rounds + 1):
        for label, checkout in (("before", arguments.before.resolve()), ("this", ROOT)):
            rps, p50, cpu = measure(
                manifest, checkout, arguments.scenario, arguments.clients, arguments.duration
            )
            print(
                f"round {round_} {label:6s} {arguments.scenario} at {arguments.clients}: "
                f"{rps:7.1f} req/s  p50 {p50:7.1f} ms  server CPU {cpu:6.2f} ms/request",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
