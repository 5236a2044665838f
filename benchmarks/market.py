"""Benchmark: the rare-earth baseline 2024-2040 at full resolution.

Reports ``scenario_s`` (wall time of the run of a prepared plan: loading the LP into HiGHS,
every year's update and solve, the dynamics) and ``solver_s`` (time inside HiGHS), so that
``scenario_s / solver_s`` shows the overhead around the solver on any machine.  Calibration
of the pack (once per pack and base year, shared by all its scenarios) and pack loading are
reported separately, and so is ``results_s``, the time to build the results of all years
(IAMC variables, indicators, origin tracing, supply risk), with ``results_ratio`` =
results_s / solver_s.  The best of five runs is kept (of the solves and of the results).
Run: ``.venv/bin/python benchmarks/market.py [--json]``; the last line is JSON with --json.
"""

from __future__ import annotations

import json
import sys
import time

from mineralflow import load_pack
from mineralflow.dynamics import base_plan, simulate
from mineralflow.iamc import to_iamc
from mineralflow.market.calibration import calibrate
from mineralflow.network import build_network
from mineralflow.results import run_tables


def main() -> None:
    started = time.perf_counter()
    pack = load_pack("rare_earths")
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    calibration = calibrate(pack, build_network(pack), pack.manifest.base_year)
    calibrate_s = time.perf_counter() - started
    plan = base_plan(pack, calibration, list(range(2024, 2041)))  # once, as a prepared run
    best = None
    for _ in range(5):
        run = simulate(pack, (2024, 2040), calibration=calibration, plan=plan)
        if best is None or run.wall_seconds < best.wall_seconds:
            best = run
    assert best is not None
    problem = best.problem
    results_s = iamc_s = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        tables = run_tables(best)
        results_s = min(results_s, time.perf_counter() - started)
        started = time.perf_counter()
        to_iamc(tables, "baseline")
        iamc_s = min(iamc_s, time.perf_counter() - started)
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
        "results_s": round(results_s, 4),
        "results_ratio": round(results_s / best.solver_seconds, 2),
        "iamc_s": round(iamc_s, 4),
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
