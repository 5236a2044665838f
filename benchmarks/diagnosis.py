"""Benchmark: naming the levers behind an infeasible year, against the number of levers.

A scenario holds one stockpile that nothing can fill (5,000 t of Tb a year while China exports
nothing) and N small stockpiles that each hold on their own; every one is a constraining lever.
The time to the message is measured for N = 10 and N = 40 in one process (the calibration is
shared); ``ratio`` = time(40) / time(10) is at most about 4 when the diagnosis is linear in the
number of levers (it was one whole re-run per lever: 40 levers took 68 s).

Run: ``.venv/bin/python benchmarks/diagnosis.py [--json]``; the last line is JSON with --json.
"""

from __future__ import annotations

import time

from mineralflow.scenario.execute import CalibrationCache, execute
from mineralflow.scenario.loading import ScenarioError, scenario_from_text
from output import emit


def _scenario(small: int) -> str:
    levers = [
        "  - {type: export_ban, region: CHN, from_year: 2026}",
        "  - {type: stockpile, region: USA, product: Tb, action: build, tonnes: 5000,"
        " from_year: 2026}",
    ]
    levers += [
        f"  - {{type: stockpile, region: JPN, product: Ce, action: build, tonnes: {1 + i},"
        " from_year: 2025}"
        for i in range(small)
    ]
    return (
        f"name: diagnosis-{small}\ndescription: an unfillable stockpile among {small} others\n"
        "pack: rare_earths\nyears: [2024, 2027]\nlevers:\n" + "\n".join(levers) + "\n"
    )


def _time(small: int, cache: CalibrationCache) -> tuple[float, str]:
    scenario = scenario_from_text(_scenario(small))
    started = time.perf_counter()
    try:
        execute(scenario, cache=cache)
    except ScenarioError as exc:
        return time.perf_counter() - started, str(exc)
    raise SystemExit("the benchmark scenario solved; it should not")


def main() -> None:
    cache = CalibrationCache()
    _time(1, cache)  # calibrate once, outside the timings
    ten, _ = _time(10, cache)
    forty, message = _time(40, cache)
    result = {
        "levers_10_s": round(ten, 2),
        "levers_40_s": round(forty, 2),
        "ratio": round(forty / ten, 2),
        "names_the_stockpile": "levers[1] stockpile" in message,
    }
    emit(result)


if __name__ == "__main__":
    main()
