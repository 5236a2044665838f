"""Key differences between two runs, by year: shares, prices, shortages, import reliance.

Both runs are IAMC tables (from a run or from the store).  Measures are computed the same
way for any pack, so a comparison works on any two runs; rows are ranked by how much they
differ, so that the table leads with what changed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mineralflow.errors import MineralflowError

WORLD = "World"
GROUPS = ("share", "price", "shortage", "import reliance")


def _series(frame: pd.DataFrame, prefix: str) -> pd.DataFrame:
    return frame[frame["variable"].str.startswith(prefix)]


def shares(frame: pd.DataFrame) -> pd.DataFrame:
    """Each region's share of world production at every stage (%)."""
    prod = _series(frame, "Production|")
    prod = prod[prod["variable"].str.count(r"\|") == 2]  # stages, not element detail
    world = prod[prod["region"] == WORLD].set_index(["variable", "year"])["value"]
    part = prod[prod["region"] != WORLD]
    total = world.reindex(pd.MultiIndex.from_frame(part[["variable", "year"]])).to_numpy()
    value = np.divide(
        part["value"].to_numpy(float) * 100,
        total,
        out=np.zeros(len(part)),
        where=np.nan_to_num(total) > 0,
    )
    out = part.assign(value=value, unit="%")
    out["variable"] = "Share|" + out["variable"].str.removeprefix("Production|")
    return out


def import_reliance(frame: pd.DataFrame) -> pd.DataFrame:
    """Net imports over apparent consumption at each stage, by region (%).

    Apparent consumption is production plus imports minus exports; a net exporter gets a
    negative reliance.  (Stock changes are not counted here.)
    """
    rows = []
    for kind in ("Production", "Imports", "Exports"):
        part = _series(frame, f"{kind}|")
        part = part[part["variable"].str.count(r"\|") == 2]
        part = part.assign(stage=part["variable"].str.split("|", n=1).str[1], kind=kind)
        rows.append(part[part["region"] != WORLD])
    if not rows:
        return frame.iloc[0:0]
    table = pd.concat(rows).pivot_table(
        index=["stage", "region", "year"], columns="kind", values="value", aggfunc="sum"
    )
    table = table.reindex(columns=["Production", "Imports", "Exports"]).fillna(0.0)
    net = table["Imports"] - table["Exports"]
    apparent = table["Production"] + net
    value = np.where(apparent > 1e-6, 100 * net / apparent.where(apparent > 1e-6, 1.0), np.nan)
    out = pd.DataFrame({"value": value}, index=table.index).dropna().reset_index()
    out["variable"] = "Import Reliance|" + out["stage"]
    out["unit"] = "%"
    return out[["region", "variable", "unit", "year", "value"]]


def measures(frame: pd.DataFrame) -> pd.DataFrame:
    """The compared measures of one run, with a ``group`` column."""
    price = _series(frame, "Price|")
    price = price[price["region"] == WORLD]
    short = _series(frame, "Shortage|")
    parts = [
        shares(frame).assign(group="share"),
        price.assign(group="price"),
        short.assign(group="shortage"),
        import_reliance(frame).assign(group="import reliance"),
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
