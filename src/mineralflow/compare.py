"""Key differences between two runs, by year: shares, prices, shortages, import reliance.

Both runs are IAMC tables (from a run or from the store).  Measures are computed the same
way for any pack, so a comparison works on any two runs; rows are ranked by how much they
differ, so that the table leads with what changed.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from mineralflow.errors import MineralflowError
from mineralflow.metrics.indicators import net_import_reliance, shares

WORLD = "World"
GROUPS = ("share", "price", "shortage", "import reliance")


def _series(frame: pd.DataFrame, prefix: str) -> pd.DataFrame:
    return frame[frame["variable"].str.startswith(prefix)]


def _indicator(
    frame: pd.DataFrame, prefix: str, compute: Callable[[pd.DataFrame], pd.DataFrame]
) -> pd.DataFrame:
    """The run's own indicator rows, or computed from it (runs stored before they existed)."""
    rows = _series(frame, prefix)
    return rows if len(rows) else compute(frame)


def measures(frame: pd.DataFrame) -> pd.DataFrame:
    """The compared measures of one run, with a ``group`` column."""
    price = _series(frame, "Price|")
    price = price[price["region"] == WORLD]
    short = _series(frame, "Shortage|")
    parts = [
        _indicator(frame, "Share|", shares).assign(group="share"),
        price.assign(group="price"),
        short.assign(group="shortage"),
        _indicator(frame, "Net Import Reliance|", net_import_reliance).assign(
            group="import reliance"
        ),
    ]
    cols = ["group", "variable", "region", "unit", "year", "value"]
    return pd.concat([p[cols] for p in parts], ignore_index=True)


def compare(
    a: pd.DataFrame, b: pd.DataFrame, years: list[int] | None = None, top: int = 8
) -> pd.DataFrame:
    """The ``top`` most changed series of each group, for ``years`` (default: 5-year steps).

    Columns: group, variable, region, unit, year, a, b, change (b - a) and change_pct.
    """
    ma, mb = measures(a), measures(b)
    common = sorted(set(ma["year"]) & set(mb["year"]))
    if not common:
        raise MineralflowError("the two runs share no year to compare")
    if years is None:
        years = [y for y in common if y % 5 == 0 or y in (common[0], common[-1])]
    missing = sorted(set(years) - set(common))
    if missing:
        raise MineralflowError(
            f"year {missing[0]} is not in both runs; common years: {common[0]}-{common[-1]}"
        )
    key = ["group", "variable", "region", "unit", "year"]
    both = ma.merge(mb, on=key, how="outer", suffixes=("_a", "_b")).fillna(0.0)
    both = both[both["year"].isin(years)].rename(columns={"value_a": "a", "value_b": "b"})
    both["change"] = both["b"] - both["a"]
    scale = both[["a", "b"]].abs().max(axis=1)
    both["change_pct"] = np.where(
        scale > 0, 100 * both["change"] / both["a"].abs().where(both["a"].abs() > 1e-9, np.nan), 0.0
    )
    # rank series by their largest change relative to their size (points for shares)
    relative = np.where(
        both["unit"] == "%", both["change"].abs(), both["change"].abs() / scale.where(scale > 0, 1)
    )
    both["_rank"] = relative
    keep = []
    for group in GROUPS:
        part = both[both["group"] == group]
        if part.empty:
            continue
        score = part.groupby(["variable", "region"])["_rank"].max()
        score = score[score > 1e-6].sort_values(ascending=False).head(top)
        chosen = part.set_index(["variable", "region"]).loc[score.index].reset_index()
        order = {k: i for i, k in enumerate(score.index)}
        chosen["_order"] = [
            order[(v, r)] for v, r in zip(chosen["variable"], chosen["region"], strict=True)
        ]
        keep.append(chosen.sort_values(["_order", "year"]))
    if not keep:
        return both.iloc[0:0].drop(columns="_rank")
    out = pd.concat(keep, ignore_index=True)
    return out[[*key, "a", "b", "change", "change_pct"]]


#: years of the short- versus long-term statement, and what counts as short and long term
HORIZON_YEARS = (2025, 2030, 2035, 2040)
SHORT_TERM = (2025,)
LONG_TERM = (2035, 2040)
#: a change in share (percentage points) below LIMITED is limited, from SIGNIFICANT significant
LIMITED, SIGNIFICANT = 2.0, 5.0


def _magnitude(change: float) -> str:
    size = abs(change)
    return "limited" if size < LIMITED else "significant" if size >= SIGNIFICANT else "moderate"


def horizon(
    base: pd.DataFrame, other: pd.DataFrame, region: str = "CHN", years: tuple[int, ...] = ()
) -> pd.DataFrame:
    """``region``'s share of each stage in ``HORIZON_YEARS``: base, scenario and change (pp).

    Adds ``short`` and ``long`` (limited, moderate or significant: the largest change over
    the short- and long-term years) and ``verdict`` per stage.
    """
    years = years or HORIZON_YEARS
    sa = _indicator(base, "Share|", shares)
    sb = _indicator(other, "Share|", shares)
    key = ["variable", "year"]
    pick = [*key, "value"]
    both = sa.loc[sa["region"] == region, pick].merge(
        sb.loc[sb["region"] == region, pick], on=key, how="outer", suffixes=("_base", "_scenario")
    )
    both = both[both["year"].isin(years)].fillna(0.0)
    if both.empty:
        raise MineralflowError(
            f"no share of {region} in the years {', '.join(map(str, years))} in both runs"
        )
    both = both.rename(columns={"value_base": "base", "value_scenario": "scenario"})
    both["change"] = both["scenario"] - both["base"]
    parts = both["variable"].str.split("|")
    both.insert(0, "commodity", parts.str[1])
    both.insert(1, "stage", parts.str[2])
    rows = []
    for _, part in both.groupby(["commodity", "stage"], sort=False):
        by_year = part.set_index("year")["change"]
        short = by_year.reindex(SHORT_TERM).abs().max()
        long = by_year.reindex(LONG_TERM).abs().max()
        short_m = _magnitude(0.0 if np.isnan(short) else short)
        long_m = _magnitude(0.0 if np.isnan(long) else long)
        if short_m == "limited" and long_m == "limited":
            verdict = "no material effect"
        elif short_m != "significant" and long_m == "significant":
            verdict = "short-term limited, long-term significant"
        elif short_m == "significant" and long_m != "significant":
            verdict = "short-term, fading"
        elif short_m == "significant":
            verdict = "immediate and lasting"
        else:
            verdict = "moderate"
        rows.append(part.assign(short=short_m, long=long_m, verdict=verdict))
    out = pd.concat(rows, ignore_index=True).drop(columns="variable")
    return out.assign(region=region).sort_values(["commodity", "stage", "year"], kind="stable")
