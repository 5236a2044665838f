"""Throughput of ensembles: the rare-earth baseline 2024-2040 at the default resolution.

Runs the same Monte Carlo ensemble (the rare-earth pack's uncertainty.csv) on one worker, on
two worker processes and on a two-worker local Dask cluster, and prints draws per second,
the parallel efficiency at two workers, the HiGHS time of a member against its whole time
(``overhead_ratio``: the time outside HiGHS per unit of HiGHS time), and the cluster's rate
against the process pool's.  All runs are in this process and on this machine, so the
ratios compare like with like; the draws are the same in every run.  Its last line is JSON
with ``--json``.
Run: ``.venv/bin/python benchmarks/ensemble.py [--draws N] [--json]``.
"""

from __future__ import annotations

import sys

import numpy as np

from mineralflow.scenario import Scenario, load_scenario
from mineralflow.uncertainty import Ensemble, run_ensemble
from output import emit


def baseline_rare_earths() -> Scenario:
    """The baseline's rare-earth levers, 2024-2040."""
    base = load_scenario("baseline")
    levers = [lev.model_dump(by_alias=True, exclude_none=True)
              for _, lev in base.levers_for("rare_earths")]  # fmt: skip
    return Scenario.model_validate({
        "name": "ensemble-benchmark", "description": base.description, "pack": "rare_earths",
        "years": [2024, 2040], "levers": levers,
    })  # fmt: skip


def rate(ensemble: Ensemble) -> float:
    """Members per second of wall time."""
    return ensemble.draws / ensemble.wall_seconds


def main() -> None:
    draws = int(sys.argv[sys.argv.index("--draws") + 1]) if "--draws" in sys.argv else 8
    spec = baseline_rare_earths()
    one = run_ensemble(spec, draws, seed=1, workers=1)
    two = run_ensemble(spec, draws, seed=1, workers=2)
    cluster = run_ensemble(spec, draws, seed=1, scheduler="local:2")
    assert np.array_equal(one.results, two.results, equal_nan=True)
    assert np.array_equal(one.results, cluster.results, equal_nan=True)
    per_draw = one.wall_seconds / draws
    highs = float(one.solver_seconds.mean())
    emit({
        "draws": draws,
        "failed": len(one.failed),
        "seconds_per_draw_1": round(per_draw, 3),
        "highs_seconds_per_draw": round(highs, 3),
        "overhead_ratio": round((per_draw - highs) / highs, 2),
        "draws_per_s_1": round(rate(one), 3),
        "draws_per_s_2": round(rate(two), 3),
        "parallel_efficiency": round(rate(two) / (2 * rate(one)), 2),
        "draws_per_s_cluster_2": round(rate(cluster), 3),
        "cluster_vs_pool": round(rate(cluster) / rate(two), 2),
        "hours_for_10000_draws_on_2": round(10_000 / rate(two) / 3600, 2),
    })  # fmt: skip


if __name__ == "__main__":
    main()
