"""Which inputs drive an output: Sobol or Morris indices over an ensemble's members (SALib).

Sobol indices split an output's variance: first order (``S1``, the input alone) and total
(``ST``, with all its interactions).  Morris screening gives ``mu_star``, the mean absolute
elementary effect (in the output's unit per unit of the input's quantile), and ``sigma``,
its spread (interactions or non-linearity).  Indices need every member of the design: an
output that some member lacks (or that failed) gets none.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze

from mineralflow.uncertainty.design import MORRIS_LEVELS, unit_problem

#: columns of each method's indices
COLUMNS = {"sobol": ("S1", "S1_conf", "ST", "ST_conf"), "morris": ("mu_star", "mu_star_conf",
                                                                   "sigma")}  # fmt: skip


def indices(
    method: str, unit: np.ndarray, outputs: np.ndarray, names: list[str], seed: int
) -> pd.DataFrame:
    """Indices of every input (``names``) for each output column of ``outputs`` (members x
    outputs); one row per (output, input), the output by its position."""
    problem = unit_problem(len(names))
    rows = []
    for j in range(outputs.shape[1]):
        y = outputs[:, j]
        if not np.isfinite(y).all() or np.ptp(y) == 0.0:
            continue  # a member lacks it, or nothing moves it
        with warnings.catch_warnings():  # SALib's notes on constant subsets and sample sizes
            warnings.simplefilter("ignore")
            if method == "sobol":
                got = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=seed)
            else:
                got = morris_analyze.analyze(problem, unit, y, num_levels=MORRIS_LEVELS,
                                             seed=seed)  # fmt: skip
        for k, name in enumerate(names):
            rows.append({"output": j, "input": name,
                         **{c: float(np.asarray(got[c])[k]) for c in COLUMNS[method]}})  # fmt: skip
    return pd.DataFrame(rows, columns=["output", "input", *COLUMNS[method]])
