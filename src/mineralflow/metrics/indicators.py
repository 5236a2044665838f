"""Indicators computed from a run's tables: shares, concentration and import reliance.

They read only the production, trade and stock-change tables, so they work for any pack and
for runs read back from the store.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mineralflow.tables import Tables

STAGE = ["commodity", "stage", "year"]


def shares(tables: Tables) -> pd.DataFrame:
    """Each region's share of world output of a stage (%): commodity, region, stage, year."""
    output = tables.stage_output()
    total = output.groupby(STAGE)["value"].transform("sum").to_numpy(float)
    value = np.divide(
        output["value"].to_numpy(float) * 100, total, out=np.zeros(len(output)), where=total > 0
    )
    return output.assign(value=value)[["commodity", "region", "stage", "year", "value"]]


def hhi(tables: Tables) -> pd.DataFrame:
    """World concentration of each stage: sum of squared percentage shares (0-10,000).

    ``ROW`` is one region in the sum, so the index is a lower bound where the rest of the
    world is many small producers.
    """
    share = shares(tables)
    square = share.assign(value=share["value"] ** 2)
    return square.groupby(STAGE, sort=False)["value"].sum().reset_index()


def _net_supply(tables: Tables) -> tuple[pd.Series, pd.Series]:
    """(production, net imports plus stock decrease) by commodity, region, stage and year."""
    keys = ["commodity", "region", "stage", "year"]
    trade = tables.trade.assign(kind=tables.trade["direction"])
    # output counts at its product's stage: secondary output from scrap is domestic supply of
    # the product it recovers, as USGS counts it
    names = tables.names[tables.names["kind"] == "product"]
    stage_of = dict(
        zip(zip(names["commodity"], names["name"], strict=True), names["stage"], strict=True)
    )
    made = tables.production
    products = zip(made["commodity"], made["product"], strict=True)
    stages = [stage_of.get(k, s) for k, s in zip(products, made["stage"], strict=True)]
    parts = [
        made.assign(stage=stages, kind="production"),
        trade,
        tables.stock_change.assign(kind="stock_change"),
    ]
    table = pd.concat([p[[*keys, "kind", "value"]] for p in parts]).pivot_table(
        index=keys, columns="kind", values="value", aggfunc="sum"
    )
    table = table.reindex(columns=["production", "imports", "exports", "stock_change"])
    table = table.fillna(0.0)
    return table["production"], table["imports"] - table["exports"] - table["stock_change"]


def apparent_consumption(tables: Tables) -> pd.DataFrame:
    """Apparent consumption by region and stage, USGS definition: production plus imports
    minus exports plus the stock decrease (the stage's unit)."""
    production, net = _net_supply(tables)
    value = (production + net).rename("value").reset_index()
    return value[["commodity", "region", "stage", "year", "value"]]


def net_import_reliance(tables: Tables) -> pd.DataFrame:
    """Net import reliance by region and stage, USGS definition (%).

    Imports minus exports plus the stock decrease, over apparent consumption (production plus
    that same net supply).  A net exporter's reliance is negative; regions with no apparent
    consumption of a stage get none.
    """
    production, net = _net_supply(tables)
    apparent = production + net
    ok = apparent > 1e-6 * production.abs().clip(lower=1.0)
    value = 100 * net[ok] / apparent[ok]
    return value.rename("value").reset_index()[["commodity", "region", "stage", "year", "value"]]
