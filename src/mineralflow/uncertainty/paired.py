"""How far a change between two scenarios is sure: paired members of their ensembles.

Two ensembles drawn with the same seed over the same inputs hold the same draws, member by
member, so the difference of one member's B and A is the change that scenario B makes under
that member's estimates.  The quantiles of those differences give the change's median and
range; they are narrower than the two ranges side by side, because what moves both runs alike
cancels.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from mineralflow.errors import MineralflowError
from mineralflow.uncertainty.report import headline_rows
from mineralflow.uncertainty.summary import Ensemble

#: what identifies a value in both scenarios (the scenario's own name left out)
SHARED = ["model", "region", "variable", "unit", "year"]


def _check_paired(a: Ensemble, b: Ensemble) -> None:
    same = [i.name for i in a.inputs] == [i.name for i in b.inputs]
    if not same or not np.array_equal(a.factors, b.factors):
        raise MineralflowError(
            f"the ensembles of '{a.scenario}' and '{b.scenario}' do not share their draws "
            "(other packs, inputs, method, draws or seed); pair ensembles of the same packs "
            "with the same method, draws and seed"
        )


def paired_changes(a: Ensemble, b: Ensemble, years: list[int]) -> pd.DataFrame:
    """The change from A to B of each headline value in ``years``: A and B with the packs'
    own estimates, and the median and 5-95 % range of the members' changes."""
    _check_paired(a, b)
    rows_b = headline_rows(b.index, years)
    keys = b.index[rows_b].to_frame(index=False)[SHARED]
    at_a = a.index.to_frame(index=False)[SHARED].reset_index().rename(columns={"index": "pos"})
    found = keys.reset_index().merge(at_a, on=SHARED, how="inner", suffixes=("_b", ""))
    pos_b, pos_a = rows_b[found["index"].to_numpy()], found["pos"].to_numpy()
    both = a.solved & b.solved
    if not both.any():
        raise MineralflowError("no member was solved in both ensembles")
    change = b.member_values(pos_b)[both] - a.member_values(pos_a)[both]
    with warnings.catch_warnings():  # a value no member has: NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        low, mid, high = np.nanquantile(change, [0.05, 0.5, 0.95], axis=0)
    out = (
        found[["variable", "region", "unit", "year"]]
        .astype(object)
        .assign(a=a.central[pos_a], b=b.central[pos_b], change=mid, low=low, high=high)
    )
    return out.sort_values(["variable", "region", "year"], kind="stable").reset_index(drop=True)
