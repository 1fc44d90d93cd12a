"""The whole load benchmark in one command, appended to bench/RESULTS.md.

    .venv/bin/python -m bench.run --scale small

Ensures the data (`bench.generate` when `bench/out/<scale>.json` is missing, or with
`--regenerate`), counts the SQL statements of each request in process, captures those
of the pages for the floor, then: the server (`upright serve`, one worker) under each
scenario at 1 and 32 clients, the floor (`bench.floor`, same SQL with asyncpg and
orjson) for the pages, and the same with two workers for the pages. Load comes from
`bench.load` in a separate process. Peak server RSS is the worker's VmHWM. The table
(date, commit, machine, scale) is printed and appended to bench/RESULTS.md; the targets
of issue 8 are printed met or not met.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import math
import os
import pickle
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from bench.load import SCENARIOS

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
RESULTS = ROOT / "bench" / "RESULTS.md"
PYTHON = sys.executable
UPRIGHT = str(Path(sys.executable).with_name("upright"))
ORDER = ["page50", "page10", "search", "timeline", "stats", "contacts", "assess"]
MAIN = ["page50", "page10"]  # repeated with two workers, and against the floor
DATA = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")
# Budgets far above what a run spends: a load run is one viewer sending thousands of
# requests an hour, which the production budgets rightly stop.
LOAD_ENVIRONMENT = {
    "UPRIGHT_HOURLY_COST_BUDGET": str(10**12),
    "UPRIGHT_HOURLY_COST_BUDGET_ANONYMOUS": str(10**12),
    "UPRIGHT_MAX_QUERY_COST": str(10**9),
}


@dataclass
class Row:
    """One line of the table."""

    server: str  # "1 worker", "2 workers", "floor (1 worker)"…
    scenario: str
    clients: int
    rps: float
    p50: float
    p95: float
    p99: float
    errors: int
    statements: int | None = None
    rss_mb: float | None = None
    ratio_rps: float | None = None
    ratio_p50: float | None = None
    server_cpu_ms: float | None = None  # server CPU per request (all its processes)
    driver_cpu: float = 0.0  # share of one core
    error_samples: tuple[str, ...] = ()

    @classmethod
    def of(cls, server: str, result: dict[str, Any]) -> Row:
        return cls(
            server=server,
            scenario=result["scenario"],
            clients=result["clients"],
            rps=result["rps"],
            p50=result["p50"],
            p95=result["p95"],
            p99=result["p99"],
            errors=result["errors"],
            driver_cpu=result["driver_cpu"],
            error_samples=tuple(result.get("error_samples", ())),
        )


# --- processes -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_ready(base: str, process: subprocess.Popen[bytes], log: IO[str]) -> None:
    """Poll /readyz until the process serves (raises with its log if it stops)."""
    import httpx

    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            log.seek(0)
            raise RuntimeError(f"server did not start:\n{log.read()[-3000:]}")
        time.sleep(0.1)


@contextlib.contextmanager
def process_serving(
    command: Sequence[str], environment: dict[str, str], port: int, log_path: Path
) -> Iterator[tuple[str, int]]:
    """(base URL, pid) of a server process until the block ends (SIGTERM, then wait)."""
    base = f"http://127.0.0.1:{port}"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w+") as log:
        process = subprocess.Popen(
            list(command), env=environment, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT
        )
        try:
            wait_until_ready(base, process, log)
            yield base, process.pid
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def server_environment(manifest: dict[str, Any], port: int, workers: int) -> dict[str, str]:
    environment = {
        **os.environ,
        "UPRIGHT_DATABASE_URL": manifest["database_url"],
        "UPRIGHT_KEYS_FILE": str(manifest["keys_file"]),
        "UPRIGHT_PORT": str(port),
        "UPRIGHT_WORKERS": str(workers),
        **LOAD_ENVIRONMENT,
    }
    environment.pop("UPRIGHT_ENV", None)  # production, unless the manifest says otherwise
    environment.update(manifest.get("environment", {}))
    return environment


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (from /proc/<pid>/task/*/children)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            for child in (task / "children").read_text().split():
                found += [int(child), *descendants(int(child))]
    return found


def workers_of(pid: int) -> list[int]:
    """The processes that serve: `pid` itself with one worker, else its worker children
    (multiprocessing spawns them: `spawn_main` in their command line; the resource
    tracker is not one)."""
    children = []
    for child in descendants(pid):
        with contextlib.suppress(OSError):
            command = Path(f"/proc/{child}/cmdline").read_bytes()
            if b"spawn_main" in command and b"resource_tracker" not in command:
                children.append(child)
    return children or [pid]


def peak_rss_kb(status: str) -> int:
    """VmHWM (peak resident set) in kB from the text of /proc/<pid>/status."""
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise ValueError("no VmHWM in the status")


def peak_rss_mb(pids: Sequence[int]) -> float:
    """The largest peak RSS among `pids` (a worker's), in MB."""
    peaks = []
    for pid in pids:
        with contextlib.suppress(OSError):
            peaks.append(peak_rss_kb(Path(f"/proc/{pid}/status").read_text()))
    return max(peaks, default=0) / 1024


def cpu_ticks(pids: Sequence[int]) -> int:
    """utime + stime of `pids` in clock ticks."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total


def drive(
    manifest_path: Path,
    base: str,
    scenario: str,
    clients: int,
    duration: float,
    warmup: float,
    floor: bool = False,
) -> dict[str, Any]:
    """One run of `bench.load` in its own process; its JSON result."""
    command = [
        PYTHON, "-m", "bench.load", "--manifest", str(manifest_path), "--url", base,
        "--scenario", scenario, "--clients", str(clients),
        "--duration", str(duration), "--warmup", str(warmup),
    ]  # fmt: skip
    if floor:
        command.append("--floor")
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"bench.load failed: {done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# --- data and statements ---------------------------------------------------------------


def up_to_date(database_url: str) -> None:
    """A dataset made before the latest migration, brought up to it as a deployment
    would be (the server starts only on a database at its own revision), then vacuumed
    as `bench.generate` leaves a new one. `compare.py` across a migration needs the
    migration in the other checkout too (cherry-pick it there)."""
    from bench.floor import asyncpg_dsn
    from server.database import create_engine
    from server.migrate import current_revision, head_revision, upgrade
    from server.settings import Settings

    async def revision() -> str | None:
        engine = create_engine(Settings(database_url=database_url))
        try:
            return await current_revision(engine)
        finally:
            await engine.dispose()

    async def vacuum() -> None:
        import asyncpg  # type: ignore[import-untyped]

        connection = await asyncpg.connect(asyncpg_dsn(database_url))
        try:
            await connection.execute("VACUUM ANALYZE")
        finally:
            await connection.close()

    if asyncio.run(revision()) == head_revision():
        return
    print("migrating the dataset to the latest revision", flush=True)
    upgrade(database_url)
    asyncio.run(vacuum())


def ensure_manifest(scale: str, database_url: str | None, regenerate: bool) -> Path:
    path = OUT / f"{scale}.json"
    if path.exists() and not regenerate:
        up_to_date(json.loads(path.read_text())["database_url"])
        return path
    url = database_url or f"postgresql+asyncpg://postgres@127.0.0.1:5432/bench_{scale}"
    print(f"generating the {scale} dataset into {url.split('@')[-1]}", flush=True)
    subprocess.run(
        [PYTHON, "-m", "bench.generate", "--scale", scale, "--database-url", url],
        cwd=ROOT,
        check=True,
    )
    if not path.exists():
        raise RuntimeError(f"bench.generate wrote no {path}")
    return path


async def capture(manifest: dict[str, Any]) -> tuple[dict[str, int], dict[str, Any]]:
    """In process, on the manifest's database: the data statements each scenario sends
    (its second request, caches warm), and the page requests' statements with their
    parameters (reads only), for the floor to replay."""
    import httpx
    from sqlalchemy import event

    from server.app import create_app
    from server.settings import Settings

    environment = {
        key.removeprefix("UPRIGHT_").lower(): value
        for key, value in {**LOAD_ENVIRONMENT, **manifest.get("environment", {})}.items()
    }
    settings = Settings(
        database_url=manifest["database_url"],
        keys_file=Path(manifest["keys_file"]),
        **environment,
    )
    app = create_app(settings, tune_gc=False)
    counts: dict[str, int] = {}
    captured: dict[str, list[tuple[str, list[Any]]]] = {}
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith(DATA) and statement.strip() != "SELECT 1":
            seen.append((statement, parameters))

    async with app.router.lifespan_context(app):
        event.listen(app.state.engine.sync_engine, "before_cursor_execute", record)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            for name in ORDER:
                scenario = SCENARIOS[name]
                headers = {
                    "Authorization": f"Bearer {manifest[scenario.credential]}",
                    "Content-Type": "application/json",
                }
                ids = manifest["recommendation_ids"]
                for attempt in range(2):
                    seen.clear()
                    body = scenario.body(manifest, ids[-1 - attempt])
                    response = await http.post("/graphql", content=body, headers=headers)
                    answer = response.json()
                    if response.status_code != 200 or "errors" in answer:
                        raise RuntimeError(f"{name}: {response.status_code} {response.text}")
                counts[name] = len(seen)
                if scenario.floor is not None:
                    captured[scenario.floor] = [
                        (statement, list(parameters or ()))
                        for statement, parameters in seen
                        if statement.lstrip().upper().startswith(("SELECT", "WITH"))
                    ]
    return counts, captured


# --- the table -------------------------------------------------------------------------


def machine() -> str:
    memory = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024**2:.1f} GiB"
    return f"{os.cpu_count()} cores, {memory}"


def commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    return done.stdout.strip() or "?"


def number(value: float | None, digits: int = 1) -> str:
    if value is None or math.isnan(value):
        return "–"
    return f"{value:,.{digits}f}"


def render(rows: Sequence[Row], heading: str) -> str:
    """The Markdown section for one run."""
    lines = [
        heading,
        "",
        "| server | request | clients | req/s | p50 ms | p95 ms | p99 ms | × floor req/s "
        "| × floor p50 | SQL/request | server CPU ms/req | peak RSS MB | errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        title = SCENARIOS[row.scenario.removeprefix("floor ")].title
        lines.append(
            f"| {row.server} | {title} | {row.clients} | {number(row.rps)} | {number(row.p50)} "
            f"| {number(row.p95)} | {number(row.p99)} | {number(row.ratio_rps, 2)} "
            f"| {number(row.ratio_p50, 2)} "
            f"| {row.statements if row.statements is not None else '–'} "
            f"| {number(row.server_cpu_ms, 2)} | {number(row.rss_mb, 0)} | {row.errors} |"
        )
    return "\n".join(lines) + "\n"


def apply_floor(rows: Sequence[Row]) -> None:
    """Each server row of a page gets its ratios to the floor row of the same page,
    clients and worker count (× req/s: server / floor; × p50: server / floor)."""
    floors = {
        (row.server.removeprefix("floor, "), row.scenario.removeprefix("floor "), row.clients): row
        for row in rows
        if row.server.startswith("floor")
    }
    for row in rows:
        floor = floors.get((row.server, row.scenario, row.clients))
        if floor is not None and not row.server.startswith("floor"):
            row.ratio_rps = row.rps / floor.rps if floor.rps else None
            row.ratio_p50 = row.p50 / floor.p50 if floor.p50 else None


def targets(
    rows: Sequence[Row], counts: dict[str, int], soak: Row | None, registry: float | None
) -> list[tuple[str, str, bool | None]]:
    """(target, measured, met) for issue 8's targets; met None when not measured."""

    def find(scenario: str, clients: int, server: str = "1 worker") -> Row | None:
        for row in rows:
            if (row.server, row.scenario, row.clients) == (server, scenario, clients):
                return row
        return None

    found: list[tuple[str, str, bool | None]] = []

    def ratio(scenario: str, clients: int, bound: float, label: str) -> None:
        row = find(scenario, clients)
        value = row.ratio_rps if row else None
        found.append((label, number(value, 3), None if value is None else value >= bound))

    ratio("page50", 32, 0.18, "page of 50, 32 clients: ≥ 0.18 × floor req/s")
    ratio("page10", 32, 0.5, "page of 10, 32 clients: ≥ 0.5 × floor req/s")
    row = find("page50", 1)
    p50 = row.ratio_p50 if row else None
    found.append(
        ("page of 50, 1 client: p50 within 4 × floor's", number(p50, 2),
         None if p50 is None else p50 <= 4)
    )  # fmt: skip
    same = counts.get("page10") == counts.get("page50")
    found.append(
        ("SQL statements equal at 10 and 50",
         f"{counts.get('page10')} and {counts.get('page50')}", same)
    )  # fmt: skip
    row = find("search", 1)
    found.append(
        ("search with a filter, 1 client: p95 < 50 ms", number(row.p95 if row else None),
         None if row is None else row.p95 < 50)
    )  # fmt: skip
    if soak is None:
        found.append(("32 clients 60 s: no errors, RSS < 300 MB", "not run (--soak)", None))
    else:
        found.append(
            ("32 clients 60 s: no errors, RSS < 300 MB",
             f"{soak.errors} errors, {number(soak.rss_mb, 0)} MB",
             soak.errors == 0 and (soak.rss_mb or 0) < 300)
        )  # fmt: skip
    found.append(
        ("contacts page decryption overhead < 15%",
         "not run (--registry-overhead)" if registry is None else f"{registry:.1f}%",
         None if registry is None else registry < 15)
    )  # fmt: skip
    return found


def render_errors(rows: Sequence[Row]) -> str:
    """What the errors were (a few of each line's), or nothing when there were none."""
    lines = []
    for row in rows:
        for sample in row.error_samples:
            text = " ".join(sample.split()).replace("`", "'")[:300]
            lines.append(f"- {row.server}, {row.scenario}, {row.clients} clients: `{text}`")
    return ("Errors seen:\n\n" + "\n".join(lines) + "\n\n") if lines else ""


def render_targets(found: Sequence[tuple[str, str, bool | None]]) -> str:
    lines = ["| target | measured | |", "|---|---|---|"]
    for label, measured, met in found:
        verdict = "not measured" if met is None else "met" if met else "**not met**"
        lines.append(f"| {label} | {measured} | {verdict} |")
    return "\n".join(lines) + "\n"


async def admin(database_url: str, *statements: str) -> None:
    """Statements on the maintenance database of the manifest's server (CREATE/DROP)."""
    import asyncpg  # type: ignore[import-untyped]

    from bench.floor import asyncpg_dsn

    connection = await asyncpg.connect(asyncpg_dsn(database_url.rsplit("/", 1)[0] + "/postgres"))
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


def registry_overhead(database_url: str) -> float | None:
    """bench.registry_overhead's overhead (%) on PostgreSQL, on a database of its own
    (created empty and dropped afterwards)."""
    import re

    name = "bench_registry_overhead"
    url = database_url.rsplit("/", 1)[0] + "/" + name
    drop = f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    asyncio.run(admin(database_url, drop, f"CREATE DATABASE {name}"))
    try:
        done = subprocess.run(
            [PYTHON, "-m", "bench.registry_overhead", "--database-url", url, "--rounds", "100"],
            capture_output=True, text=True, cwd=ROOT, check=False,
        )  # fmt: skip
    finally:
        asyncio.run(admin(database_url, drop))
    match = re.search(r"encryption overhead: ([0-9.]+)%", done.stdout)
    if match is None:
        print(done.stdout[-2000:], done.stderr[-2000:])
        return None
    return float(match.group(1))


# --- the run ---------------------------------------------------------------------------


def measure_server(
    manifest: dict[str, Any],
    manifest_path: Path,
    workers: int,
    scenarios: Sequence[str],
    clients: Sequence[int],
    duration: float,
    warmup: float,
    logs: Path,
) -> list[Row]:
    port = free_port()
    label = "1 worker" if workers == 1 else f"{workers} workers"
    rows = []
    command = [UPRIGHT, "serve", "--workers", str(workers)]
    environment = server_environment(manifest, port, workers)
    with process_serving(command, environment, port, logs / f"server-{workers}.log") as (
        base,
        pid,
    ):
        served = workers_of(pid)
        for scenario in scenarios:
            for count in clients:
                processes = [pid, *descendants(pid)]
                before = cpu_ticks(processes)
                result = drive(manifest_path, base, scenario, count, duration, warmup)
                ticks = cpu_ticks(processes) - before
                row = Row.of(label, result)
                row.rss_mb = peak_rss_mb(served)
                seconds = ticks / os.sysconf("SC_CLK_TCK")
                # The window is measured; the warm-up's CPU is spread over all requests
                # sent, estimated from the rate.
                sent = row.rps * (duration + warmup)
                row.server_cpu_ms = seconds * 1000 / sent if sent else None
                rows.append(row)
                report(row)
    return rows


def measure_floor(
    manifest: dict[str, Any],
    manifest_path: Path,
    statements: Path,
    workers: int,
    scenarios: Sequence[str],
    clients: Sequence[int],
    duration: float,
    warmup: float,
    logs: Path,
) -> list[Row]:
    port = free_port()
    label = "floor, " + ("1 worker" if workers == 1 else f"{workers} workers")
    command = [
        PYTHON, "-m", "bench.floor", "--statements", str(statements),
        "--database-url", manifest["database_url"], "--port", str(port),
        "--workers", str(workers),
    ]  # fmt: skip
    rows = []
    with process_serving(command, dict(os.environ), port, logs / f"floor-{workers}.log") as (
        base,
        pid,
    ):
        served = workers_of(pid)
        for scenario in scenarios:
            for count in clients:
                processes = [pid, *descendants(pid)]
                before = cpu_ticks(processes)
                result = drive(manifest_path, base, scenario, count, duration, warmup, True)
                ticks = cpu_ticks(processes) - before
                row = Row.of(label, result)
                row.rss_mb = peak_rss_mb(served)
                sent = row.rps * (duration + warmup)
                seconds = ticks / os.sysconf("SC_CLK_TCK")
                row.server_cpu_ms = seconds * 1000 / sent if sent else None
                rows.append(row)
                report(row)
    return rows


def report(row: Row) -> None:
    print(
        f"  {row.server:18} {row.scenario:14} {row.clients:3} clients: {row.rps:8.1f} req/s"
        f"  p50 {row.p50:7.1f}  p95 {row.p95:7.1f}  p99 {row.p99:7.1f} ms"
        f"  errors {row.errors}  driver CPU {row.driver_cpu:.0%} of a core",
        flush=True,
    )


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default="small")
    parser.add_argument("--manifest", type=Path, help="default: bench/out/<scale>.json")
    parser.add_argument("--database-url", help="for bench.generate (default: bench_<scale>)")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--duration", type=float, default=12.0, help="seconds measured")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--clients", default="1,32")
    parser.add_argument("--workers", default="1,2", help="server worker counts")
    parser.add_argument("--scenarios", default=",".join(ORDER))
    parser.add_argument("--soak", action="store_true", help="also 32 clients for 60 s")
    parser.add_argument(
        "--registry-overhead", action="store_true", help="also run bench.registry_overhead"
    )
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--no-append", action="store_true", help="print only")
    return parser.parse_args(argv)


def write(text: str, results: Path) -> None:
    exists = results.exists()
    with results.open("a") as file:
        if not exists:
            file.write("# Load benchmark results (`python -m bench.run`)\n\n")
        file.write(text + "\n")
    print(f"appended to {results}")


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parse(argv)
    started, load_before = time.monotonic(), os.getloadavg()[0]
    if arguments.manifest is not None and not arguments.regenerate:
        manifest_path = arguments.manifest
    else:
        manifest_path = ensure_manifest(
            arguments.scale, arguments.database_url, arguments.regenerate
        )
    manifest = json.loads(manifest_path.read_text())
    clients = [int(part) for part in arguments.clients.split(",")]
    worker_counts = [int(part) for part in arguments.workers.split(",")]
    scenarios = [name for name in ORDER if name in arguments.scenarios.split(",")]
    logs = OUT / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    counts, captured = asyncio.run(capture(manifest))
    statements = OUT / f"floor-{manifest['scale']}.pickle"
    statements.write_bytes(pickle.dumps(captured))
    print("SQL statements per request: " + ", ".join(f"{k} {v}" for k, v in counts.items()))

    rows: list[Row] = []
    soak: Row | None = None
    for workers in worker_counts:
        print(f"server, {workers} worker(s):", flush=True)
        names = scenarios if workers == worker_counts[0] else [s for s in scenarios if s in MAIN]
        rows += measure_server(
            manifest, manifest_path, workers, names, clients, arguments.duration,
            arguments.warmup, logs,
        )  # fmt: skip
        print(f"floor, {workers} worker(s):", flush=True)
        floors = [name for name in MAIN if name in scenarios]
        rows += measure_floor(
            manifest, manifest_path, statements, workers, floors, clients, arguments.duration,
            arguments.warmup, logs,
        )  # fmt: skip
    if arguments.soak:
        print("soak: page of 50, 32 clients, 60 s, 1 worker", flush=True)
        soaked = measure_server(
            manifest, manifest_path, 1, ["page50"], [32], 60.0, arguments.warmup, logs
        )
        soak = soaked[0]
        soak.server = "1 worker, soak 60 s"
        rows.append(soak)
    for row in rows:
        row.statements = counts.get(row.scenario)
    apply_floor(rows)
    registry = registry_overhead(manifest["database_url"]) if arguments.registry_overhead else None

    found = targets(rows, counts, soak, registry)
    driver = max((row.driver_cpu for row in rows), default=0.0)
    scale = manifest.get("counts", {}).get("recommendations")
    heading = (
        f"## {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, commit {commit()}, "
        f"{machine()}, scale {manifest['scale']}"
        + (f" ({scale:,} recommendations)" if isinstance(scale, int) else "")
    )
    notes = (
        f"\n{arguments.duration:g} s measured after {arguments.warmup:g} s of warm-up per "
        f"line; load from `bench.load` in its own process (at most {driver:.0%} of one "
        f"core); × floor: server ÷ floor at the same clients and workers; server CPU "
        f"counts every process of the server (not PostgreSQL). Load average (1 min) "
        f"{load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end: other work "
        f"on the machine shares its cores with the run. Whole run "
        f"{(time.monotonic() - started) / 60:.1f} min.\n\n"
    )
    text = render(rows, heading) + notes + render_errors(rows) + render_targets(found)
    print()
    print(text)
    if not arguments.no_append:
        write(text, arguments.results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
