"""Convergence of the block approximation: a scenario solved at several curve resolutions.

Every supply, demand and stock curve is a staircase of blocks (:mod:`mineralflow.market.curves`).
This study solves a scenario with each block split into 1, 2, 4, ... blocks and compares the
headline results with the finest: prices at the main producer and by region for the priced
products, output by region and stage, shares of world output, and world shortage and demand
reduction as shares of demand. The default resolution must be the coarsest at which every
headline moves less than the tolerance (docs/validation.md).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mineralflow.dynamics import Run
from mineralflow.market.curves import Edges
from mineralflow.metrics.indicators import shares
from mineralflow.scenario.execute import CalibrationCache, execute
from mineralflow.scenario.loading import load_scenario
from mineralflow.tables import Tables

KEYS = ["group", "commodity", "region", "item", "year"]
#: producers below this share of their stage's world output in the finest run are left out
#: (a small producer's exact tonnage is not a headline)
MIN_SHARE = 1.0  # %
#: a headline moves "less than the tolerance" when every deviation is below this
TOLERANCE = 2.0  # % (prices: % of the larger of base-year price and price; shortages: points)


def headlines(tables: Tables, priced: dict[str, float]) -> pd.DataFrame:
    """The headline results of a run: group, commodity, region, item, year, value, scale.

    ``scale`` is what a deviation is measured against: the value itself for output and
    shares, the larger of the product's base-year price (``priced``: product -> USD/kg) and
    the price itself for prices (a price that has tripled is held to 2 % of its own level,
    not of a third of it; a price near zero to 2 % of its base), 100 for shortages (already %
    of demand, so deviations are in points).
    """
    share = shares(tables)
    output = tables.stage_output()
    prices = tables.prices[tables.prices["product"].isin(list(priced))]
    parts = [
        output.assign(group="production", item=output["stage"], scale=output["value"]),
        share.assign(group="share", item=share["stage"], scale=share["value"]),
        prices.assign(
            group="price",
            item=prices["product"],
            scale=np.maximum(prices["product"].map(priced), prices["value"].abs()),
        ),
        _rationed(tables),
    ]
    return pd.concat([p[[*KEYS, "value", "scale"]] for p in parts], ignore_index=True)


def _rationed(tables: Tables) -> pd.DataFrame:
    """World shortage and demand reduction of each commodity, % of what it would buy."""
    keys = ["commodity", "year"]
    bought = tables.consumption.groupby(keys)["value"].sum()
    short = tables.shortage.groupby(keys)["value"].sum()
    reduced = tables.demand_reduction.groupby(keys)["value"].sum()
    wanted = bought + short + reduced
    out = []
    for name, part in (("shortage", short), ("demand reduction", reduced)):
        share = (100 * part / wanted).rename("value").reset_index()
        out.append(share.assign(group=name, region="World", item="% of demand", scale=100.0))
    return pd.concat(out, ignore_index=True)


def _published(run: Run) -> dict[str, float]:
    """The products with a published base-year price, and that price (USD/kg)."""
    cal = run.calibration
    rows = run.pack.select("prices", year=cal.year)
    products = set(rows.loc[rows["basis"] == "annual average", "product"])
    return {str(p): float(v) for p, v in cal.reference_prices.items() if p in products}


def _kept(finest: pd.DataFrame, tables: Tables) -> pd.DataFrame:
    """The finest run's headlines that count: producers with at least MIN_SHARE of their
    stage, and prices at World and in those producers' regions."""
    share = shares(tables)
    big = share[share["value"] >= MIN_SHARE]
    producers = set(zip(big["commodity"], big["region"], big["stage"], big["year"], strict=True))
    regions = {"World", *big["region"]}
    at = list(
        zip(finest["commodity"], finest["region"], finest["item"], finest["year"], strict=True)
    )
    supply = finest["group"].isin(["production", "share"])
    keep = np.array([(k in producers) if s else True for k, s in zip(at, supply, strict=True)])
    keep &= ~(finest["group"] == "price").to_numpy() | finest["region"].isin(regions).to_numpy()
    return finest[keep]


def study(scenario: str = "baseline", resolutions: tuple[int, ...] = (1, 2, 4, 8)) -> pd.DataFrame:
    """Each headline at each resolution (columns ``x1``, ``x2``, ...), one row per headline
    of the finest run, with the ``scale`` deviations are measured against."""
    runs = {}
    for resolution in resolutions:
        cache = CalibrationCache(edges=Edges(resolution))
        result = execute(load_scenario(scenario), cache=cache)
        priced = {p: v for run in result.runs.values() for p, v in _published(run).items()}
        runs[resolution] = (result.tables, headlines(result.tables, priced))
    finest_tables, finest = runs[resolutions[-1]]
    table = _kept(finest, finest_tables).set_index(KEYS)
    out = table[["scale"]].copy()
    for resolution in resolutions:
        values = runs[resolution][1].set_index(KEYS)["value"]
        out[f"x{resolution}"] = values.reindex(out.index).fillna(0.0)
    return out.reset_index()


def deviations(table: pd.DataFrame) -> pd.DataFrame:
    """Largest deviation of each resolution from the finest, by headline group, in % of the
    headline's scale (points of demand for shortage and demand reduction)."""
    columns = [c for c in table.columns if c.startswith("x")]
    finest = table[columns[-1]]
    scale = table["scale"].abs().where(table["scale"].abs() > 1e-9)
    rows = []
    for column in columns[:-1]:
        measure = (100 * (table[column] - finest).abs() / scale).fillna(0.0)
        for group, part in measure.groupby(table["group"], sort=True):
            at = table.iloc[int(part.index.to_numpy()[int(np.argmax(part.to_numpy()))])]
            rows.append(
                {
                    "resolution": column,
                    "against": columns[-1],
                    "group": group,
                    "largest deviation": float(part.max()),
                    "over tolerance": int((part >= TOLERANCE).sum()),
                    "headlines": len(part),
                    "where": f"{at['commodity']} {at['region']} {at['item']} {at['year']}",
                }
            )
    return pd.DataFrame(rows)
