"""What an ensemble draws: the uncertain inputs of a scenario's packs and their factors.

Each row of a pack's ``uncertainty.csv`` is one input: a factor on a parameters.csv value
(one stage's, or every stage's at once) with a distribution.  Factors are set for all members
at once from one seed, before any member runs (:mod:`.design`), so that the ensemble is the
same however its members are spread over workers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from mineralflow.data.pack import Pack
from mineralflow.data.schema import PROJECT_INPUT
from mineralflow.dynamics import project_status
from mineralflow.uncertainty.design import unit_design

#: standard normal quantile of the 95th percentile: a lognormal's low and high are its 5th
#: and 95th percentiles
Z95 = float(stats.norm.ppf(0.95))


@dataclass(frozen=True)
class UncertainInput:
    """One uncertain factor: on which pack's parameter and stage, and how it is distributed."""

    pack: str  # the pack as the scenario names it
    parameter: str
    scope: str  # a stage, or "all"
    distribution: str  # uniform, triangular or lognormal
    low: float
    mode: float | None
    high: float
    source_id: str
    chance: float | None = None  # a project's chance of being built (bernoulli)

    @property
    def name(self) -> str:
        return f"{self.pack}:{self.parameter}:{self.scope}"

    def factors(self, unit: np.ndarray) -> np.ndarray:
        """The factors at the quantiles ``unit`` (values in (0, 1))."""
        lo, hi = self.low, self.high
        if self.distribution == "bernoulli":  # 1: the project is built, 0: it is not
            return (unit < (self.chance or 0.0)).astype(float)
        if self.distribution == "uniform":
            return lo + unit * (hi - lo)
        if self.distribution == "triangular":
            mode = lo if self.mode is None else self.mode
            shape = (mode - lo) / (hi - lo)
            return np.asarray(stats.triang.ppf(unit, shape, loc=lo, scale=hi - lo), float)
        mu = 0.5 * (np.log(lo) + np.log(hi))
        sigma = (np.log(hi) - np.log(lo)) / (2.0 * Z95)
        return np.exp(mu + sigma * stats.norm.ppf(unit))


def uncertain_inputs(packs: dict[str, Pack]) -> list[UncertainInput]:
    """The inputs of every pack (by the scenario's name for it) that has an uncertainty
    table, packs in the order given and each pack's inputs by parameter and scope, so that
    the order of a table's rows changes no draw; a project row of scope 'all' is one input
    per project whose chance lies strictly between 0 and 1."""
    out = []
    for key, pack in packs.items():
        if "uncertainty" not in pack.tables:
            continue
        mine: list[UncertainInput] = []
        for row in pack.table("uncertainty").to_dict("records"):
            if row["distribution"] == "bernoulli":
                mine += _project_inputs(key, pack, str(row["scope"]), str(row["source_id"]))
                continue
            mode = row.get("mode")
            mine.append(UncertainInput(
                key, str(row["parameter"]), str(row["scope"]), str(row["distribution"]),
                float(row["low"]), None if mode is None or np.isnan(mode) else float(mode),
                float(row["high"]), str(row["source_id"]),
            ))  # fmt: skip
        out += sorted(mine, key=lambda item: (item.parameter, item.scope))
    return out


def _project_inputs(key: str, pack: Pack, scope: str, source: str) -> list[UncertainInput]:
    """One Bernoulli input per project of ``scope`` (a project, or 'all') that may or may not
    be built: its chance is the one its status gives (project_status.csv)."""
    chances = {status: p for status, (p, _) in project_status(pack).items()}
    projects = pack.table("projects")
    if scope != "all":
        projects = projects[projects["project"] == scope]
    out = []
    for name, status in zip(projects["project"], projects["status"], strict=True):
        chance = chances.get(str(status), 0.0)
        if 0.0 < chance < 1.0:
            out.append(UncertainInput(key, PROJECT_INPUT, str(name), "bernoulli", 0.0, None,
                                      1.0, source, chance))  # fmt: skip
    return out


def factors_at(inputs: list[UncertainInput], unit: np.ndarray) -> np.ndarray:
    """(members, inputs) factors at the members' unit coordinates (:mod:`.design`)."""
    out = np.empty_like(unit)
    for j, item in enumerate(inputs):
        out[:, j] = item.factors(unit[:, j])
    return out


def draw_factors(inputs: list[UncertainInput], draws: int, seed: int) -> np.ndarray:
    """(draws, inputs) factors drawn independently by plain Monte Carlo from ``seed``."""
    return factors_at(inputs, unit_design("mc", len(inputs), draws, seed))
