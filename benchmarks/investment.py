"""Sensitivity of China's shares to the investment parameters.

Runs the rare-earth part of the bundled baseline (its policies: China's export licences, the
US floor, Vietnam's ban) on copies of the rare-earth pack with each investment parameter of
parameters.csv halved and doubled at every stage, and prints China's share of mining,
separation and magnet output in 2030 and 2035, and how many points each variant moves the
separation share of 2035.  ``--free-trade`` runs the pack's own plan without the baseline's
levers instead.  The table of docs/validation.md, "Investment and entry", comes from this
script.
Run: ``.venv/bin/python benchmarks/investment.py [--markdown] [--free-trade]``.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from mineralflow.data.pack import BUNDLED_DIR
from mineralflow.dynamics import Run
from mineralflow.scenario import Scenario, load_scenario
from mineralflow.scenario.execute import execute
from output import markdown_table

PARAMETERS = ("investment_rate", "expectation_weight", "capital_cost", "project_response")
FACTORS = (0.5, 2.0)
STAGES = ("mining", "separation", "magnet")
YEARS = (2030, 2035)


def scaled(folder: Path, parameter: str | None, factor: float) -> Path:
    """A copy of the rare-earth pack in ``folder`` with ``parameter`` times ``factor`` at
    every stage (shares kept at most 1); the pack's own values with no parameter."""
    target = folder / f"rare_earths-{parameter}-{factor:g}"
    shutil.copytree(BUNDLED_DIR / "rare_earths", target)
    if parameter is not None:
        path = target / "parameters.csv"
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        rows = table["parameter"] == parameter
        value = table.loc[rows, "value"].astype(float) * factor
        if parameter == "expectation_weight":
            value = value.clip(upper=1.0)
        table.loc[rows, "value"] = value.map(repr)
        table.to_csv(path, index=False)
    return target


def run_on(pack: Path, free_trade: bool) -> Run:
    """The baseline's rare-earth levers (none with ``free_trade``) on the pack at ``pack``."""
    base = load_scenario("baseline")
    levers = [] if free_trade else [lev for _, lev in base.levers_for("rare_earths")]
    spec = Scenario.model_validate(
        {"name": "investment", "description": base.description, "pack": str(pack),
         "years": [2024, 2040], "levers": [lev.model_dump(by_alias=True, exclude_none=True)
                                            for lev in levers]}
    )  # fmt: skip
    return execute(spec).runs[next(iter(spec.packs))]


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
    free = "--free-trade" in sys.argv
    with tempfile.TemporaryDirectory() as folder:
        own = run_on(scaled(Path(folder), None, 1.0), free)
        rows = [{"variant": "pack values", **china_shares(own)}]
        for parameter in PARAMETERS:
            for factor in FACTORS:
                run = run_on(scaled(Path(folder), parameter, factor), free)
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
