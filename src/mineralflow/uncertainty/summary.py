"""An ensemble's members and what they say together: quantiles of every result value.

Quantiles are taken over the members that solved; a value that some member lacks (a flow
that exists in one draw only) is taken over the members that have it.  The IAMC form names
each quantile as a last part of the variable (``Price|Rare Earths|Oxide|Dy|p95``), which
pyam reads as any other variable.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from mineralflow.errors import MineralflowError
from mineralflow.scenario.execute import RunResult
from mineralflow.uncertainty.indices import indices
from mineralflow.uncertainty.inputs import UncertainInput

#: the quantiles reported, as percentiles
QUANTILES = (5, 25, 50, 75, 95)


@dataclass(frozen=True)
class Ensemble:
    """The members of one ensemble: their draws, their values and which failed."""

    scenario: str
    method: str
    seed: int
    inputs: list[UncertainInput]
    unit: np.ndarray  # (draws, inputs): the members' coordinates in the design (0 to 1)
    factors: np.ndarray  # (draws, inputs)
    index: pd.MultiIndex  # model, scenario, region, variable, unit, year of each value
    results: np.ndarray  # (draws, values): NaN rows for failed members
    central: np.ndarray  # the values of the run with the packs' own estimates
    failed: dict[int, str]  # draw -> why it could not be solved
    solver_seconds: np.ndarray  # by draw: HiGHS time of the member (0 for a failed one)
    wall_seconds: float  # time the members took, from the first sent to the last back
    central_run: RunResult | None = None  # the run with the packs' own estimates
    # read back from the results store, where members' own values are not kept
    stored_quantiles: pd.DataFrame | None = None
    stored_indices: pd.DataFrame | None = None
    stored_members: pd.DataFrame | None = None  # by draw: the headline values, by position

    @property
    def draws(self) -> int:
        return len(self.factors)

    @property
    def solved(self) -> np.ndarray:
        """Which members solved."""
        return np.array([d not in self.failed for d in range(self.draws)])

    def quantiles(self) -> pd.DataFrame:
        """One row per result value, a column per percentile of :data:`QUANTILES` (taken
        once; treat it as read-only)."""
        if self.stored_quantiles is not None:
            return self.stored_quantiles
        return self._quantiles

    @cached_property
    def _quantiles(self) -> pd.DataFrame:
        ok = self.results[self.solved]
        if len(ok) == 0:
            raise MineralflowError(
                f"ensemble of '{self.scenario}': none of its {self.draws} members could be "
                f"solved; the first reason: {next(iter(self.failed.values()))}"
            )
        with warnings.catch_warnings():  # a value no member has: NaN, said in the docstring
            warnings.simplefilter("ignore", RuntimeWarning)
            q = np.nanquantile(ok, np.array(QUANTILES) / 100.0, axis=0)
        return pd.DataFrame(q.T, index=self.index, columns=[f"p{p:02d}" for p in QUANTILES])

    def iamc(self) -> pd.DataFrame:
        """The quantiles in IAMC long form, a variable per quantile (``...|p05``)."""
        wide = self.quantiles()
        parts = []
        for column in wide.columns:
            part = wide[column].rename("value").reset_index()
            part["variable"] = part["variable"] + "|" + str(column)
            parts.append(part)
        names = [str(n) for n in self.index.names]
        long = pd.concat(parts, ignore_index=True).dropna(subset=["value"])
        return long.sort_values(names, kind="stable").reset_index(drop=True)

    def member_values(self, positions: np.ndarray) -> np.ndarray:
        """(draws, positions) the members' values at ``positions`` of the index (NaN for a
        failed member); read back from the store, the headline values only."""
        if self.stored_quantiles is None:
            return self.results[:, positions]
        kept = self.stored_members
        if kept is None or not set(positions.tolist()) <= set(kept.columns):
            raise MineralflowError(
                f"the stored ensemble of '{self.scenario}' keeps its members' headline values "
                "only; run it again (--refresh) for other values"
            )
        return kept[list(positions)].reindex(range(self.draws)).to_numpy(float)

    def draws_frame(self) -> pd.DataFrame:
        """One row per member: its factors, whether it solved and why not."""
        frame = pd.DataFrame(self.factors, columns=[i.name for i in self.inputs])
        frame.insert(0, "draw", range(self.draws))
        frame["solved"] = self.solved
        frame["reason"] = [self.failed.get(d, "") for d in range(self.draws)]
        return frame

    def band(self, region: str, variable: str, year: int) -> tuple[float, float, float]:
        """(p05, p50, p95) of one value; NaN when the runs have no such value."""
        q = self.quantiles()
        rows = q.xs((region, variable, year), level=("region", "variable", "year"))
        if rows.empty:
            return (np.nan, np.nan, np.nan)
        first = rows.iloc[0]
        return float(first["p05"]), float(first["p50"]), float(first["p95"])

    def sensitivity(self, positions: np.ndarray) -> pd.DataFrame:
        """Sobol or Morris indices of every input for the values at ``positions`` of the
        index (empty for a Monte Carlo ensemble, which has no design to split by)."""
        if self.method == "mc":
            return pd.DataFrame()
        keys = self.index[positions].to_frame(index=False)[["variable", "region", "unit", "year"]]
        if self.stored_indices is not None:
            return keys.merge(self.stored_indices, on=list(keys.columns), how="inner")
        outputs = self.results[:, positions]
        found = indices(self.method, self.unit, outputs, [i.name for i in self.inputs], self.seed)
        where = keys.iloc[found["output"].to_numpy()].reset_index(drop=True)
        return pd.concat([where, found.drop(columns="output")], axis=1)
