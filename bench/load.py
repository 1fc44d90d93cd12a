"""The load driver: virtual users in a separate process, each on its own HTTP/1.1
keep-alive connection, sending one kind of request back to back for a warm-up and then
a measured window. Prints one JSON object (requests/s, percentiles, errors, the driver's
own CPU) on stdout.

Raw asyncio streams, not an HTTP client library: requests are encoded once and answers
are checked by substring (an `"errors"` key, or a non-empty `userErrors`), so the
driver's CPU per request stays a small fraction of the server's (it reports it).

    .venv/bin/python -m bench.load --manifest bench/out/small.json \\
        --url http://127.0.0.1:8000 --scenario page50 --clients 32 --duration 15
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import json
import math
import resource
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson

RECOMMENDATION_FIELDS = """id text response actionCategory session { number }
    state { name regionalGroup } recommendingStates { code name } themes { code name }
    latestAssessments { status assessedOn organisation { name } }"""
PAGE = (
    "query Page($state: String!, $first: Int!) { recommendations(first: $first,"
    " filter: {state: $state}) { nodes { " + RECOMMENDATION_FIELDS + " } } }"
)
SEARCH = """query Search($search: String!, $cycle: Int!) {
    recommendations(first: 20, filter: {search: $search, cycle: $cycle}) {
    totalCount nodes { id text state { name } themes { name } } } }"""
TIMELINE = """query Timeline($state: String!, $cycle: Int!) {
    reviews(filter: {state: $state, cycle: $cycle}, first: 5) { nodes { reviewDate
    session { number } timeline { kind date approximate status
    activities { id kind title startsOn } } } } }"""
STATS = """query Stats($state: String!) { recommendationStats(filter: {state: $state}) {
    total notAssessed notFollowedUp byResponse { response count }
    byTheme { theme { code } count } byImplementationStatus { status count } } }"""
CONTACTS = """query Contacts { contacts(first: 50) { nodes { id pseudonym owned
    country { code } themes { code } affectedPersons { code } region riskLevel consent
    version } } }"""
ASSESS = """mutation Assess($id: ID!, $on: Date!) { assessImplementation(recommendationId: $id,
    status: PARTIALLY_IMPLEMENTED, assessedOn: $on, visibility: ORGANISATION,
    evidence: "Load test") { userErrors { code message } assessment { id version } } }"""


@dataclass(frozen=True)
class Scenario:
    """One kind of request: its GraphQL document, variables, and whose credentials."""

    name: str
    title: str
    query: str
    variables: Callable[[dict[str, Any]], dict[str, Any]]
    credential: str  # a manifest key: "api_token" or "owner_session"
    varying: str | None = None  # a variable drawn in turn from manifest["recommendation_ids"]
    floor: str | None = None  # the floor endpoint serving the same SQL

    def body(self, manifest: dict[str, Any], varying: str | None = None) -> bytes:
        variables = self.variables(manifest)
        if self.varying is not None:
            variables[self.varying] = varying
        return orjson.dumps({"query": self.query, "variables": variables})


SCENARIOS = {
    scenario.name: scenario
    for scenario in (
        Scenario(
            "page50",
            "page of 50",
            PAGE,
            lambda m: {"state": m["state"], "first": 50},
            "api_token",
            floor="page50",
        ),
        Scenario(
            "page10",
            "page of 10",
            PAGE,
            lambda m: {"state": m["state"], "first": 10},
            "api_token",
            floor="page10",
        ),
        Scenario(
            "search",
            "search with a filter",
            SEARCH,
            lambda m: {"search": m["search"], "cycle": m["cycle"]},
            "api_token",
        ),
        Scenario(
            "timeline",
            "review timeline",
            TIMELINE,
            lambda m: {"state": m["state"], "cycle": m["cycle"]},
            "api_token",
        ),
        Scenario(
            "stats", "statistics of a state", STATS, lambda m: {"state": m["state"]}, "api_token"
        ),
        Scenario("contacts", "contacts page (owner)", CONTACTS, lambda m: {}, "owner_session"),
        Scenario(
            "assess",
            "assessment mutation",
            ASSESS,
            lambda m: {"on": dt.date.today().isoformat()},
            "api_token",
            varying="id",
        ),
    )
}


@dataclass
class Result:
    scenario: str
    clients: int
    duration: float
    requests: int
    rps: float
    p50: float
    p95: float
    p99: float
    errors: int
    error_samples: list[str] = field(default_factory=list)
    driver_cpu: float = 0.0  # share of one core the driver used in the window

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile of `values` (NaN when empty): the smallest value with
    at least `fraction` of them at or below it."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def request_bytes(host: str, path: str, credential: str | None, body: bytes) -> bytes:
    head = [
        f"POST {path} HTTP/1.1",
        f"Host: {host}",
        "Content-Type: application/json",
        "Accept: application/json",
        f"Content-Length: {len(body)}",
    ]
    if credential:
        head.append(f"Authorization: Bearer {credential}")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """(status, body) of one HTTP/1.1 response: Content-Length or chunked."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length, chunked = None, False
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if length is not None:
        return status, await reader.readexactly(length)
    if not chunked:
        return status, b""
    parts: list[bytes] = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        if size == 0:
            await reader.readuntil(b"\r\n")
            return status, b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)


def problem(status: int, body: bytes) -> str | None:
    """Why an answer counts as an error, or None: not a 200, GraphQL errors, user errors."""
    if status != 200:
        return f"HTTP {status}: {body[:200].decode(errors='replace')}"
    if b'"errors"' in body[:20] or b'"errors":[{' in body:
        return f"GraphQL errors: {body[:300].decode(errors='replace')}"
    if b'"userErrors":[{' in body:
        return f"user errors: {body[:300].decode(errors='replace')}"
    return None


async def drive(
    url: str,
    path: str,
    bodies: Callable[[], bytes],
    credential: str | None,
    clients: int,
    warmup: float,
    duration: float,
) -> Result:
    """`clients` virtual users on their own connections; latencies of the requests that
    start inside the measured window (after `warmup`) and end before it closes."""
    split = urlsplit(url)
    host, port = split.hostname or "127.0.0.1", split.port or 80
    start = time.perf_counter()
    opens, closes = start + warmup, start + warmup + duration
    latencies: list[float] = []
    errors: list[str] = []

    async def user() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while True:
                payload = request_bytes(split.netloc, path, credential, bodies())
                sent = time.perf_counter()
                if sent >= closes:
                    return
                writer.write(payload)
                try:
                    status, body = await read_response(reader)
                except (asyncio.IncompleteReadError, ConnectionError) as error:
                    errors.append(f"connection: {error!r}")
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, port)
                    continue
                done = time.perf_counter()
                if sent >= opens and done <= closes:
                    latencies.append(done - sent)
                    why = problem(status, body)
                    if why is not None:
                        errors.append(why)
        finally:
            writer.close()

    cpu_at = {"start": 0.0}

    async def mark() -> None:
        await asyncio.sleep(max(0.0, opens - time.perf_counter()))
        cpu_at["start"] = cpu_seconds()

    marker = asyncio.create_task(mark())
    await asyncio.gather(*(user() for _ in range(clients)))
    await marker
    cpu = cpu_seconds() - cpu_at["start"]
    return Result(
        scenario="",
        clients=clients,
        duration=duration,
        requests=len(latencies),
        rps=len(latencies) / duration,
        p50=percentile(latencies, 0.50) * 1000,
        p95=percentile(latencies, 0.95) * 1000,
        p99=percentile(latencies, 0.99) * 1000,
        errors=len(errors),
        error_samples=list(dict.fromkeys(errors))[:3],
        driver_cpu=cpu / duration,
    )


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def run_scenario(
    manifest: dict[str, Any],
    url: str,
    name: str,
    clients: int,
    warmup: float,
    duration: float,
    floor: bool = False,
) -> Result:
    """One scenario against the GraphQL server, or (`floor`) its floor endpoint."""
    scenario = SCENARIOS[name]
    if floor:
        if scenario.floor is None:
            raise ValueError(f"{name} has no floor")
        path, credential = f"/floor/{scenario.floor}", None

        def bodies() -> bytes:
            return b"{}"

    else:
        path, credential = "/graphql", manifest[scenario.credential]
        if scenario.varying is None:
            fixed = scenario.body(manifest)

            def bodies() -> bytes:
                return fixed

        else:
            ids = itertools.cycle(manifest["recommendation_ids"])

            def bodies() -> bytes:
                return scenario.body(manifest, next(ids))

    result = await drive(url, path, bodies, credential, clients, warmup, duration)
    result.scenario = f"floor {name}" if floor else name
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--manifest", type=Path, required=True)
    parser.add_argument("--url", required=True, help="http://127.0.0.1:PORT")
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), required=True)
    parser.add_argument("--clients", type=int, default=1)
    parser.add_argument("--duration", type=float, default=15.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--floor", action="store_true", help="the floor server's endpoint")
    arguments = parser.parse_args()
    manifest = json.loads(arguments.manifest.read_text())
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvicorn[standard] brings it
        runner: Any = asyncio.run
    else:
        runner = uvloop.run
    result = runner(
        run_scenario(
            manifest,
            arguments.url,
            arguments.scenario,
            arguments.clients,
            arguments.warmup,
            arguments.duration,
            arguments.floor,
        )
    )
    print(json.dumps(result.as_json()), flush=True)


if __name__ == "__main__":
    main()
