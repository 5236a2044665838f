"""A run's tidy result tables (:mod:`mineralflow.tables`), built from the stacked solutions.

Every table is computed for all years at once from the solver output, one family at a time:
sparse maps from LP columns to the table's keys, multiplied by the (years, columns) matrix.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from mineralflow.dynamics import Run
from mineralflow.errors import MineralflowError
from mineralflow.iamc import vocabulary
from mineralflow.market.problem import MarketProblem
from mineralflow.metrics.origins import origin_tables
from mineralflow.metrics.supply_risk import supply_risk
from mineralflow.network import Network
from mineralflow.tables import SCHEMA, WORLD, Tables, empty, tidy


def _aggregate(
    keys: pd.DataFrame, weights: np.ndarray | None = None
) -> tuple[sp.csr_matrix, pd.DataFrame]:
    """Sparse map from items to the distinct rows of ``keys`` (one key row per item), the
    distinct rows in the order they first appear."""
    codes = np.column_stack(
        [pd.factorize(keys[c].to_numpy(object))[0] for c in keys.columns]
    ).reshape(len(keys), len(keys.columns))
    _, first, inverse = np.unique(codes, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.ravel()
    order = np.argsort(first)
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    data = np.ones(len(keys)) if weights is None else weights
    matrix = sp.csr_matrix(
        (data, (np.arange(len(keys)), rank[inverse])), shape=(len(keys), len(order))
    )
    return matrix, keys.iloc[first[order]].reset_index(drop=True)


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

    def stage_units(self, stages: pd.Series | np.ndarray) -> np.ndarray:
        units = {st.name: st.unit for st in self.net.stages}
        return np.array([units[str(st)] for st in stages], dtype=object)

    def long(
        self, name: str, keys: pd.DataFrame, values: np.ndarray, drop_zero: bool = False
    ) -> pd.DataFrame:
        """Table ``name``, one row per (key, year) in the table's order: ``values`` is
        (years, keys) and ``keys`` holds the table's dimensions other than commodity."""
        dims, unit = SCHEMA[name]
        key_dims = [d for d in dims if d != "commodity"]
        order = _key_order(keys, key_dims)
        n_years = values.shape[0]
        at = np.repeat(order, n_years)
        columns: dict[str, object] = {"commodity": self.commodity}
        columns.update({d: keys[d].to_numpy(object)[at] for d in key_dims})
        columns["year"] = np.tile(np.array(self.years, dtype=np.int64), len(order))
        columns["value"] = values[:, order].T.ravel().astype(float)
        if unit is None:
            columns["unit"] = keys["unit"].to_numpy(object)[at]
        out = pd.DataFrame(columns)
        return out[out["value"] > 1e-9].reset_index(drop=True) if drop_zero else out


def _key_order(keys: pd.DataFrame, dims: list[str]) -> np.ndarray:
    """Positions of ``keys`` sorted by ``dims`` (the order :func:`tables.tidy` gives)."""
    codes = [pd.factorize(keys[d].to_numpy(object), sort=True)[0] for d in reversed(dims)]
    return np.lexsort(codes) if codes else np.arange(len(keys))


def _production(s: _Solved) -> pd.DataFrame:
    """Output of each product by region and stage: activity times the output coefficients."""
    procs = s.net.processes.reindex(s.problem.processes)
    made = s.net.coefficients[s.net.coefficients["coeff"] > 0]
    at = s.problem.processes.get_indexer(made["process"])
    key = pd.DataFrame(
        {
            "region": procs["region"].to_numpy()[at],
            "stage": procs["stage"].to_numpy()[at],
            "product": made["product"].to_numpy(),
        }
    )
    agg, keys = _aggregate(key, made["coeff"].to_numpy(float))
    keys["unit"] = s.stage_units(keys["stage"])
    return s.long("production", keys, s.col("activity")[:, at] @ agg)


def _demand(s: _Solved) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(consumption, shortage) by region and sector, in the sector's unit."""
    dkeys = s.problem.demand_keys
    use = s.totals("use")
    reference = np.vstack([s.run.reference_demand[y] for y in s.years])
    sector_unit = s.net.demand["unit"].groupby(level=1).first()
    keys = pd.DataFrame({"region": dkeys.get_level_values(0), "sector": dkeys.get_level_values(1)})
    keys["unit"] = sector_unit.reindex(keys["sector"]).to_numpy()
    shortage = np.clip(reference - use, 0.0, None)
    return s.long("consumption", keys, use), s.long("shortage", keys, shortage)


def _trade(s: _Solved) -> pd.DataFrame:
    """Exports and imports by region and stage (zero rows left out)."""
    arcs = s.problem.arcs
    arc_stage = s.net.products["stage"].reindex(arcs.get_level_values(2)).to_numpy()
    keys, values = [], []
    for level, direction in ((0, "exports"), (1, "imports")):
        key = pd.DataFrame({"region": arcs.get_level_values(level).to_numpy(), "stage": arc_stage})
        agg, part = _aggregate(key)
        keys.append(part.assign(direction=direction, unit=s.stage_units(part["stage"])))
        values.append(s.col("trade") @ agg)
    return s.long("trade", pd.concat(keys, ignore_index=True), np.hstack(values), drop_zero=True)


def _stock_change(s: _Solved) -> pd.DataFrame:
    """Stocks absorbed minus released, by region and stage."""
    skeys = s.problem.stock_keys
    stage = s.net.products["stage"].reindex(skeys.get_level_values(1)).to_numpy()
    agg, keys = _aggregate(pd.DataFrame({"region": skeys.get_level_values(0), "stage": stage}))
    keys["unit"] = s.stage_units(keys["stage"])
    return s.long("stock_change", keys, (s.totals("absorb") - s.totals("release")) @ agg)


def _capacity(s: _Solved) -> pd.DataFrame:
    """Capacity of each stage by region, summed over the stage's groups."""
    groups = s.net.groups.reindex(s.problem.groups)
    agg, keys = _aggregate(groups[["region", "stage"]].reset_index(drop=True))
    keys["unit"] = s.stage_units(keys["stage"])
    capacity = np.vstack([s.run.capacity[y] for y in s.years])
    return s.long("capacity", keys, capacity @ agg)


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
    keys = pd.DataFrame({"region": nodes.get_level_values(0), "product": nodes.get_level_values(1)})
    weights = _node_use(s)
    agg, products = _aggregate(keys[["product"]])
    total_w = weights @ agg
    weighted = (prices * weights) @ agg
    mean = (prices @ agg) / np.asarray(agg.sum(0)).ravel()
    world = np.where(total_w > 0, weighted / np.where(total_w > 0, total_w, 1.0), mean)
    every = pd.concat([keys, products.assign(region=WORLD)], ignore_index=True)
    return s.long("prices", every, np.hstack([prices, world]))


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
    consumption, shortage = _demand(s)
    flows, dependence = origin_tables(run, years)
    parts = {
        "production": _production(s),
        "consumption": consumption,
        "shortage": shortage,
        "trade": _trade(s),
        "stock_change": _stock_change(s),
        "capacity": _capacity(s),
        "prices": _prices(s),
        "flows": flows,
        "dependence": dependence,
        "supply_risk": empty("supply_risk"),
    }
    # the tables built by _Solved.long are in order; the traced ones are sorted here
    traced = {"flows", "dependence", "supply_risk"}
    tables = {name: tidy(name, frame, ordered=name not in traced) for name, frame in parts.items()}
    names = vocabulary(run.pack, run.network)
    partial = Tables(**tables, names=names)
    risk = supply_risk(partial, run.pack)
    return Tables(**{**tables, "supply_risk": tidy("supply_risk", risk)}, names=names)
