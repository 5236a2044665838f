"""Indicators computed from a run's IAMC table: shares, concentration and import reliance.

They read only the ``Production``, ``Imports``, ``Exports`` and ``Stock Change`` variables of
each stage, so they work for any pack and for runs read back from the store.  Every function
takes and returns IAMC rows (region, variable, unit, year, value).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

WORLD = "World"
COLUMNS = ["region", "variable", "unit", "year", "value"]


def _stage_rows(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """``Kind|Commodity|Stage`` rows (no element detail), with a ``key`` = Commodity|Stage."""
    rows = frame[frame["variable"].str.startswith(f"{kind}|")]
    rows = rows[rows["variable"].str.count(r"\|") == 2]
    return rows.assign(key=rows["variable"].str.split("|", n=1).str[1])


def shares(frame: pd.DataFrame) -> pd.DataFrame:
    """``Share|Commodity|Stage``: each region's share of world output of a stage (%)."""
    prod = _stage_rows(frame, "Production")
    world = prod[prod["region"] == WORLD].set_index(["key", "year"])["value"]
    part = prod[prod["region"] != WORLD]
    total = world.reindex(pd.MultiIndex.from_frame(part[["key", "year"]])).to_numpy()
    value = np.divide(
        part["value"].to_numpy(float) * 100,
        total,
        out=np.zeros(len(part)),
        where=np.nan_to_num(total) > 0,
    )
    out = part.assign(value=value, unit="%", variable="Share|" + part["key"])
    return out[COLUMNS].reset_index(drop=True)


def hhi(frame: pd.DataFrame) -> pd.DataFrame:
    """``HHI|Commodity|Stage`` for the World: sum of squared percentage shares (0-10,000).

    ``ROW`` is one region in the sum, so the index is a lower bound where the rest of the
    world is many small producers.
    """
    share = shares(frame)
    if share.empty:
        return share
    share = share.assign(square=share["value"] ** 2)
    out = share.groupby(["variable", "year"])["square"].sum().rename("value").reset_index()
    out["variable"] = "HHI|" + out["variable"].str.removeprefix("Share|")
    out["region"] = WORLD
    out["unit"] = "index"
    return out[COLUMNS]


def net_import_reliance(frame: pd.DataFrame) -> pd.DataFrame:
    """``Net Import Reliance|Commodity|Stage`` by region, USGS definition (%).

    Imports minus exports plus the stock decrease, over apparent consumption (production plus
    that same net supply).  A net exporter's reliance is negative; regions with no apparent
    consumption of a stage get none.
    """
    parts = []
    for kind in ("Production", "Imports", "Exports", "Stock Change"):
        rows = _stage_rows(frame, kind)
        parts.append(rows[rows["region"] != WORLD].assign(kind=kind))
    table = pd.concat(parts).pivot_table(
        index=["key", "region", "year"], columns="kind", values="value", aggfunc="sum"
    )
    table = table.reindex(columns=["Production", "Imports", "Exports", "Stock Change"])
    table = table.fillna(0.0)
    net = table["Imports"] - table["Exports"] - table["Stock Change"]
    apparent = table["Production"] + net
    ok = apparent > 1e-6 * table["Production"].abs().clip(lower=1.0)
    value = 100 * net[ok] / apparent[ok]
    out = value.rename("value").reset_index()
    out["variable"] = "Net Import Reliance|" + out["key"]
    out["unit"] = "%"
    return out[COLUMNS]


def indicator_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """All indicators of a run, ready to append to its IAMC table."""
    return pd.concat([shares(frame), hhi(frame), net_import_reliance(frame)], ignore_index=True)
