"""Trade routes calibrated to published bilateral flows (positive mathematical programming).

Least-cost flows put every importer on its cheapest source, where published trade spreads
it over several (contracts, logistics, quality, relationships).  Following Paris, Drogue and
Anania (2011, "Calibrating spatial models of trade", Economic Modelling 28), each published
flow becomes a *route*: the reconciliation fixes the route's shipments at the published
flow, and the dual of that constraint is the route's premium, the cost (or, negative, the
advantage) that least-cost trade does not see.  In runs the premium rises with the route's
flow along a curve through the base-year point (:func:`mineralflow.market.curves.route_blocks`),
so the base year is reproduced and later years move away from it smoothly.

Targets, for stages whose ``route_elasticity`` is finite:

* an exporter's share of a region's imports of the stage in the base year itself
  (``import_sources.csv``, a period of that one year);
* else a tonnage between two regions in ``trade.csv`` for the base year, as a share of the
  importer's published imports of the stage where ``trade.csv`` gives them (WLD);
* else the share of the latest period in ``import_sources.csv`` that contains the base year.

The share is applied to the importer's imports of the stage in the least-cost
reconciliation: published imports are gross (they include what is re-exported) where the
model trades net, so the shares set where imports come from and the balance of supply and
demand sets how much.  A tonnage without a published total is a target as it is.

Routes are held at their targets exactly, except where that prices an importer above its
largest source (the reconciliation gives that route a positive premium): what the published
figures give to unnamed exporters (``ROW``) and to re-exporters, which the model cannot
place, then comes from a costlier residual source.  The largest source is then held at
*least* at its target and carries the residual, so that the importer's price stays that of
its main source.

``ROW`` shares (the rest of the world) and pairs the network cannot trade are not targets.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mineralflow.data.pack import Pack
from mineralflow.network import AGGREGATES

ROUTE = ["exporter", "importer", "stage"]
REST = "ROW"  # in import_sources.csv: every exporter not named


def published_routes(pack: Pack, stages: pd.Series, year: int) -> pd.DataFrame:
    """Published base-year flows by route (index exporter, importer, stage).

    ``stages``: the route elasticity by stage (routes only where it is finite).  Columns:
    ``tonnage`` (t, NaN where only a share is published), ``share`` (of the importer's
    imports of the stage), ``source_id``.
    """
    calibrated = set(stages.index[np.isfinite(stages.to_numpy(float))])
    shares = _shares(pack, year)
    of_year = shares[shares["of_year"]]
    tonnage = _tonnages(pack, year)
    tonnage = tonnage[~tonnage.index.isin(of_year.index)]
    rest = shares[~shares.index.isin(of_year.index.union(tonnage.index))]
    table = pd.concat([of_year, tonnage, rest]).sort_index()
    table = table[table.index.get_level_values("stage").isin(calibrated)]
    return table[["tonnage", "share", "source_id"]]


def _named(frame: pd.DataFrame) -> pd.Series:
    """Rows between two named regions (no world total, no rest of world)."""
    outside = {*AGGREGATES, REST}
    return ~frame["exporter"].isin(outside) & ~frame["importer"].isin(outside)


def _tonnages(pack: Pack, year: int) -> pd.DataFrame:
    """Published tonnages between two regions, with their share of the importer's published
    imports of the stage where ``trade.csv`` gives that total (WLD as exporter)."""
    if "trade" not in pack.tables:
        return _empty()
    # sorted, so that the figure kept for a route does not depend on the table's row order
    rows = pack.select("trade", year=year).sort_values([*ROUTE, "source_id"], kind="stable")
    totals = rows[rows["exporter"].isin(AGGREGATES)].drop_duplicates(["importer", "stage"])
    total = totals.set_index(["importer", "stage"])["value"].astype(float)
    rows = rows[_named(rows)].drop_duplicates(ROUTE, keep="last")
    over = total.reindex(pd.MultiIndex.from_frame(rows[["importer", "stage"]])).to_numpy()
    tonnage = rows["value"].astype(float).to_numpy()
    return rows.assign(tonnage=tonnage, share=tonnage / over).set_index(ROUTE)


def _shares(pack: Pack, year: int) -> pd.DataFrame:
    if "import_sources" not in pack.tables:
        return _empty()
    rows = pack.select("import_sources")
    rows = rows[(rows["period_start"] <= year) & (rows["period_end"] >= year) & _named(rows)]
    # the latest period that contains the year, per route
    rows = rows.sort_values([*ROUTE, "period_end", "period_start", "source_id"], kind="stable")
    rows = rows.drop_duplicates(ROUTE, keep="last")
    of_year = (rows["period_start"] == year) & (rows["period_end"] == year)
    share = rows["share"].astype(float)
    return rows.assign(tonnage=np.nan, share=share, of_year=of_year).set_index(ROUTE)


def _empty() -> pd.DataFrame:
    index = pd.MultiIndex.from_tuples([], names=ROUTE)
    columns = {"tonnage": [], "share": [], "source_id": [], "of_year": pd.Series([], dtype=bool)}
    return pd.DataFrame(columns, index=index)


def route_targets(
    published: pd.DataFrame, trade: pd.Series, stage_of: pd.Series, makers: pd.MultiIndex
) -> pd.Series:
    """Each route's base-year flow (t): its share of the importer's imports of the stage in
    ``trade`` (t by exporter, importer, product), else its published tonnage.

    Routes the network has no arc for are left out, and so are exporters that make none of
    the stage's products in the base year (``makers``: region, stage): what they ship is
    re-exported, which the model nets out.
    """
    if published.empty:
        return pd.Series(dtype=float, index=published.index, name="target")
    frame = trade.rename("value").reset_index()
    frame["stage"] = stage_of.reindex(frame["product"]).to_numpy()
    arcs = pd.MultiIndex.from_frame(frame[ROUTE].drop_duplicates())
    imports = frame.groupby(["importer", "stage"])["value"].sum()
    keys = pd.MultiIndex.from_arrays(
        [published.index.get_level_values(1), published.index.get_level_values(2)]
    )
    total = imports.reindex(keys).fillna(0.0).to_numpy()
    # the model trades net, so published shares of (gross) imports apply to the model's
    # imports; a tonnage without a published total is taken as it is
    target = (published["share"] * total).fillna(published["tonnage"])
    makes = pd.MultiIndex.from_arrays(
        [published.index.get_level_values(0), published.index.get_level_values(2)]
    ).isin(makers)
    target = target[published.index.isin(arcs) & makes & (target > 0)]
    return target.rename("target")


def largest_sources(targets: pd.Series) -> pd.Series:
    """Whether each route is its importer's largest source of the stage (one per importer
    and stage; ties go to the first exporter by name)."""
    frame = targets.rename("target").reset_index()
    frame = frame.sort_values(
        ["importer", "stage", "target", "exporter"],
        ascending=[True, True, False, True],
        kind="stable",
    )
    first = ~frame.duplicated(["importer", "stage"])
    return (
        pd.Series(first.to_numpy(), index=pd.MultiIndex.from_frame(frame[ROUTE]))
        .reindex(targets.index)
        .rename("at_least")
    )


def route_prices(trade: pd.Series, prices: pd.Series, stage_of: pd.Series) -> pd.Series:
    """Each route's delivered price (USD/kg): the importer's prices of the route's products,
    weighted by what the route ships of each (``trade`` t by exporter, importer, product)."""
    frame = trade.rename("value").reset_index()
    frame["stage"] = stage_of.reindex(frame["product"]).to_numpy()
    at = pd.MultiIndex.from_arrays([frame["importer"], frame["product"]])
    frame["worth"] = frame["value"] * prices.reindex(at).to_numpy()
    sums = frame.groupby(ROUTE)[["worth", "value"]].sum()
    return (sums["worth"] / sums["value"].where(sums["value"] > 0)).rename("price")
