"""Key differences between two runs, by year: shares, prices, shortages, import reliance.

Both runs are result tables (from a run or from the store).  Measures are computed the same
way for any pack, so a comparison works on any two runs; rows are ranked by how much they
differ, so that the table leads with what changed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mineralflow.errors import MineralflowError
from mineralflow.iamc import series
from mineralflow.metrics.indicators import shares
from mineralflow.tables import Tables

WORLD = "World"
#: values smaller than this (in any unit: t, USD/kg, %) are the solver's rounding, read as 0
NOISE = 1e-6
GROUPS = ("share", "price", "shortage", "import reliance")
#: group -> the IAMC series it reads
MEASURES = {
    "share": "share",
    "price": "prices",
    "shortage": "shortage",
    "import reliance": "reliance",
}


def measures(tables: Tables) -> pd.DataFrame:
    """The compared measures of one run, with ``group`` and ``name`` (variable less its kind)."""
    parts = []
    for group, which in MEASURES.items():
        rows = series(tables, which)
        if group == "price":
            rows = rows[rows["region"] == WORLD]
        parts.append(rows.assign(group=group))
    cols = ["group", "variable", "name", "region", "unit", "year", "value"]
    return pd.concat([p[cols] for p in parts], ignore_index=True)


def compare(a: Tables, b: Tables, years: list[int] | None = None, top: int = 8) -> pd.DataFrame:
    """The ``top`` most changed series of each group, for ``years`` (default: 5-year steps).

    Columns: group, variable, name, region, unit, year, a, b, change (b - a) and change_pct.
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
    key = ["group", "variable", "name", "region", "unit", "year"]
    both = ma.merge(mb, on=key, how="outer", suffixes=("_a", "_b")).fillna(0.0)
    both = both[both["year"].isin(years)].rename(columns={"value_a": "a", "value_b": "b"})
    for side in ("a", "b"):  # the solver's rounding (1e-12 t) is no difference
        both[side] = both[side].where(both[side].abs() >= NOISE, 0.0)
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
    base: Tables, other: Tables, region: str | None = None, years: tuple[int, ...] = ()
) -> pd.DataFrame:
    """A region's share of each stage in ``HORIZON_YEARS``: base, scenario and change (pp).

    ``region`` defaults to each commodity's focus region (its pack's ``report`` section).
    Columns commodity, stage (pack names), year, base, scenario, change, ``short`` and
    ``long`` (limited, moderate or significant: the largest change over the short- and
    long-term years), ``verdict`` per stage, and region.
    """
    years = years or HORIZON_YEARS
    key = ["commodity", "stage", "year"]
    picked = []
    for tables in (base, other):
        share = shares(tables)
        focus_of = {c: region or tables.focus_region(c) for c in share["commodity"].unique()}
        focus = share["commodity"].map(focus_of)
        picked.append(share[share["region"] == focus].assign(region=focus))
    both = picked[0].merge(
        picked[1], on=[*key, "region"], how="outer", suffixes=("_base", "_scenario")
    )
    both = both[both["year"].isin(years)].fillna({"value_base": 0.0, "value_scenario": 0.0})
    if both.empty:
        raise MineralflowError(
            f"no share of {region or 'the focus region'} in the years "
            f"{', '.join(map(str, years))} in both runs"
        )
    both = both.rename(columns={"value_base": "base", "value_scenario": "scenario"})
    both["change"] = both["scenario"] - both["base"]
    rows = [
        part.assign(**_verdict(part.set_index("year")["change"]))
        for _, part in both.groupby(["commodity", "stage"], sort=False)
    ]
    out = pd.concat(rows, ignore_index=True)
    return out.sort_values(["commodity", "stage", "year"], kind="stable").reset_index(drop=True)


def _verdict(by_year: pd.Series) -> dict[str, str]:
    """short, long and verdict of one stage's share changes by year."""
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
    return {"short": short_m, "long": long_m, "verdict": verdict}
