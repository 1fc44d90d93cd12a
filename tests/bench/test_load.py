"""The load harness (bench.load, bench.floor, bench.run): its pure parts, and a short
smoke run against a real server and floor on a throwaway database with the demo data."""

from __future__ import annotations

import asyncio
import json
import math
import os
import pickle
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.load import SCENARIOS, percentile, problem, read_response, request_bytes
from bench.load_demo import demo_manifest, search_word
from bench.run import (
    Row,
    apply_floor,
    capture,
    measure_floor,
    measure_server,
    peak_rss_kb,
    peak_rss_mb,
    render,
    render_targets,
    targets,
)
from tests.conftest import (
    NO_POSTGRES,
    POSTGRES_URL,
    create_postgres_database,
    drop_postgres_database,
    postgres_database_url,
    run_sync,
)

UPRIGHT = str(Path(sys.executable).with_name("upright"))


def test_percentiles_are_nearest_rank() -> None:
    values = [float(n) for n in range(1, 101)]  # 1..100
    assert percentile(values, 0.50) == 50
    assert percentile(values, 0.95) == 95
    assert percentile(values, 0.99) == 99
    assert percentile(list(reversed(values)), 0.99) == 99
    assert percentile([7.0], 0.99) == 7
    assert math.isnan(percentile([], 0.5))


def test_peak_rss_is_read_from_vmhwm() -> None:
    status = "Name:\tuvicorn\nVmPeak:\t 500000 kB\nVmHWM:\t  153600 kB\nVmRSS:\t 140000 kB\n"
    assert peak_rss_kb(status) == 153600
    with pytest.raises(ValueError, match="VmHWM"):
        peak_rss_kb("Name:\tx\n")
    # This very process has a peak; a process that is gone counts for nothing.
    assert peak_rss_mb([os.getpid(), 2**22 + 7]) > 1


def test_answers_that_count_as_errors() -> None:
    assert problem(200, b'{"data":{"recommendations":{"nodes":[]}}}') is None
    assert problem(200, b'{"data":{"a":{"userErrors":[],"assessment":{"id":"x"}}}}') is None
    assert "HTTP 429" in (problem(429, b"slow down") or "")
    assert "GraphQL" in (problem(200, b'{"data":null,"errors":[{"message":"no"}]}') or "")
    assert "user errors" in (problem(200, b'{"data":{"a":{"userErrors":[{"code":"X"}]}}}') or "")


def test_responses_are_read_by_length_and_by_chunks() -> None:
    async def read(raw: bytes) -> tuple[int, bytes]:
        reader = asyncio.StreamReader()
        reader.feed_data(raw)
        reader.feed_eof()
        return await read_response(reader)

    fixed = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX: y\r\n\r\nhello"
    chunked = (
        b"HTTP/1.1 503 No\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
    )
    assert asyncio.run(read(fixed)) == (200, b"hello")
    assert asyncio.run(read(chunked)) == (503, b"abcde")
    request = request_bytes("127.0.0.1:8000", "/graphql", "upr_t_x", b"{}")
    assert request.startswith(b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1:8000\r\n")
    assert b"Authorization: Bearer upr_t_x\r\n" in request
    assert request.endswith(b"Content-Length: 2\r\nAuthorization: Bearer upr_t_x\r\n\r\n{}")


def test_scenarios_vary_what_they_must() -> None:
    manifest = {"state": "KEN", "cycle": 4, "search": "torture", "recommendation_ids": ["a"]}
    page = json.loads(SCENARIOS["page50"].body(manifest))
    assert page["variables"] == {"state": "KEN", "first": 50}
    assert json.loads(SCENARIOS["page10"].body(manifest))["query"] == page["query"]
    assess = json.loads(SCENARIOS["assess"].body(manifest, "rec-1"))
    assert assess["variables"]["id"] == "rec-1"
    assert search_word(["Abolish torture now", "Protect defenders", "Protect"]) == "abolish"


def test_table_has_ratios_to_the_floor_and_verdicts() -> None:
    rows = [
        Row("1 worker", "page50", 32, 200.0, 150.0, 250.0, 300.0, 0, 6, 140.0),
        Row("1 worker", "page50", 1, 50.0, 4.0, 5.0, 6.0, 0, 6, 140.0),
        Row("floor, 1 worker", "floor page50", 32, 1000.0, 30.0, 40.0, 50.0, 0),
        Row("floor, 1 worker", "floor page50", 1, 500.0, 2.0, 2.5, 3.0, 0),
    ]
    apply_floor(rows)
    assert rows[0].ratio_rps == pytest.approx(0.2)
    assert rows[1].ratio_p50 == pytest.approx(2.0)
    assert rows[2].ratio_rps is None
    table = render(rows, "## run")
    assert table.splitlines()[0] == "## run"
    assert "| 1 worker | page of 50 | 32 | 200.0 | 150.0 | 250.0 | 300.0 | 0.20 | 5.00 | 6 |" in (
        table
    )
    assert "| floor, 1 worker | page of 50 | 1 | 500.0 |" in table
    found = targets(rows, {"page10": 6, "page50": 6}, None, 7.2)
    verdicts = render_targets(found)
    assert "| page of 50, 32 clients: ≥ 0.18 × floor req/s | 0.200 | met |" in verdicts
    assert "| page of 50, 1 client: p50 within 4 × floor's | 2.00 | met |" in verdicts
    assert "| SQL statements equal at 10 and 50 | 6 and 6 | met |" in verdicts
    assert "| page of 10, 32 clients: ≥ 0.5 × floor req/s | – | not measured |" in verdicts
    assert "| contacts page decryption overhead < 15% | 7.2% | met |" in verdicts


@pytest.fixture
def demo_database(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A throwaway PostgreSQL database with the demo data; its URL and keys file."""
    if POSTGRES_URL is None:
        pytest.skip(NO_POSTGRES)
    name = create_postgres_database()
    url = postgres_database_url(name)
    keys = tmp_path / "keys.json"
    environment = {
        **os.environ,
        "UPRIGHT_ENV": "development",
        "UPRIGHT_DATABASE_URL": url,
        "UPRIGHT_KEYS_FILE": str(keys),
    }
    try:
        for command in (["keys", "init"], ["db", "upgrade"], ["demo"]):
            subprocess.run(
                [UPRIGHT, *command], env=environment, check=True, capture_output=True, cwd=tmp_path
            )
        yield url, keys
    finally:
        drop_postgres_database(name)


def test_smoke_run_against_a_real_server_and_floor(
    demo_database: tuple[str, Path], tmp_path: Path
) -> None:
    # Given the demo data and a manifest for it
    url, keys = demo_database
    manifest = run_sync(demo_manifest(url, keys))
    manifest_path = tmp_path / "demo.json"
    manifest_path.write_text(json.dumps(manifest))
    # When the statements are counted and the pages' captured for the floor
    counts, captured = run_sync(capture(manifest))
    statements = tmp_path / "floor.pickle"
    statements.write_bytes(pickle.dumps(captured))
    # Then the pages send the same number of statements at 10 and 50
    assert counts["page10"] == counts["page50"] > 0
    assert set(captured) == {"page10", "page50"}
    # And a real server (production settings but for the demo keys) and the floor both
    # answer two clients for two seconds without an error
    server = measure_server(
        manifest, manifest_path, 1, ["page10"], [2], 2.0, 0.5, tmp_path / "logs"
    )
    floor = measure_floor(
        manifest, manifest_path, statements, 1, ["page10"], [2], 2.0, 0.5, tmp_path / "logs"
    )
    for row in (*server, *floor):
        assert row.rps > 0
        assert row.errors == 0, row
        assert row.p50 <= row.p95 <= row.p99
        assert row.rss_mb is not None
        assert row.rss_mb > 10
    apply_floor([*server, *floor])
    assert server[0].ratio_rps is not None
    assert server[0].ratio_rps > 0
