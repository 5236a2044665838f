"""Benchmark: the rare-earth baseline 2024-2040 at full resolution.

Reports ``scenario_s`` (wall time of the run: loading the LP into HiGHS, every year's update
and solve, the dynamics) and ``solver_s`` (time inside HiGHS), so that
``scenario_s / solver_s`` shows the overhead around the solver on any machine.  Calibration
of the pack (once per pack and base year, shared by all its scenarios) and pack loading are
reported separately.  The best of five runs is kept.
Run: ``.venv/bin/python benchmarks/market.py [--json]``; the last line is JSON with --json.
"""

from __future__ import annotations

import json
import sys
import time

from mineralflow import load_pack
from mineralflow.dynamics import simulate
from mineralflow.market.calibration import calibrate
from mineralflow.network import build_network


def main() -> None:
    started = time.perf_counter()
    pack = load_pack("rare_earths")
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    calibration = calibrate(pack, build_network(pack), pack.manifest.base_year)
    calibrate_s = time.perf_counter() - started
    best = None
    for _ in range(5):
        run = simulate(pack, (2024, 2040), calibration=calibration)
        if best is None or run.wall_seconds < best.wall_seconds:
            best = run
    assert best is not None
    problem = best.problem
    per_year = [
        {
            "year": year,
            "solver_s": round(raw.solve_seconds, 5),
            "iterations": raw.iterations,
        }
        for year, raw in best.raw.items()
    ]
    result = {
        "scenario": "baseline",
        "years": [best.years[0], best.years[-1]],
        "columns": problem.n_cols,
        "rows": problem.n_rows,
        "nonzeros": int(problem.matrix.nnz),
        "load_s": round(load_s, 4),
        "calibrate_s": round(calibrate_s, 4),
        "scenario_s": round(best.wall_seconds, 4),
        "solver_s": round(best.solver_seconds, 4),
        "ratio": round(best.wall_seconds / best.solver_seconds, 2),
        "per_year": per_year,
    }
    if "--json" in sys.argv:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            if key != "per_year":
                print(f"{key:>12}: {value}")
        for row in per_year:
            print(
                f"  {row['year']}: {row['solver_s'] * 1000:7.2f} ms, {row['iterations']} iterations"
            )


if __name__ == "__main__":
    main()
