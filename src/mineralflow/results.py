"""A run's tidy result tables (:mod:`mineralflow.tables`), built from the stacked solutions.

Every table is computed for all years at once from the solver output, one family at a time:
sparse maps from LP columns to the table's keys, multiplied by the (years, columns) matrix.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
import scipy.sparse as sp

from mineralflow.arrays import distinct_rows
from mineralflow.dynamics import Run
from mineralflow.errors import MineralflowError
from mineralflow.iamc import vocabulary
from mineralflow.market.curves import capped_steps, demand_blocks
from mineralflow.market.problem import MarketProblem
from mineralflow.metrics.origins import origin_tables
from mineralflow.metrics.supply_risk import supply_risk
from mineralflow.network import Network
from mineralflow.tables import SCHEMA, WORLD, Tables, empty, row_order, tidy

#: key columns of a table being built: dimension -> one label per key (object arrays)
Keys = dict[str, np.ndarray]


def _keys(**columns: object) -> Keys:
    return {name: np.asarray(values, dtype=object) for name, values in columns.items()}


def _aggregate(keys: Keys, weights: np.ndarray | None = None) -> tuple[sp.csr_matrix, Keys]:
    """Sparse map from items to the distinct rows of ``keys`` (one key row per item)."""
    n = len(next(iter(keys.values())))
    factors = [pd.factorize(v) for v in keys.values()]
    codes = np.column_stack([code for code, _ in factors]).reshape(n, len(keys))
    distinct, inverse = distinct_rows(codes)
    data = np.ones(n) if weights is None else weights
    matrix = sp.csr_matrix((data, (np.arange(n), inverse)), shape=(n, len(distinct)))
    labels = {
        name: np.asarray(uniques, dtype=object)[distinct[:, j]]
        for j, (name, (_, uniques)) in enumerate(zip(keys, factors, strict=True))
    }
    return matrix, labels


def _concat(parts: list[Keys]) -> Keys:
    return {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}


@dataclass
class _Solved:
    """A run's solutions stacked by year, with what every table needs."""

    run: Run
    years: list[int]
    x: np.ndarray  # (years, LP columns), t
    duals: np.ndarray  # (years, LP rows), USD/kg

    @property
    def net(self) -> Network:
        return self.run.network

    @property
    def problem(self) -> MarketProblem:
        return self.run.problem

    @property
    def commodity(self) -> str:
        return self.run.pack.name

    def col(self, block: str) -> np.ndarray:
        return self.x[:, self.problem.layout.col(block).span]

    def totals(self, block: str) -> np.ndarray:
        return self.problem.layout.col(block).totals(self.x)

    @cached_property
    def kept(self) -> np.ndarray:
        """(years, stock keys): t exporters bought into their own stocks."""
        width = len(self.problem.stock_keys)
        return np.vstack([self.run.kept.get(y, np.zeros(width)) for y in self.years])

    def with_units(self, keys: Keys) -> Keys:
        """``keys`` with the unit of each key's stage."""
        units = {st.name: st.unit for st in self.net.stages}
        return {**keys, "unit": np.array([units[str(st)] for st in keys["stage"]], dtype=object)}

    def long(
        self, name: str, keys: Keys, values: np.ndarray, drop_zero: bool = False
    ) -> pd.DataFrame:
        """Table ``name``, one row per (key, year) in the table's order: ``values`` is
        (years, keys) and ``keys`` holds the table's dimensions other than commodity."""
        dims, unit = SCHEMA[name]
        key_dims = [d for d in dims if d != "commodity"]
        order = row_order([keys[d] for d in key_dims])
        n_years = values.shape[0]
        at = np.repeat(order, n_years)
        year = np.tile(np.array(self.years, dtype=np.int64), len(order))
        value = values[:, order].T.ravel().astype(float)
        if drop_zero:
            kept = value > 1e-9
            at, year, value = at[kept], year[kept], value[kept]
        columns: dict[str, object] = {"commodity": self.commodity}
        columns.update({d: keys[d][at] for d in key_dims})
        columns["year"], columns["value"] = year, value
        if unit is None:
            columns["unit"] = keys["unit"][at]
        return pd.DataFrame(columns)


def _production(s: _Solved) -> pd.DataFrame:
    """Output of each product by region and stage: activity times the output coefficients."""
    procs = s.net.processes.reindex(s.problem.processes)
    made = s.net.coefficients[s.net.coefficients["coeff"] > 0]
    at = s.problem.processes.get_indexer(made["process"])
    key = _keys(
        region=procs["region"].to_numpy()[at],
        stage=procs["stage"].to_numpy()[at],
        product=made["product"].to_numpy(),
    )
    agg, keys = _aggregate(key, made["coeff"].to_numpy(float))
    return s.long("production", s.with_units(keys), s.col("activity")[:, at] @ agg)


def _demand(s: _Solved) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(consumption, shortage, demand reduction) by region and sector, in the sector's unit.

    Shortage is what the blocks at the demand curve's cap did not get (rationed at the cap
    price); demand reduction is the rest of the gap to the reference demand, given up
    because of the price.
    """
    dkeys = s.problem.demand_keys
    block = s.problem.layout.col("use")
    taken = block.unstack(s.x)  # (years, keys, steps), t
    use = taken.sum(axis=2)
    reference = np.vstack([s.run.reference_demand[y] for y in s.years])
    d = s.run.calibration.data.demand.reindex(dkeys)
    price, eta = d["price"].to_numpy(float), d["eta"].to_numpy(float)
    cap = d["cap"].to_numpy(float) if "cap" in d else None
    grids = [s.run.demand_grid[y] for y in s.years]
    unit = np.stack([demand_blocks(np.ones(len(dkeys)), price, eta, edges=g)[0] for g in grids])
    capped = np.stack([capped_steps(price, eta, cap, g) for g in grids])
    offered = unit * reference[:, :, None]
    shortage = np.clip(np.where(capped, offered - taken, 0.0).sum(axis=2), 0.0, None)
    reduction = np.clip(reference - use - shortage, 0.0, None)
    sector_unit = s.net.demand["unit"].groupby(level=1).first()
    sectors = dkeys.get_level_values(1)
    keys = _keys(
        region=dkeys.get_level_values(0), sector=sectors, unit=sector_unit.reindex(sectors)
    )
    return (
        s.long("consumption", keys, use),
        s.long("shortage", keys, shortage),
        s.long("demand_reduction", keys, reduction),
    )


def _trade(s: _Solved) -> pd.DataFrame:
    """Exports and imports by region and stage (zero rows left out)."""
    arcs = s.problem.arcs
    arc_stage = s.net.products["stage"].reindex(arcs.get_level_values(2)).to_numpy()
    keys, values = [], []
    for level, direction in ((0, "exports"), (1, "imports")):
        agg, part = _aggregate(_keys(region=arcs.get_level_values(level), stage=arc_stage))
        part["direction"] = np.full(len(part["region"]), direction, dtype=object)
        keys.append(s.with_units(part))
        values.append(s.col("trade") @ agg)
    return s.long("trade", _concat(keys), np.hstack(values), drop_zero=True)


def _stock_change(s: _Solved) -> pd.DataFrame:
    """Stocks absorbed minus released, by region and stage."""
    skeys = s.problem.stock_keys
    stage = s.net.products["stage"].reindex(skeys.get_level_values(1)).to_numpy()
    agg, keys = _aggregate(_keys(region=skeys.get_level_values(0), stage=stage))
    change = (s.totals("absorb") + s.kept - s.totals("release")) @ agg
    return s.long("stock_change", s.with_units(keys), change)


#: the measures of the stocks table, in the order they are built
STOCK_MEASURES = ("level", "release", "absorption")


def _stocks(s: _Solved) -> pd.DataFrame:
    """Stock held at the end of each year, released and absorbed, by region and stage."""
    skeys = s.problem.stock_keys
    stage = s.net.products["stage"].reindex(skeys.get_level_values(1)).to_numpy()
    level = np.vstack([s.run.stock[y] for y in s.years])
    kept = np.isfinite(level).all(axis=0)
    keys, values = [], []
    for measure, amount, where in (
        ("level", np.where(np.isfinite(level), level, 0.0), kept),
        ("release", s.totals("release"), np.ones(len(skeys), dtype=bool)),
        ("absorption", s.totals("absorb") + s.kept, np.ones(len(skeys), dtype=bool)),
    ):
        agg, part = _aggregate(_keys(region=skeys.get_level_values(0)[where], stage=stage[where]))
        part["measure"] = np.full(len(part["region"]), measure, dtype=object)
        keys.append(s.with_units(part))
        values.append(amount[:, where] @ agg)
    government = _government_stock(s)
    if government is not None:
        keys.append(government[0])
        values.append(government[1])
    return s.long("stocks", _concat(keys), np.hstack(values))


def _government_stock(s: _Solved) -> tuple[Keys, np.ndarray] | None:
    """What government stockpiles hold at the end of each year, by region and stage, where
    one holds or trades anything."""
    if not s.run.reserve:
        return None
    held = np.vstack([s.run.reserve[y] for y in s.years])
    where = (held > 0).any(axis=0)
    if not where.any():
        return None
    nodes = s.problem.nodes
    stage = s.net.products["stage"].reindex(nodes.get_level_values(1)).to_numpy()
    agg, part = _aggregate(_keys(region=nodes.get_level_values(0)[where], stage=stage[where]))
    part["measure"] = np.full(len(part["region"]), "government", dtype=object)
    return s.with_units(part), held[:, where] @ agg


def _capacity(s: _Solved) -> pd.DataFrame:
    """Capacity of each stage by region, summed over the stage's groups."""
    groups = s.net.groups.reindex(s.problem.groups)
    agg, keys = _aggregate(_keys(region=groups["region"], stage=groups["stage"]))
    capacity = np.vstack([s.run.capacity[y] for y in s.years])
    return s.long("capacity", s.with_units(keys), capacity @ agg)


def _investment(s: _Solved) -> pd.DataFrame:
    """Capacity committed in each year by stage and region, summed over the stage's groups."""
    groups = s.net.groups.reindex(s.problem.groups)
    agg, keys = _aggregate(_keys(region=groups["region"], stage=groups["stage"]))
    committed = np.vstack([s.run.investment[y] for y in s.years])
    return s.long("investment", s.with_units(keys), committed @ agg)


def _utilisation(s: _Solved) -> pd.DataFrame:
    """Output over capacity (%) by stage and region, and for the World; none where a region
    has no capacity."""
    groups = s.net.groups.reindex(s.problem.groups)
    keys = _keys(region=groups["region"], stage=groups["stage"])
    world = _keys(region=np.full(len(groups), WORLD, dtype=object), stage=groups["stage"])
    agg, labels = _aggregate(_concat([keys, world]))
    made = s.totals("supply")
    capacity = np.vstack([s.run.capacity[y] for y in s.years])
    out = np.hstack([made, made]) @ agg
    room = np.hstack([capacity, capacity]) @ agg
    share = np.divide(100 * out, room, out=np.full(out.shape, np.nan), where=room > 0)
    frame = s.long("utilisation", labels, share)
    return frame.dropna(subset=["value"]).reset_index(drop=True)


def _payments(s: _Solved) -> pd.DataFrame:
    """What each price floor paid by year, summed by region and product (million USD)."""
    floors = s.run.floors
    if floors is None or not len(floors.node):
        return empty("payments")
    agg, keys = _aggregate(_keys(region=floors.region, product=floors.product))
    paid = np.vstack([s.run.payments[y] for y in s.years])
    return s.long("payments", keys, paid @ agg)


def _node_use(s: _Solved) -> np.ndarray:
    """t of each node's product used by processes and consumers, (years, nodes)."""
    problem, nodes = s.problem, s.problem.nodes
    procs = s.net.processes.reindex(problem.processes)
    used = s.net.coefficients[s.net.coefficients["coeff"] < 0]
    upos = problem.processes.get_indexer(used["process"])
    unode = problem.node_of(procs["region"].to_numpy()[upos], used["product"])
    to_nodes = sp.csr_matrix(
        (np.ones(len(unode)), (np.arange(len(unode)), unode)), shape=(len(unode), len(nodes))
    )
    weights = (s.col("activity")[:, upos] * -used["coeff"].to_numpy(float)) @ to_nodes
    b = problem.baskets
    bkey = problem.demand_keys.get_indexer(pd.MultiIndex.from_arrays([b["region"], b["sector"]]))
    bnode = problem.node_of(b["region"], b["product"])
    to_nodes = sp.csr_matrix(
        (np.ones(len(bnode)), (np.arange(len(bnode)), bnode)), shape=(len(bnode), len(nodes))
    )
    return np.asarray(weights + (s.totals("use")[:, bkey] * b["coeff"].to_numpy(float)) @ to_nodes)


def _prices(s: _Solved) -> pd.DataFrame:
    """Prices by region where a product is used or made, and a World mean weighted by use."""
    nodes = s.problem.nodes
    prices = s.duals[:, s.problem.layout.row("balance").span]
    keys = _keys(region=nodes.get_level_values(0), product=nodes.get_level_values(1))
    weights = _node_use(s)
    agg, products = _aggregate({"product": keys["product"]})
    total_w = weights @ agg
    weighted = (prices * weights) @ agg
    mean = (prices @ agg) / np.asarray(agg.sum(0)).ravel()
    world = np.where(total_w > 0, weighted / np.where(total_w > 0, total_w, 1.0), mean)
    products["region"] = np.full(len(products["product"]), WORLD, dtype=object)
    return s.long("prices", _concat([keys, products]), np.hstack([prices, world]))


def run_tables(run: Run, first_year: int | None = None) -> Tables:
    """The tables of ``run`` from ``first_year`` on."""
    years = [y for y in run.years if first_year is None or y >= first_year]
    if not years:
        raise MineralflowError("the run has no years to report")
    s = _Solved(
        run=run,
        years=years,
        x=np.vstack([run.raw[y].x for y in years]),
        duals=np.vstack([run.raw[y].row_dual for y in years]),
    )
    consumption, shortage, reduction = _demand(s)
    flows, dependence = origin_tables(run, years)
    parts = {
        "production": _production(s),
        "consumption": consumption,
        "shortage": shortage,
        "demand_reduction": reduction,
        "trade": _trade(s),
        "stock_change": _stock_change(s),
        "stocks": _stocks(s),
        "capacity": _capacity(s),
        "utilisation": _utilisation(s),
        "investment": _investment(s),
        "payments": _payments(s),
        "prices": _prices(s),
        "flows": flows,
        "dependence": dependence,
        "supply_risk": empty("supply_risk"),
    }
    # every table but the supply-risk index is built in its order
    tables = {
        name: tidy(name, frame, ordered=name != "supply_risk") for name, frame in parts.items()
    }
    names = vocabulary(run.pack, run.network)
    partial = Tables(**tables, names=names)
    risk = supply_risk(partial, run.pack)
    return Tables(**{**tables, "supply_risk": tidy("supply_risk", risk)}, names=names)
