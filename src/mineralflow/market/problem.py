"""The yearly spatial price equilibrium as one sparse LP, built once and re-solved warm.

Welfare (consumer value minus production, trade and disposal cost) is maximised subject to a
balance at every region x product node, the link between a group's processes and its cost
curve, and policy constraints.  Prices are the duals of the node balances.

The problem is assembled with vectorised numpy/scipy from named index blocks, one function per
variable and constraint family.  Between years only bounds, costs and right-hand sides
change; they are pushed into HiGHS with its array-taking calls and HiGHS restarts from the
previous basis.

Quantities inside the LP are in kt and costs in USD/kg, so the objective is in million USD
and duals are in USD/kg.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field, replace

import highspy
import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import NDArray

from mineralflow.market.curves import (
    DEMAND_EDGES,
    STOCK_EDGES,
    SUPPLY_EDGES,
    cap_blocks,
    demand_blocks,
    stock_blocks,
    supply_blocks,
)
from mineralflow.market.errors import InfeasibleError, MarketError, UnboundedError
from mineralflow.network import Network

SCALE = 1000.0  # t per LP quantity unit (kt)
INF = highspy.kHighsInf
STOCK_ELASTICITY = 1.0  # response of stock holders to price, see docs/validation.md


@dataclass
class MarketData:
    """Everything one year's equilibrium needs, as aligned tables.

    ``groups``: index group; region, stage, capacity (t), level (USD/kg), u0, eps.
    ``demand``: index (region, sector); reference (t), price (USD/kg), eta.
    ``stocks``: index (region, product); absorb (t), absorb_price, release (t),
    release_price (USD/kg).
    ``disposal``: disposal cost (USD/kg) by product.
    ``transport``: transport cost (USD/kg) by product.
    ``input_scale``: by process, multiplies its input coefficients (technology-gap yields).
    ``tariffs``: (exporter, importer, product) -> extra cost (USD/kg); ``bans`` the same keys
    closed to trade.  ``quotas``: exporter -> t REO-equivalent that may leave it this year.
    """

    network: Network
    groups: pd.DataFrame
    demand: pd.DataFrame
    stocks: pd.DataFrame
    disposal: pd.Series
    transport: pd.Series
    input_scale: pd.Series
    tariffs: dict[tuple[str, str, str], float] = field(default_factory=dict)
    bans: set[tuple[str, str, str]] = field(default_factory=set)
    quotas: dict[str, float] = field(default_factory=dict)
    quota_stage: str | None = None


@dataclass
class Solution:
    """One solved year: quantities in t, prices in USD/kg."""

    year: int
    objective: float
    production: pd.Series  # by group
    activity: pd.Series  # by process
    trade: pd.Series  # by (exporter, importer, product)
    consumption: pd.Series  # by (region, sector)
    prices: pd.Series  # by (region, product)
    absorbed: pd.Series  # by (region, product): stock build and disposal
    released: pd.Series  # by (region, product)
    quota_rent: pd.Series  # by exporter, USD/kg of REO-equivalent
    capacity_rent: pd.Series  # by group, USD/kg: scarcity value of capacity
    balance_residual: pd.Series  # by (region, product), t: should be zero
    solve_seconds: float
    iterations: int


@dataclass
class RawSolution:
    """Solver output of one year, kept as arrays until someone asks for tables."""

    year: int
    x: NDArray
    row_dual: NDArray
    supply_cost: NDArray  # unit cost of every supply block when solved
    objective: float
    solve_seconds: float
    iterations: int


class MarketProblem:
    """The LP of one network; ``solve(data, year)`` updates it in place and re-solves."""

    def __init__(self, data: MarketData) -> None:
        started = time.perf_counter()
        self.network = data.network
        self._index(data)
        self._assemble(data)
        self.build_seconds = time.perf_counter() - started
        self._highs: highspy.Highs | None = None
        self._cache_key: MarketData | None = None
        self._cache: tuple[NDArray, ...] = ()
        self.limit_names: list[str] = []
        self._limit_bounds: tuple[NDArray, NDArray] | None = None
        self._rhs_set = False  # balance rows carry a scenario's fixed purchases
        self._release_capped = False  # stock releases are limited (historical years)

    def fresh(self) -> MarketProblem:
        """A copy sharing this problem's structure, not yet loaded into a solver.

        The structure depends only on the network, so a calibrated pack builds it once and
        every run starts from a copy.
        """
        clone = copy.copy(self)
        clone._highs = None
        clone._rhs_set = clone._release_capped = False
        return clone

    def with_limits(self, weights: sp.csr_matrix, names: list[str]) -> MarketProblem:
        """A fresh copy with one extra row per limit a scenario sets.

        ``weights`` has a row per limit and a column per LP column: the t counted per t of
        the column (trade quotas and agreements weigh trade arcs, output targets supply
        blocks).  The rows are free until :meth:`solve_quantities` gives them bounds.
        """
        clone = self.fresh()
        n = weights.shape[0]
        if n == 0:
            return clone
        if weights.shape[1] != self.n_cols:
            raise MarketError("internal: limits must have one entry per LP column")
        clone.matrix = sp.vstack([self.matrix, weights]).tocsc()
        clone.rows = {**self.rows, "limit": slice(self.n_rows, self.n_rows + n)}
        clone.n_rows = self.n_rows + n
        clone.limit_names = list(names)
        clone._cache_key = None
        clone._cache = ()
        return clone

    # ---------------------------------------------------------------- index blocks
    def _index(self, data: MarketData) -> None:
        net = self.network
        coef = net.coefficients.merge(
            net.processes[["region"]], left_on="process", right_index=True, validate="m:1"
        )
        baskets = data.demand.reset_index().merge(net.baskets, on="sector", validate="m:m")
        made = coef.loc[coef["coeff"] > 0, ["region", "product"]]
        used = pd.concat(
            [coef.loc[coef["coeff"] < 0, ["region", "product"]], baskets[["region", "product"]]]
        )
        stocked = data.stocks.index.to_frame(index=False)
        self.nodes = pd.MultiIndex.from_frame(
            pd.concat([made, used, stocked]).drop_duplicates().sort_values(["product", "region"])
        )

        sources = pd.concat([made, stocked[data.stocks["release"].to_numpy() > 0]])
        sources = sources.drop_duplicates()
        sinks = used.drop_duplicates()
        arcs = sources.merge(sinks, on="product", suffixes=("_from", "_to"))
        arcs = arcs[arcs["region_from"] != arcs["region_to"]]
        arcs = arcs.rename(columns={"region_from": "exporter", "region_to": "importer"})
        self.arcs = pd.MultiIndex.from_frame(
            arcs[["exporter", "importer", "product"]].sort_values(["product", "exporter"])
        )

        self.groups = data.groups.index
        self.processes = net.processes.index
        # USD/kg of output above the group's cost curve (costlier recipe variants)
        self.activity_cost = net.processes["extra_cost"].to_numpy(float)
        self.process_group = pd.Series(
            pd.Index(self.groups).get_indexer(net.processes["group"]), index=self.processes
        )
        self.coef = coef
        self.baskets = baskets
        self.demand_keys = data.demand.index
        self.stock_keys = data.stocks.index
        self.dispose_nodes = pd.MultiIndex.from_frame(made.drop_duplicates())
        self.quota_stage = data.quota_stage
        self.quota_regions: list[str] = []
        if data.quota_stage is not None:
            # one row per region that can export quota-bound products; unused rows are free
            names = [s.name for s in net.stages]
            covered = set(names[names.index(data.quota_stage) :])
            products = net.products
            bound = products.index[products["stage"].isin(covered) & (products["reo_weight"] > 0)]
            exporters = self.arcs.get_level_values(0)[self.arcs.get_level_values(2).isin(bound)]
            self.quota_regions = sorted(set(exporters))

        n_sup = len(SUPPLY_EDGES) - 1
        n_dem = len(DEMAND_EDGES) - 1
        n_stk = len(STOCK_EDGES) - 1
        sizes = {
            "supply": len(self.groups) * n_sup,
            "activity": len(self.processes),
            "trade": len(self.arcs),
            "use": len(self.demand_keys) * n_dem,
            "absorb": len(self.stock_keys) * n_stk,
            "release": len(self.stock_keys) * n_stk,
            "dispose": len(self.dispose_nodes),
        }
        self.cols: dict[str, slice] = {}
        start = 0
        for name, size in sizes.items():
            self.cols[name] = slice(start, start + size)
            start += size
        self.n_cols = start
        rows = {
            "balance": len(self.nodes),
            "group": len(self.groups),
            "export_quota": len(self.quota_regions),
        }
        self.rows: dict[str, slice] = {}
        start = 0
        for name, size in rows.items():
            self.rows[name] = slice(start, start + size)
            start += size
        self.n_rows = start
        self.n_sup, self.n_dem, self.n_stk = n_sup, n_dem, n_stk

    def node_of(self, regions: object, products: object) -> NDArray:
        """Positions of (region, product) nodes; every pair must be a node."""
        found = self.nodes.get_indexer(pd.MultiIndex.from_arrays([regions, products]))  # type: ignore[list-item]
        if (found < 0).any():
            raise MarketError("internal: a flow refers to a node the network does not have")
        return found

    # ---------------------------------------------------------------- constraint families
    def _balance_entries(self) -> list[tuple[NDArray, NDArray, NDArray]]:
        """Node balances: made + imported + released = used + exported + consumed + absorbed."""
        r0 = self.rows["balance"].start
        out = []
        # process activities
        proc_col = self.cols["activity"].start + self.processes.get_indexer(self.coef["process"])
        node = self.node_of(self.coef["region"], self.coef["product"])
        out.append((r0 + node, proc_col, self.coef["coeff"].to_numpy(float)))
        # trade: +1 at the importer, -1 at the exporter
        tcol = self.cols["trade"].start + np.arange(len(self.arcs))
        exp = self.node_of(self.arcs.get_level_values(0), self.arcs.get_level_values(2))
        imp = self.node_of(self.arcs.get_level_values(1), self.arcs.get_level_values(2))
        out.append((r0 + imp, tcol, np.ones(len(tcol))))
        out.append((r0 + exp, tcol, -np.ones(len(tcol))))
        # consumption blocks take their sector's basket
        b = self.baskets
        dem_idx = self.demand_keys.get_indexer(
            pd.MultiIndex.from_arrays([b["region"], b["sector"]])
        )
        bnode = self.node_of(b["region"], b["product"])
        for k in range(self.n_dem):
            col = self.cols["use"].start + dem_idx * self.n_dem + k
            out.append((r0 + bnode, col, -b["coeff"].to_numpy(float)))
        # stocks and disposal
        snode = self.nodes.get_indexer(self.stock_keys)
        for k in range(self.n_stk):
            acol = self.cols["absorb"].start + np.arange(len(self.stock_keys)) * self.n_stk + k
            rcol = self.cols["release"].start + np.arange(len(self.stock_keys)) * self.n_stk + k
            out.append((r0 + snode, acol, -np.ones(len(acol))))
            out.append((r0 + snode, rcol, np.ones(len(rcol))))
        dnode = self.nodes.get_indexer(self.dispose_nodes)
        dcol = self.cols["dispose"].start + np.arange(len(self.dispose_nodes))
        out.append((r0 + dnode, dcol, -np.ones(len(dcol))))
        return out

    def _group_entries(self) -> list[tuple[NDArray, NDArray, NDArray]]:
        """A group's output (sum of its process activities) equals the blocks of its curve."""
        r0 = self.rows["group"].start
        proc_col = self.cols["activity"].start + np.arange(len(self.processes))
        out = [(r0 + self.process_group.to_numpy(), proc_col, np.ones(len(proc_col)))]
        g = np.repeat(np.arange(len(self.groups)), self.n_sup)
        scol = self.cols["supply"].start + np.arange(len(g))
        out.append((r0 + g, scol, -np.ones(len(g))))
        return out

    def _quota_entries(self) -> list[tuple[NDArray, NDArray, NDArray]]:
        """Exports of quota-bound products from a region, in t REO-equivalent."""
        if not self.quota_regions:
            return []
        products = self.network.products
        stages = [s.name for s in self.network.stages]
        covered = stages[stages.index(self.quota_stage) :] if self.quota_stage else []
        weight = products["reo_weight"].where(products["stage"].isin(covered), 0.0)
        exp = self.arcs.get_level_values(0)
        w = weight.reindex(self.arcs.get_level_values(2)).to_numpy(float)
        out = []
        r0 = self.rows["export_quota"].start
        for i, region in enumerate(self.quota_regions):
            mask = (exp == region) & (w > 0)
            cols = self.cols["trade"].start + np.flatnonzero(mask)
            out.append((np.full(len(cols), r0 + i), cols, w[mask]))
        return out

    def _assemble(self, data: MarketData) -> None:
        parts = self._balance_entries() + self._group_entries() + self._quota_entries()
        rows = np.concatenate([p[0] for p in parts]).astype(np.int64)
        cols = np.concatenate([p[1] for p in parts]).astype(np.int64)
        vals = np.concatenate([p[2] for p in parts]).astype(float)
        matrix = sp.csc_matrix((vals, (rows, cols)), shape=(self.n_rows, self.n_cols))
        matrix.sum_duplicates()
        self.matrix = matrix
        self._input_entries = self._locate_inputs()

    def _locate_inputs(self) -> tuple[NDArray, NDArray, NDArray, NDArray]:
        """Matrix positions of process input coefficients, for technology-gap updates."""
        mask = self.coef["coeff"].to_numpy() < 0
        sub = self.coef[mask]
        rows = self.rows["balance"].start + self.node_of(sub["region"], sub["product"])
        cols = self.cols["activity"].start + self.processes.get_indexer(sub["process"])
        return rows, cols, sub["coeff"].to_numpy(float), sub["process"].to_numpy()

    # ---------------------------------------------------------------- yearly numbers
    def _bounds_and_costs(self, data: MarketData) -> tuple[NDArray, NDArray, NDArray]:
        lower = np.zeros(self.n_cols)
        upper = np.full(self.n_cols, INF)
        cost = np.zeros(self.n_cols)
        g = data.groups.reindex(self.groups)
        widths, unit = supply_blocks(
            g["level"].to_numpy(float),
            g["u0"].to_numpy(float),
            g["eps"].to_numpy(float),
            g["capacity"].to_numpy(float),
        )
        upper[self.cols["supply"]] = widths.ravel() / SCALE
        cost[self.cols["supply"]] = unit.ravel()
        cost[self.cols["activity"]] = self.activity_cost

        transport = data.transport.reindex(self.arcs.get_level_values(2)).to_numpy(float)
        tariff = np.array([data.tariffs.get(a, 0.0) for a in self.arcs]) if data.tariffs else 0.0
        cost[self.cols["trade"]] = transport + tariff
        if data.bans:
            closed = np.array([a in data.bans for a in self.arcs])
            upper[self.cols["trade"]] = np.where(closed, 0.0, INF)

        d = data.demand.reindex(self.demand_keys)
        widths, value = demand_blocks(
            d["reference"].to_numpy(float),
            d["price"].to_numpy(float),
            d["eta"].to_numpy(float),
            d["cap"].to_numpy(float) if "cap" in d else None,
        )
        upper[self.cols["use"]] = widths.ravel() / SCALE
        cost[self.cols["use"]] = -value.ravel()

        s = data.stocks.reindex(self.stock_keys)
        widths, value = stock_blocks(
            s["absorb"].to_numpy(float),
            s["absorb_price"].to_numpy(float),
            STOCK_ELASTICITY,
            release=False,
        )
        upper[self.cols["absorb"]] = widths.ravel() / SCALE
        cost[self.cols["absorb"]] = -value.ravel()
        widths, value = stock_blocks(
            s["release"].to_numpy(float),
            s["release_price"].to_numpy(float),
            STOCK_ELASTICITY,
            release=True,
        )
        upper[self.cols["release"]] = widths.ravel() / SCALE
        cost[self.cols["release"]] = value.ravel()
        cost[self.cols["dispose"]] = data.disposal.reindex(
            self.dispose_nodes.get_level_values(1)
        ).to_numpy(float)
        return lower, upper, cost

    def _row_bounds(self, data: MarketData) -> tuple[NDArray, NDArray]:
        lower = np.zeros(self.n_rows)
        upper = np.zeros(self.n_rows)
        q = self.rows["export_quota"]
        lower[q] = -INF
        upper[q] = [
            data.quotas.get(r, INF) / SCALE if r in data.quotas else INF for r in self.quota_regions
        ]
        if "limit" in self.rows:
            lower[self.rows["limit"]] = -INF
            upper[self.rows["limit"]] = INF
        return lower, upper

    def _input_values(self, data: MarketData) -> NDArray:
        _, _, base, procs = self._input_entries
        scale = data.input_scale.reindex(procs).fillna(1.0).to_numpy(float)
        return base * scale

    # ---------------------------------------------------------------- solving
    def load(self, data: MarketData) -> None:
        """Load ``data`` into a new HiGHS instance (arrays for the base data are cached)."""
        self._first_load(data)
        self._data = data

    def prepare(self, data: MarketData) -> None:
        """Compute and keep the arrays of ``data``, so that loading it later is cheap."""
        if data is self._cache_key:
            return
        lower, upper, cost = self._bounds_and_costs(data)
        rlo, rup = self._row_bounds(data)
        rows, cols, base, _ = self._input_entries
        values = self._input_values(data)
        matrix = self.matrix
        if not np.array_equal(values, base):
            m = self.matrix.tolil()
            m[rows, cols] = values
            matrix = m.tocsc()
        g = data.groups.reindex(self.groups)
        unit_supply, _ = supply_blocks(
            g["level"].to_numpy(float),
            g["u0"].to_numpy(float),
            g["eps"].to_numpy(float),
            np.ones(len(self.groups)),
        )
        d = data.demand.reindex(self.demand_keys)
        unit_demand, _ = demand_blocks(
            np.ones(len(self.demand_keys)), d["price"].to_numpy(float), d["eta"].to_numpy(float)
        )
        self._cache_key = data
        self._cache = (lower, upper, cost, rlo, rup, matrix, unit_supply, unit_demand)

    def _first_load(self, data: MarketData) -> None:
        self.prepare(data)
        lower, upper, cost, rlo, rup = (a.copy() for a in self._cache[:5])
        self.matrix = self._cache[5]
        self._unit_supply, self._unit_demand = self._cache[6], self._cache[7]
        lp = highspy.HighsLp()
        lp.num_col_ = self.n_cols
        lp.num_row_ = self.n_rows
        lp.col_cost_ = cost
        lp.col_lower_ = lower
        lp.col_upper_ = upper
        lp.row_lower_ = rlo
        lp.row_upper_ = rup
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = self.matrix.indptr
        lp.a_matrix_.index_ = self.matrix.indices
        lp.a_matrix_.value_ = self.matrix.data
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", 1)
        h.passModel(lp)
        self._highs = h
        self._last_inputs = self._input_values(data)
        self._lower, self._upper = lower, upper
        self._supply_cost = cost[self.cols["supply"]]

    def _update(self, data: MarketData) -> None:
        assert self._highs is not None
        h = self._highs
        lower, upper, cost = self._bounds_and_costs(data)
        self._lower, self._upper = lower, upper
        idx = np.arange(self.n_cols, dtype=np.int32)
        h.changeColsBounds(self.n_cols, idx, lower, upper)
        h.changeColsCost(self.n_cols, idx, cost)
        self._supply_cost = cost[self.cols["supply"]]
        rlo, rup = self._row_bounds(data)
        h.changeRowsBounds(  # type: ignore[attr-defined]
            self.n_rows, np.arange(self.n_rows, dtype=np.int32), rlo, rup
        )
        self._push_inputs(self._input_values(data))

    def _push_inputs(self, values: NDArray) -> None:
        """Send changed input coefficients to HiGHS and keep ``self.matrix`` in step."""
        assert self._highs is not None
        changed = np.flatnonzero(values != self._last_inputs)
        rows, cols, _, _ = self._input_entries
        for i in changed:
            self._highs.changeCoeff(int(rows[i]), int(cols[i]), float(values[i]))
        if len(changed):
            m = self.matrix.tolil()
            m[rows[changed], cols[changed]] = values[changed]
            self.matrix = m.tocsc()
        self._last_inputs = values

    def solve(self, data: MarketData, year: int) -> Solution:
        """Load (first call) or update the problem with ``data`` and solve it."""
        return self.tables(self.solve_raw(data, year))

    def solve_raw(self, data: MarketData, year: int) -> RawSolution:
        """As :meth:`solve`, keeping the result as arrays."""
        self.update(data)
        return self._run(year)

    def update(self, data: MarketData) -> None:
        """Load (first call) or push ``data`` into the solver, without solving."""
        self.check_quotas(data.quotas)
        if self._highs is None:
            self._first_load(data)
        else:
            self._update(data)
        self._data = data

    def check_quotas(self, quotas: dict[str, float]) -> None:
        """Refuse export quotas for regions that export nothing a quota covers."""
        unknown = sorted(set(quotas) - set(self.quota_regions))
        if unknown:
            raise MarketError(
                f"export quota for {', '.join(unknown)}: "
                + (
                    f"only regions exporting {self.quota_stage} products can have one "
                    f"({', '.join(self.quota_regions)})"
                    if self.quota_stage
                    else "this pack declares no quota stage (quotas.csv kind 'export')"
                )
            )

    def arc_values(self, by_arc: dict[tuple[str, str, str], float]) -> NDArray:
        """A trade-arc array from a mapping (exporter, importer, product) -> value."""
        return (
            np.array([by_arc.get(a, 0.0) for a in self.arcs])
            if by_arc
            else np.zeros(len(self.arcs))
        )

    def set_trade(self, extra_cost: NDArray, closed: NDArray) -> None:
        """Trade costs above transport (tariffs, taxes; USD/kg) and closed arcs, by arc."""
        assert self._highs is not None, "load the problem first"
        block = self.cols["trade"]
        transport = self._cache[2][block] if self._cache else np.zeros(len(self.arcs))
        span = np.arange(block.start, block.stop, dtype=np.int32)
        self._highs.changeColsCost(len(span), span, transport + extra_cost)
        self._upper[block] = np.where(closed, 0.0, INF)
        self._highs.changeColsBounds(len(span), span, self._lower[span], self._upper[span])

    def set_technology(self, level_scale: NDArray, input_scale: NDArray) -> None:
        """Scale groups' cost levels and processes' input coefficients against the loaded data.

        Closing a technology gap lowers a group's costs and the inputs its processes need
        per unit of output; both are relative to the calibrated values (1 = unchanged).
        """
        assert self._highs is not None, "load the problem first"
        h = self._highs
        sup = self.cols["supply"]
        base_cost = self._cache[2][sup]
        self._supply_cost = base_cost * np.repeat(level_scale, self.n_sup)
        span = np.arange(sup.start, sup.stop, dtype=np.int32)
        h.changeColsCost(len(span), span, self._supply_cost)
        procs = self._input_entries[3]
        scale = input_scale[self.processes.get_indexer(procs)]
        self._push_inputs(self._input_values(self._data) * scale)

    def solve_quantities(
        self,
        year: int,
        capacity: NDArray,
        reference: NDArray,
        quotas: NDArray | None = None,
        output_cap: NDArray | None = None,
        *,
        limits: tuple[NDArray, NDArray] | None = None,
        balance_rhs: NDArray | None = None,
        release_cap: NDArray | None = None,
    ) -> RawSolution:
        """Fast path between years: only capacities, demand, quotas and limits change.

        ``capacity`` is by group (t), ``reference`` by demand key (t), ``quotas`` by quota
        region (t, ``inf`` for none), ``output_cap`` by group (t, ``inf`` for none: an
        output limit that leaves the cost curve unchanged), ``limits`` the lower and upper
        bounds (t) of the scenario's limit rows, ``balance_rhs`` by node (t: what must
        leave the node's market, e.g. a stockpile's purchases; negative for sales), all in
        the problem's order; ``release_cap`` by stock key (t, ``inf`` for none) limits what
        stock holders release, leaving their cost curve unchanged.
        """
        assert self._highs is not None, "solve() must load the problem first"
        h = self._highs
        sup, use = self.cols["supply"], self.cols["use"]
        widths = self._unit_supply * capacity[:, None]
        if output_cap is not None:
            widths = cap_blocks(widths, output_cap)
        self._upper[sup] = widths.ravel() / SCALE
        self._upper[use] = (self._unit_demand * reference[:, None]).ravel() / SCALE
        if limits is not None and "limit" in self.rows:
            lim = self.rows["limit"]
            rows = np.arange(lim.start, lim.stop, dtype=np.int32)
            lo = np.where(np.isfinite(limits[0]), limits[0] / SCALE, -INF)
            up = np.where(np.isfinite(limits[1]), limits[1] / SCALE, INF)
            h.changeRowsBounds(len(rows), rows, lo, up)  # type: ignore[attr-defined]
            self._limit_bounds = (lo, up)
        if balance_rhs is not None or self._rhs_set:
            bal = self.rows["balance"]
            rows = np.arange(bal.start, bal.stop, dtype=np.int32)
            rhs = np.zeros(len(rows)) if balance_rhs is None else balance_rhs / SCALE
            h.changeRowsBounds(len(rows), rows, rhs, rhs)  # type: ignore[attr-defined]
            self._rhs_set = balance_rhs is not None
        blocks = [sup, use]
        if release_cap is not None or self._release_capped:
            rel = self.cols["release"]
            base = self._cache[1][rel].reshape(len(self.stock_keys), self.n_stk)
            if release_cap is not None:
                base = cap_blocks(base, release_cap / SCALE)
            self._upper[rel] = base.ravel()
            self._release_capped = release_cap is not None
            blocks.append(rel)
        for block in blocks:
            span = np.arange(block.start, block.stop, dtype=np.int32)
            h.changeColsBounds(len(span), span, self._lower[span], self._upper[span])
        if quotas is not None and len(self.quota_regions):
            q = self.rows["export_quota"]
            rows = np.arange(q.start, q.stop, dtype=np.int32)
            upper = np.where(np.isfinite(quotas), quotas / SCALE, INF)
            h.changeRowsBounds(  # type: ignore[attr-defined]
                len(rows), rows, np.full(len(rows), -INF), upper
            )
            self._data = replace(
                self._data, quotas=dict(zip(self.quota_regions, quotas.tolist(), strict=True))
            )
        return self._run(year)

    def _run(self, year: int) -> RawSolution:
        h = self._highs
        assert h is not None
        started = time.perf_counter()
        h.run()
        seconds = time.perf_counter() - started
        status = h.getModelStatus()
        if status == highspy.HighsModelStatus.kInfeasible:
            raise self._explain_infeasible(self._data, year)
        if status == highspy.HighsModelStatus.kUnbounded:
            raise self._explain_unbounded(self._data, year)
        if status != highspy.HighsModelStatus.kOptimal:
            raise MarketError(f"the market of {year} was not solved: HiGHS status {status}")
        sol = h.getSolution()
        return RawSolution(
            year=year,
            x=np.asarray(sol.col_value) * SCALE,
            row_dual=np.asarray(sol.row_dual),
            supply_cost=self._supply_cost,
            objective=-float(h.getObjectiveValue()),
            solve_seconds=seconds,
            iterations=int(h.getInfo().simplex_iteration_count),
        )

    def tables(self, raw: RawSolution) -> Solution:
        """Turn a raw solution into labelled tables (t, USD/kg)."""
        x, duals, year, seconds = raw.x, raw.row_dual, raw.year, raw.solve_seconds
        supply = x[self.cols["supply"]].reshape(len(self.groups), self.n_sup)
        use = x[self.cols["use"]].reshape(len(self.demand_keys), self.n_dem)
        absorbed = x[self.cols["absorb"]].reshape(len(self.stock_keys), self.n_stk).sum(axis=1)
        released = x[self.cols["release"]].reshape(len(self.stock_keys), self.n_stk).sum(axis=1)
        disposed = pd.Series(x[self.cols["dispose"]], index=self.dispose_nodes)
        absorbed_s = pd.Series(absorbed, index=self.stock_keys).add(disposed, fill_value=0.0)
        # reduced cost of a group's top block: its cost plus the group row's dual
        top_cost = raw.supply_cost.reshape(len(self.groups), self.n_sup)
        top = top_cost[:, -1] + duals[self.rows["group"]]
        residual = self.matrix[self.rows["balance"]] @ x
        return Solution(
            year=year,
            objective=raw.objective,
            production=pd.Series(supply.sum(axis=1), index=self.groups),
            activity=pd.Series(x[self.cols["activity"]], index=self.processes),
            trade=pd.Series(x[self.cols["trade"]], index=self.arcs),
            consumption=pd.Series(use.sum(axis=1), index=self.demand_keys),
            prices=pd.Series(duals[self.rows["balance"]], index=self.nodes),
            absorbed=absorbed_s,
            released=pd.Series(released, index=self.stock_keys),
            quota_rent=pd.Series(-duals[self.rows["export_quota"]], index=self.quota_regions),
            capacity_rent=pd.Series(np.maximum(-top, 0.0), index=self.groups),
            balance_residual=pd.Series(residual, index=self.nodes),
            solve_seconds=seconds,
            iterations=raw.iterations,
        )

    # ---------------------------------------------------------------- diagnosis
    def _explain_infeasible(self, data: MarketData, year: int) -> InfeasibleError:
        """Find the family, region and product that make the year infeasible.

        Every node can dispose of surplus, so only required flows can fail: a quota or ban
        that blocks the only way to supply a process's fixed input, or negative bounds.
        Relax the families one at a time and report the first whose relaxation restores
        feasibility.
        """
        lower, upper = self._lower, self._upper
        bad = np.flatnonzero(upper < lower - 1e-12)
        if len(bad):
            family, region, product = self.describe_column(int(bad[0]))
            return InfeasibleError(
                year, family, region, product, "its upper bound is below its lower bound"
            )
        rlo, rup = self._row_bounds(data)
        bad_rows = np.flatnonzero(rup < rlo - 1e-12)
        if len(bad_rows):
            family, region, product = self.describe_row(int(bad_rows[0]))
            return InfeasibleError(
                year, family, region, product, "its upper limit is below its lower limit"
            )
        for region in self.quota_regions:
            if data.quotas.get(region, 0.0) < 0:
                return InfeasibleError(
                    year, "export_quota", region, "all quota products", "the quota is negative"
                )
        bounds = self._limit_bounds
        if bounds is not None and (bounds[0] > -INF).any():
            name = self.limit_names[int(np.flatnonzero(bounds[0] > -INF)[0])]
            return InfeasibleError(
                year, "limit", name, "scenario limit", "a required quantity cannot be reached"
            )
        if self._rhs_set:
            return InfeasibleError(
                year, "balance", "stockpile", "purchases", "a fixed purchase cannot be supplied"
            )
        return InfeasibleError(year, "balance", "?", "?", "HiGHS reports no feasible allocation")

    def _explain_unbounded(self, data: MarketData, year: int) -> UnboundedError:
        _, upper, cost = self._bounds_and_costs(data)
        free = np.flatnonzero((upper >= INF) & (cost < 0))
        col = int(free[0]) if len(free) else 0
        family, region, product = self.describe_column(col)
        return UnboundedError(year, family, region, product)

    def describe_column(self, col: int) -> tuple[str, str, str]:
        """(family, region, product) of an LP column, for messages."""
        for name, block in self.cols.items():
            if block.start <= col < block.stop:
                i = col - block.start
                if name == "supply":
                    g = self.groups[i // self.n_sup]
                    return name, g.split("|")[0], g
                if name == "activity":
                    p = self.processes[i]
                    return name, p.split("|")[0], p
                if name == "trade":
                    e, imp, prod = self.arcs[i]
                    return name, f"{e}->{imp}", prod
                if name == "use":
                    r, s = self.demand_keys[i // self.n_dem]
                    return name, r, s
                if name in ("absorb", "release"):
                    r, p = self.stock_keys[i // self.n_stk]
                    return name, r, p
                r, p = self.dispose_nodes[i]
                return name, r, p
        raise IndexError(col)

    def describe_row(self, row: int) -> tuple[str, str, str]:
        """(family, region, product) of an LP row, for messages."""
        for name, block in self.rows.items():
            if block.start <= row < block.stop:
                i = row - block.start
                if name == "balance":
                    r, p = self.nodes[i]
                    return name, r, p
                if name == "group":
                    g = self.groups[i]
                    return name, g.split("|")[0], g
                if name == "limit":
                    return name, self.limit_names[i], "scenario limit"
                return name, self.quota_regions[i], "quota products"
        raise IndexError(row)
