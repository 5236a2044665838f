"""Where in the unit hypercube an ensemble's members sit, by method.

- ``mc``: independent uniform draws (plain Monte Carlo), ``draws`` members.
- ``sobol``: Saltelli's design for first-order and total Sobol indices (SALib, scrambled
  Sobol' sequence): ``n (k + 2)`` members for ``k`` inputs, ``n`` the largest power of 2 that
  fits in ``draws``.
- ``morris``: Morris trajectories on a 4-level grid (SALib): ``n (k + 1)`` members, ``n``
  trajectories that fit in ``draws``.

Each input's factor is its distribution's quantile at the member's unit coordinate
(:meth:`UncertainInput.factors`), so the designs hold for any distribution.
"""

from __future__ import annotations

import warnings

import numpy as np
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

from mineralflow.errors import MineralflowError

#: how members are placed
METHODS = ("mc", "sobol", "morris")
#: levels of the Morris grid
MORRIS_LEVELS = 4
#: unit coordinates are kept this far inside (0, 1), so that unbounded quantiles stay finite
EDGE = 1e-12


def unit_problem(k: int) -> dict[str, object]:
    """SALib's description of ``k`` inputs on the unit interval."""
    return {"num_vars": k, "names": [f"x{j}" for j in range(k)], "bounds": [[0.0, 1.0]] * k}


def members_for(method: str, k: int, draws: int) -> int:
    """How many members ``method`` runs for ``k`` inputs within ``draws``."""
    if method == "mc":
        return draws
    if method == "sobol":
        per = k + 2
        if draws < 2 * per:
            raise MineralflowError(
                f"draws: a Sobol design of {k} inputs needs at least {2 * per} members "
                f"(2 x (inputs + 2)); {draws} given"
            )
        return (1 << int(np.log2(draws // per))) * per
    per = k + 1
    if draws < 2 * per:
        raise MineralflowError(
            f"draws: a Morris design of {k} inputs needs at least {2 * per} members "
            f"(2 trajectories of inputs + 1); {draws} given"
        )
    return (draws // per) * per


def unit_design(method: str, k: int, draws: int, seed: int) -> np.ndarray:
    """(members, k) unit coordinates of the members of ``method`` (:func:`members_for`)."""
    if method not in METHODS:
        raise MineralflowError(f"method: '{method}' is not offered; allowed: {', '.join(METHODS)}")
    n = members_for(method, k, draws)
    if method == "mc":
        unit = np.random.default_rng(seed).random((n, k))
    elif method == "sobol":
        with warnings.catch_warnings():  # SALib's notes on sample sizes: n is a power of 2
            warnings.simplefilter("ignore")
            unit = sobol_sample.sample(unit_problem(k), n // (k + 2), calc_second_order=False,
                                       seed=seed)  # fmt: skip
    else:
        unit = morris_sample.sample(unit_problem(k), n // (k + 1), num_levels=MORRIS_LEVELS,
                                    seed=seed)  # fmt: skip
    return np.clip(np.asarray(unit, float), EDGE, 1.0 - EDGE)
