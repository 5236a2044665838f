"""Benchmark: what the extraterritorial rule costs a run.

Runs ``china-controls-return`` (which carries the rule from 2027) and the same scenario with
the rule's lever taken out, each on the same calibration, in this process; reports both wall
times (best of three), the HiGHS time of each and the ratio, and how many of the rule's rows
bind a year in 2027-2040 (a plant whose covered share leaves it less than its supply).
Run: ``.venv/bin/python benchmarks/extraterritorial.py [--json]``.
"""

from __future__ import annotations

import json
import sys

import numpy as np

from mineralflow.scenario import Scenario
from mineralflow.scenario.execute import CalibrationCache, RunResult, execute

NAME = "china-controls-return"


def _without_rule() -> Scenario:
    """The bundled scenario with its extraterritorial lever removed."""
    full = Scenario.bundled(NAME)
    levers = [lv for lv in full.levers if lv.type != "extraterritorial_licensing"]
    return full.model_copy(update={"levers": levers, "name": f"{NAME}-no-rule"})


def _best(scenario: Scenario, cache: CalibrationCache) -> RunResult:
    runs = [execute(scenario, cache=cache) for _ in range(3)]
    return min(runs, key=lambda r: r.wall_seconds)


def main() -> None:
    cache = CalibrationCache()
    execute(Scenario.bundled(NAME), cache=cache)  # calibrate once, untimed
    ruled, free = _best(Scenario.bundled(NAME), cache), _best(_without_rule(), cache)
    run = ruled.runs["rare_earths"]
    binding = [int((run.rule_factors[y] < 1.0).sum()) for y in run.years if y >= 2027]
    out = {
        "with_rule_s": round(ruled.wall_seconds, 2),
        "without_rule_s": round(free.wall_seconds, 2),
        "ratio": round(ruled.wall_seconds / free.wall_seconds, 2),
        "solver_with_s": round(ruled.solver_seconds, 2),
        "solver_without_s": round(free.solver_seconds, 2),
        "rule_rows": len(run.rule_factors[run.years[0]]),
        "rows_below_full_supply_per_year": float(np.mean(binding)),
    }
    for key, value in out.items():
        print(f"{key:34s} {value}")
    if "--json" in sys.argv:
        print(json.dumps(out))


if __name__ == "__main__":
    main()
