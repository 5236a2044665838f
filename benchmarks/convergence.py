"""Convergence study: the baseline at curve resolutions 1 to 32, against the finest.

Prints, for each resolution, the largest deviation of each headline group from the finest run
(prices in % of the larger of their base-year price and the price, output and shares in %,
shortage and demand reduction in points of demand), how many headlines are off by 2 % or
more, and the time inside HiGHS for
both packs' 17 years (a ratio to the default resolution's). The table of docs/validation.md,
"Convergence", comes from this script.
Run: ``.venv/bin/python benchmarks/convergence.py [--markdown]``.
"""

from __future__ import annotations

import sys
import time

import pandas as pd

from mineralflow import convergence
from mineralflow.market.curves import DEFAULT_RESOLUTION, Edges
from mineralflow.scenario.execute import CalibrationCache, execute
from mineralflow.scenario.loading import load_scenario
from output import markdown_table

RESOLUTIONS = (1, 2, 4, 8, 16, 32)


def solver_seconds(resolution: int) -> float:
    """Seconds inside HiGHS for the baseline at ``resolution`` (best of three)."""
    cache = CalibrationCache(edges=Edges(resolution))
    return min(execute(load_scenario("baseline"), cache=cache).solver_seconds for _ in range(3))


def main() -> None:
    started = time.perf_counter()
    table = convergence.study("baseline", RESOLUTIONS)
    summary = convergence.deviations(table)
    wide = summary.pivot_table(
        index="resolution", columns="group", values="largest deviation", sort=False
    )
    over = summary.groupby("resolution", sort=False)["over tolerance"].sum()
    seconds = {f"x{r}": solver_seconds(r) for r in RESOLUTIONS[:-1]}
    default = seconds[f"x{DEFAULT_RESOLUTION}"]
    wide["headlines off by 2 % or more"] = over
    wide["solver time ratio"] = [seconds[r] / default for r in wide.index]
    wide = wide.round(2)
    if "--markdown" in sys.argv:
        print(markdown_table(wide.reset_index()))
    else:
        with pd.option_context("display.width", 200):
            print(wide)
            print(summary.to_string(index=False))
    print(f"default x{DEFAULT_RESOLUTION}; study took {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
