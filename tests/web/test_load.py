"""A bounded load test on 127.0.0.1: the real server, started and stopped by the benchmark,
5,000 requests from 16 clients mixing result queries, comparisons and run submissions."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCHMARK = Path(__file__).parents[2] / "benchmarks" / "serve.py"


def test_the_server_holds_under_load() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCHMARK), "--requests", "5000", "--clients", "16", "--json"],
        capture_output=True, text=True, timeout=900, cwd=BENCHMARK.parent, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["requests"] == 5000
    assert result["errors"] == 0, result["first_errors"]
    assert result["jobs"] > 0
    assert result["jobs_done"] == result["jobs"]  # every submission ended solved
    assert result["runs_stored"] == result["runs_expected"]
    assert result["runs_stored_once"]
    assert result["result_ms_p95"] < 2_000  # a generous bound; the note gives the numbers
