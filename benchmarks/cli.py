"""Benchmark: whole-process timings of the command line, against bare processes.

Measured in the same run, best of three each:

* ``run``: ``mineralflow run baseline --no-store`` (both packs, 34 solved years), against a
  process that only imports numpy and highspy plus the time HiGHS spends on the same LPs
  (the run reports it); ``run_ratio`` = run / (bare + HiGHS);
* ``help``: ``mineralflow --help`` against ``python -c "import typer"``; ``help_ratio``.

Run: ``.venv/bin/python benchmarks/cli.py [--json]``; the last line is JSON with --json.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

from output import emit

PYTHON = sys.executable
CLI = [PYTHON, "-c", "from mineralflow.cli import main; main()"]


def timed(command: list[str]) -> tuple[float, str]:
    """Best wall time of three runs, and the last run's output."""
    best, output = float("inf"), ""
    for _ in range(3):
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        best = min(best, time.perf_counter() - started)
        output = done.stdout
    return best, output


def main() -> None:
    run_s, output = timed([*CLI, "run", "baseline", "--no-store"])
    found = re.search(r"(\d+) years solved in ([\d.]+) s \(([\d.]+) s in HiGHS\)", output)
    if found is None:
        raise SystemExit(f"unexpected output of mineralflow run:\n{output}")
    highs_s = float(found.group(3))
    bare_s, _ = timed([PYTHON, "-c", "import numpy, highspy"])
    help_s, _ = timed([*CLI, "--help"])
    typer_s, _ = timed([PYTHON, "-c", "import typer"])
    result = {
        "years": int(found.group(1)),
        "run_s": round(run_s, 3),
        "bare_numpy_highspy_s": round(bare_s, 3),
        "highs_s": highs_s,
        "run_ratio": round(run_s / (bare_s + highs_s), 2),
        "help_s": round(help_s, 3),
        "bare_typer_s": round(typer_s, 3),
        "help_ratio": round(help_s / typer_s, 2),
        "python": Path(PYTHON).name,
    }
    emit(result)


if __name__ == "__main__":
    main()
