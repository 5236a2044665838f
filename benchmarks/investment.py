"""Sensitivity of China's shares to the investment parameters.

Runs the rare-earth pack's own plan (the baseline) with each investment parameter of
parameters.csv halved and doubled at every stage, and prints China's share of mining,
separation and magnet output in 2030 and 2035, and how many points each variant moves the
separation share of 2035.  The table of docs/validation.md, "Investment and entry", comes
from this script.
Run: ``.venv/bin/python benchmarks/investment.py [--markdown]``.
"""

from __future__ import annotations

import sys
from dataclasses import replace

import numpy as np
import pandas as pd

from mineralflow.data.pack import Pack, load_pack
from mineralflow.dynamics import Run, simulate
from output import markdown_table

PARAMETERS = ("investment_rate", "expectation_weight", "capital_cost", "project_response")
FACTORS = (0.5, 2.0)
STAGES = ("mining", "separation", "magnet")
YEARS = (2030, 2035)


def scaled(pack: Pack, parameter: str, factor: float) -> Pack:
    """``pack`` with ``parameter`` times ``factor`` at every stage (shares kept at most 1)."""
    table = pack.tables["parameters"].copy()
    rows = table["parameter"] == parameter
    value = table.loc[rows, "value"].astype(float) * factor
    if parameter == "expectation_weight":
        value = value.clip(upper=1.0)
    table.loc[rows, "value"] = value
    return replace(pack, tables={**pack.tables, "parameters": table}, _plain={})


def china_shares(run: Run) -> dict[str, float]:
    """China's share (%) of each stage's output in :data:`YEARS`."""
    groups = run.network.groups.reindex(run.problem.groups)
    stage, region = groups["stage"].to_numpy(), groups["region"].to_numpy()
    out = {}
    for year in YEARS:
        made = run.problem.layout.col("supply").totals(run.raw[year].x)
        for name in STAGES:
            at = stage == name
            out[f"{name} {year}"] = 100 * made[at & (region == "CHN")].sum() / made[at].sum()
    return out


def main() -> None:
    pack = load_pack("rare_earths")
    rows = [{"variant": "pack values", **china_shares(simulate(pack, (2024, 2040)))}]
    for parameter in PARAMETERS:
        for factor in FACTORS:
            run = simulate(scaled(pack, parameter, factor), (2024, 2040))
            rows.append({"variant": f"{parameter} x{factor:g}", **china_shares(run)})
    table = pd.DataFrame(rows).set_index("variant")
    base = table.loc["pack values", "separation 2035"]
    table["separation 2035 moved (points)"] = table["separation 2035"] - base
    table = table.round(2)
    if "--markdown" in sys.argv:
        print(markdown_table(table.reset_index()))
    else:
        print(table.to_string())
    moved = table["separation 2035 moved (points)"].drop("pack values").abs()
    print(f"\nsmallest move of the separation share in 2035: {np.min(moved):.2f} points")


if __name__ == "__main__":
    main()
