"""The LP's variable and constraint families, built from a network and its market data.

:func:`build_layout` names every block of columns and rows, over entities sorted by their
labels, so that the LP is the same whatever the row order of the pack's tables.  Each
``define_<family>`` function returns the matrix entries of one constraint family as
(row, column, value) arrays; :func:`assemble` stacks them into the sparse matrix.

Variable families (columns):

* ``supply[region, stage, variant, step]``: a group's output, one column per cost-curve step;
* ``activity[process]``: a process's output (t of its main product);
* ``trade[exporter, importer, product]``;
* ``use[region, sector, step]``: consumption, one column per demand-curve step;
* ``absorb`` / ``release[region, product, step]``: stock holders' curves;
* ``dispose[region, product]``: surplus thrown away at the disposal cost, at every node;
* ``route[exporter, importer, stage, step]``: a calibrated trade route's premium curve.

Constraint families (rows): ``balance[region, product]`` (made + imported + released = used
+ exported + consumed + absorbed + disposed), ``group[region, stage, variant]`` (a group's
processes add up to its curve), ``export_quota[region]`` (t REO-equivalent of quota-bound
products leaving a region), ``route[exporter, importer, stage]`` (the t of a stage's
products shipped on a route equal the steps of its premium curve) and, where a scenario sets
them, ``limit[name]``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import NDArray

from mineralflow.market.errors import MarketError
from mineralflow.market.layout import Layout

if TYPE_CHECKING:
    from mineralflow.market.problem import MarketData

Entries = tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]


def _dims(index: pd.Index, names: list[str]) -> pd.DataFrame:
    """The dimensions of a MultiIndex as a frame (one column per level)."""
    return pd.DataFrame({n: index.get_level_values(i) for i, n in enumerate(names)})


def _sorted_pairs(frame: pd.DataFrame, order: list[str]) -> pd.MultiIndex:
    """Distinct rows of ``frame`` as a MultiIndex, sorted by ``order`` (then the rest)."""
    rest = [c for c in frame.columns if c not in order]
    unique = frame.drop_duplicates().sort_values(order + rest, kind="stable")
    return pd.MultiIndex.from_frame(unique.reset_index(drop=True))


def quota_products(data: MarketData) -> pd.Series:
    """t REO-equivalent per t of each product that export quotas cover (0 elsewhere)."""
    net = data.network
    products = net.products
    if data.quota_stage is None:
        return pd.Series(0.0, index=products.index)
    names = [s.name for s in net.stages]
    covered = names[names.index(data.quota_stage) :]
    return products["reo_weight"].where(products["stage"].isin(covered), 0.0).astype(float)


def route_index(data: MarketData) -> pd.MultiIndex:
    """The calibrated trade routes (exporter, importer, stage), sorted; none without data."""
    names = ["exporter", "importer", "stage"]
    if data.routes is None or data.routes.empty:
        return pd.MultiIndex.from_tuples([], names=names)
    return _sorted_pairs(data.routes.index.to_frame(index=False)[names], names)


def _quota_regions(data: MarketData, arcs: pd.MultiIndex) -> pd.Index:
    """Regions exporting products that export quotas cover (sorted)."""
    weight = quota_products(data)
    bound = weight.index[weight > 0]
    exporters = arcs.get_level_values(0)[arcs.get_level_values(2).isin(bound)]
    return pd.Index(sorted(set(exporters)), name="region")


def _nodes_and_arcs(
    data: MarketData, coef: pd.DataFrame, baskets: pd.DataFrame, stock_keys: pd.Index
) -> tuple[pd.MultiIndex, pd.MultiIndex]:
    """The balance nodes (region x product made, used or stocked) and the trade arcs: from
    every region that makes or releases a product to every other region that uses it."""
    made = coef.loc[coef["coeff"] > 0, ["region", "product"]]
    used = pd.concat(
        [coef.loc[coef["coeff"] < 0, ["region", "product"]], baskets[["region", "product"]]]
    )
    stocked = stock_keys.to_frame(index=False)
    nodes = _sorted_pairs(pd.concat([made, used, stocked]), ["product", "region"])
    releasing = stocked[data.stocks["release"].reindex(stock_keys).to_numpy() > 0]
    sources = pd.concat([made, releasing]).drop_duplicates()
    arcs = sources.merge(used.drop_duplicates(), on="product", suffixes=("_from", "_to"))
    arcs = arcs[arcs["region_from"] != arcs["region_to"]]
    arcs = arcs.rename(columns={"region_from": "exporter", "region_to": "importer"})
    arc_index = _sorted_pairs(
        arcs[["exporter", "importer", "product"]], ["product", "exporter", "importer"]
    )
    return nodes, arc_index


def build_layout(data: MarketData) -> tuple[Layout, pd.DataFrame, pd.DataFrame]:
    """The layout of ``data``'s LP, with the process coefficients and demand baskets.

    Returns (layout, coefficients with each process's region, baskets by demand key).
    """
    net = data.network
    coef = net.coefficients.merge(
        net.processes[["region"]], left_on="process", right_index=True, validate="m:1"
    ).sort_values(["process", "product"], kind="stable", ignore_index=True)
    demand_keys = data.demand.index.sort_values()
    baskets = (
        demand_keys.to_frame(index=False)
        .merge(net.baskets, on="sector", validate="m:m")
        .sort_values(["region", "sector", "product"], kind="stable", ignore_index=True)
    )
    stock_keys = data.stocks.index.sort_values()
    nodes, arc_index = _nodes_and_arcs(data, coef, baskets, stock_keys)
    groups = pd.Index(data.groups.index.sort_values(), name="group")
    group_dims = net.groups.reindex(groups)[["region", "stage", "variant"]]
    processes = pd.Index(net.processes.index.sort_values(), name="process")
    process_dims = net.processes.reindex(processes)[["region", "stage", "variant", "group"]]
    quota_regions = _quota_regions(data, arc_index)

    edges = data.edges
    n_sup, n_dem, n_stk = len(edges.supply) - 1, len(edges.demand) - 1, len(edges.stock) - 1
    routes = route_index(data)
    route_dims = _dims(routes, ["exporter", "importer", "stage"])
    pair = ["region", "product"]
    columns = Layout.stack(
        [
            ("supply", groups, group_dims, n_sup),
            ("activity", processes, process_dims, 1),
            ("trade", arc_index, _dims(arc_index, ["exporter", "importer", "product"]), 1),
            ("use", demand_keys, _dims(demand_keys, ["region", "sector"]), n_dem),
            ("absorb", stock_keys, _dims(stock_keys, pair), n_stk),
            ("release", stock_keys, _dims(stock_keys, pair), n_stk),
            ("dispose", nodes, _dims(nodes, pair), 1),
            ("route", routes, route_dims, len(edges.route) - 1),
        ]
    )
    rows = Layout.stack(
        [
            ("balance", nodes, _dims(nodes, pair), 1),
            ("group", groups, group_dims, 1),
            ("export_quota", quota_regions, pd.DataFrame({"region": quota_regions}), 1),
            ("route", routes, route_dims, 1),
        ]
    )
    return Layout(columns, rows), coef, baskets


def node_positions(layout: Layout, regions: object, products: object) -> NDArray[np.int64]:
    """Ordinals of (region, product) nodes in the balance block; every pair must be one."""
    found = layout.row("balance").ordinals(regions, products)
    if (found < 0).any():
        raise MarketError("internal: a flow refers to a node the network does not have")
    return found.astype(np.int64)


def _entries(rows: NDArray, cols: NDArray, values: NDArray | float) -> Entries:
    values = np.broadcast_to(np.asarray(values, dtype=float), np.shape(rows))
    return rows.astype(np.int64), cols.astype(np.int64), np.array(values, dtype=float)


def define_balance(layout: Layout, coef: pd.DataFrame, baskets: pd.DataFrame) -> list[Entries]:
    """Node balances: made + imported + released = used + exported + consumed + absorbed."""
    bal = layout.row("balance")
    act, trade, use = layout.col("activity"), layout.col("trade"), layout.col("use")
    out = []
    node = bal.start + node_positions(layout, coef["region"], coef["product"])
    proc = act.at(act.index.get_indexer(coef["process"]))
    out.append(_entries(node, proc, coef["coeff"].to_numpy(float)))
    arcs = trade.dims
    exp = bal.start + node_positions(layout, arcs["exporter"], arcs["product"])
    imp = bal.start + node_positions(layout, arcs["importer"], arcs["product"])
    out += [_entries(imp, trade.all(), 1.0), _entries(exp, trade.all(), -1.0)]
    key = use.index.get_indexer(pd.MultiIndex.from_arrays([baskets["region"], baskets["sector"]]))
    bnode = bal.start + node_positions(layout, baskets["region"], baskets["product"])
    for k in range(use.steps):
        out.append(_entries(bnode, use.at(key, k), -baskets["coeff"].to_numpy(float)))
    for name, sign in (("absorb", -1.0), ("release", 1.0)):
        block = layout.col(name)
        snode = bal.start + node_positions(layout, block.dims["region"], block.dims["product"])
        for k in range(block.steps):
            out.append(_entries(snode, block.at(np.arange(block.entities), k), sign))
    dispose = layout.col("dispose")
    dnode = bal.start + node_positions(layout, dispose.dims["region"], dispose.dims["product"])
    out.append(_entries(dnode, dispose.all(), -1.0))
    return out


def define_group(layout: Layout) -> list[Entries]:
    """A group's output (its processes' activities) equals the steps of its cost curve."""
    row, act, sup = layout.row("group"), layout.col("activity"), layout.col("supply")
    group_of = row.index.get_indexer(act.dims["group"])
    steps = np.repeat(np.arange(sup.entities), sup.steps)
    return [
        _entries(row.start + group_of, act.all(), 1.0),
        _entries(row.start + steps, sup.all(), -1.0),
    ]


def define_export_quota(layout: Layout, weight: pd.Series) -> list[Entries]:
    """Exports of quota-bound products from a region, in t REO-equivalent."""
    row, trade = layout.row("export_quota"), layout.col("trade")
    if not row.entities:
        return []
    w = weight.reindex(trade.dims["product"]).fillna(0.0).to_numpy(float)
    region = row.index.get_indexer(trade.dims["exporter"])
    keep = (region >= 0) & (w > 0)
    return [_entries(row.start + region[keep], trade.all()[keep], w[keep])]


def define_route(layout: Layout, stage_of: pd.Series) -> list[Entries]:
    """A route's shipments (t of its stage's products, every arc of the pair) equal the
    steps of its premium curve."""
    row, trade, route = layout.row("route"), layout.col("trade"), layout.col("route")
    if not row.entities:
        return []
    arcs = trade.dims
    keys = pd.MultiIndex.from_arrays(
        [arcs["exporter"], arcs["importer"], stage_of.reindex(arcs["product"]).to_numpy()]
    )
    found = row.index.get_indexer(keys)
    keep = found >= 0
    steps = np.repeat(np.arange(route.entities), route.steps)
    return [
        _entries(row.start + found[keep], trade.all()[keep], 1.0),
        _entries(row.start + steps, route.all(), -1.0),
    ]


def assemble(layout: Layout, parts: list[Entries]) -> sp.csc_matrix:
    """The sparse matrix of the families' entries (duplicates summed)."""
    rows = np.concatenate([p[0] for p in parts])
    cols = np.concatenate([p[1] for p in parts])
    vals = np.concatenate([p[2] for p in parts])
    matrix = sp.csc_matrix((vals, (rows, cols)), shape=(layout.n_rows, layout.n_cols))
    matrix.sum_duplicates()
    matrix.sort_indices()
    return matrix


def input_entries(layout: Layout, coef: pd.DataFrame) -> pd.DataFrame:
    """Matrix positions of the process input coefficients (technology gaps scale them)."""
    inputs = coef[coef["coeff"].to_numpy() < 0]
    act, bal = layout.col("activity"), layout.row("balance")
    return pd.DataFrame(
        {
            "row": bal.start + node_positions(layout, inputs["region"], inputs["product"]),
            "col": act.at(act.index.get_indexer(inputs["process"])),
            "base": inputs["coeff"].to_numpy(float),
            "process": inputs["process"].to_numpy(),
        }
    )
