"""The yearly spatial price equilibrium as one sparse LP, built once and re-solved warm.

Welfare (consumer value minus production, trade and disposal cost) is maximised subject to a
balance at every region x product node, the link between a group's processes and its cost
curve, and policy constraints.  Prices are the duals of the node balances.

The structure (layout and matrix, :mod:`mineralflow.market.families`) depends only on the
network; a :class:`MarketData` gives the numbers of one market (curves, costs), from which
:meth:`MarketProblem.curves` computes every bound and cost.  A
:class:`~mineralflow.market.session.Session` holds the LP in HiGHS; between years only
bounds, costs and right-hand sides change, and HiGHS restarts from the previous basis.
Every column carries a tiny tie-breaking cost and every node a tiny supply
(:mod:`mineralflow.market.ties`), so that the optimum and its prices are unique.

Quantities inside the LP are in kt and costs in USD/kg, so the objective is in million USD
and duals are in USD/kg.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass

import highspy
import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import NDArray

from mineralflow.market.curves import (
    DEFAULT_EDGES,
    FAMILY_EDGES,
    CurveRows,
    Edges,
    family_blocks,
)
from mineralflow.market.diagnosis import explain_infeasible, explain_unbounded
from mineralflow.market.errors import MarketError
from mineralflow.market.families import (
    assemble,
    build_layout,
    define_balance,
    define_export_quota,
    define_group,
    define_route,
    input_entries,
    node_positions,
    quota_products,
)
from mineralflow.market.layout import Layout
from mineralflow.market.pricing import import_parity
from mineralflow.market.session import INF, Arrays, Session
from mineralflow.market.ties import node_supplies, tie_costs
from mineralflow.network import Network

SCALE = 1000.0  # t per LP quantity unit (kt)
_NONE = np.zeros(0, dtype=np.int64)


@dataclass
class MarketData:
    """Everything one year's equilibrium needs, as aligned tables.

    ``groups``: index group; region, stage, capacity (t), level (USD/kg), u0, eps.
    ``demand``: index (region, sector); reference (t), price (USD/kg), eta, cap.
    ``stocks``: index (region, product); absorb (t), absorb_price, release (t),
    release_price (USD/kg), elasticity (of their curves, the stage's stock_elasticity);
    after calibration also level (opening stock, t; inf: no level kept) and holding
    (USD/kg a year).
    ``disposal``: disposal cost (USD/kg) by product.
    ``transport``: transport cost (USD/kg) by product.
    ``input_scale``: by process, multiplies its input coefficients (technology-gap yields).
    ``quota_stage``: the stage export quotas are written in (they cover it and later ones).
    ``trade_cost``: duties by trade arc in the base year, USD/kg (none: free trade).
    ``routes``: index (exporter, importer, stage); target (the route's base-year flow, t),
    premium (USD/kg at that flow), price (USD/kg, its stage's price at the importer),
    elasticity, floor (USD/kg, the lowest premium): trade calibrated to published flows.
    """

    network: Network
    groups: pd.DataFrame
    demand: pd.DataFrame
    stocks: pd.DataFrame
    disposal: pd.Series
    transport: pd.Series
    input_scale: pd.Series
    quota_stage: str | None = None
    # USD/kg on top of transport by trade arc (exporter, importer, product): the duties in
    # force in the base year (mineralflow.policies)
    trade_cost: pd.Series | None = None
    edges: Edges = DEFAULT_EDGES  # the curves' block edges (resolution)
    routes: pd.DataFrame | None = None


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
    x: NDArray  # column values, t
    row_dual: NDArray  # USD/kg
    supply_cost: NDArray  # unit cost of every supply step when solved
    inputs: NDArray  # input coefficients when solved (technology gaps change them)
    objective: float
    solve_seconds: float
    iterations: int


@dataclass
class Curves:
    """Bounds and costs of one market, and the parameters of its curves."""

    arrays: Arrays
    rows: CurveRows  # the curves' parameters, from which each year's blocks are drawn
    inputs: NDArray  # input coefficient values


#: statuses that settle a solve; any other is tried once more from a cold start
_DECIDED = (
    highspy.HighsModelStatus.kOptimal,
    highspy.HighsModelStatus.kInfeasible,
    highspy.HighsModelStatus.kUnbounded,
)


class MarketProblem:
    """The LP structure of one network; :meth:`open` loads a market into a HiGHS session."""

    def __init__(self, data: MarketData) -> None:
        started = time.perf_counter()
        self.network = data.network
        self.quota_stage = data.quota_stage
        self.layout, self.coef, self.baskets = build_layout(data)
        lay = self.layout
        self.quota_weight = quota_products(data)
        parts = (
            define_balance(lay, self.coef, self.baskets)
            + define_group(lay)
            + define_export_quota(lay, self.quota_weight)
            + define_route(lay, self.network.products["stage"])
        )
        self.matrix = assemble(lay, parts)
        self.inputs = input_entries(lay, self.coef)
        self._input_at = _data_positions(self.matrix, self.inputs)
        procs = self.network.processes.reindex(self.processes)
        # USD/kg of output above the group's cost curve (costlier recipe variants)
        self.activity_cost = procs["extra_cost"].to_numpy(float)
        self.tie = tie_costs(lay.column_labels())
        # t that appears at each node for free: see mineralflow.market.ties
        self.node_supply = node_supplies(lay.row("balance").labels())
        self.basket = _basket_matrix(lay, self.baskets)
        self.limit_names: list[str] = []
        # (rows, columns, values) of limit entries a session may change after the inputs
        self.scaled: tuple[NDArray, NDArray, NDArray] = (_NONE, _NONE, np.zeros(0))
        self._curves: tuple[MarketData, Curves] | None = None
        self._balance: tuple[NDArray, sp.csr_matrix, sp.csr_matrix] | None = None
        self.build_seconds = time.perf_counter() - started

    # ---------------------------------------------------------------- labels
    @property
    def nodes(self) -> pd.MultiIndex:
        return self.layout.row("balance").index  # type: ignore[return-value]

    @property
    def arcs(self) -> pd.MultiIndex:
        return self.layout.col("trade").index  # type: ignore[return-value]

    @property
    def groups(self) -> pd.Index:
        return self.layout.col("supply").index

    @property
    def processes(self) -> pd.Index:
        return self.layout.col("activity").index

    @property
    def demand_keys(self) -> pd.MultiIndex:
        return self.layout.col("use").index  # type: ignore[return-value]

    @property
    def stock_keys(self) -> pd.MultiIndex:
        return self.layout.col("absorb").index  # type: ignore[return-value]

    @property
    def dispose_nodes(self) -> pd.MultiIndex:
        return self.layout.col("dispose").index  # type: ignore[return-value]

    @property
    def quota_regions(self) -> list[str]:
        return list(self.layout.row("export_quota").index)

    @property
    def n_cols(self) -> int:
        return self.layout.n_cols

    @property
    def n_rows(self) -> int:
        return self.layout.n_rows

    def node_of(self, regions: object, products: object) -> NDArray:
        """Ordinals of (region, product) nodes; every pair must be a node."""
        return node_positions(self.layout, regions, products)

    # ---------------------------------------------------------------- structure
    def with_limits(
        self,
        weights: sp.csr_matrix,
        names: list[str],
        scaled: tuple[NDArray, NDArray, NDArray] | None = None,
    ) -> MarketProblem:
        """A copy with one extra row per limit a scenario sets (free until given bounds).

        ``weights`` has a row per limit and a column per LP column: the t counted per t of
        the column (trade quotas and agreements weigh trade arcs, output targets supply
        steps).  ``scaled`` gives (limit row, column, value) of the entries a session may
        change each year, after the input coefficients.
        """
        if weights.shape[0] == 0:
            return self
        if weights.shape[1] != self.n_cols:
            raise MarketError("internal: limits must have one entry per LP column")
        clone = copy.copy(self)
        index = pd.Index(names, name="limit")
        clone.layout = self.layout.with_rows("limit", index, pd.DataFrame({"limit": names}))
        clone.matrix = sp.vstack([self.matrix, weights]).tocsc()
        clone.matrix.sort_indices()
        clone._input_at = _data_positions(clone.matrix, clone.inputs)
        clone.limit_names = list(names)
        if scaled is not None and len(scaled[0]):
            start = clone.layout.row("limit").start
            clone.scaled = (start + scaled[0], scaled[1], scaled[2])
        clone._curves = None
        clone._balance = None
        return clone

    def check_quotas(self, regions: list[str]) -> None:
        """Refuse export quotas for regions that export nothing a quota covers."""
        unknown = sorted(set(regions) - set(self.quota_regions))
        if unknown:
            allowed = (
                f"only regions exporting {self.quota_stage} products can have one "
                f"({', '.join(self.quota_regions)})"
                if self.quota_stage
                else "this pack declares no quota stage (quotas.csv kind 'export')"
            )
            raise MarketError(f"export quota for {', '.join(unknown)}: {allowed}")

    # ---------------------------------------------------------------- numbers
    def curve_rows(self, data: MarketData) -> CurveRows:
        """The parameters of ``data``'s curves, in the layout's row order."""
        g = data.groups.reindex(self.groups)
        d = data.demand.reindex(self.demand_keys)
        s = data.stocks.reindex(self.stock_keys)
        supply = {c: g[c].to_numpy(float) for c in ("level", "u0", "eps", "capacity")}
        supply["cap"] = np.full(len(g), np.inf)
        use = {c: d[c].to_numpy(float) for c in ("reference", "price", "eta")}
        use["cap"] = d["cap"].to_numpy(float) if "cap" in d else np.full(len(d), np.inf)
        stocks = {}
        for name in ("absorb", "release"):
            stocks[name] = {
                "amount": s[name].to_numpy(float),
                "price": s[f"{name}_price"].to_numpy(float),
                "elasticity": s["elasticity"].to_numpy(float),
                "cap": np.full(len(s), np.inf),
            }
        route: dict[str, NDArray] = {}
        block = self.layout.col("route")
        if block.entities:
            r = data.routes.reindex(block.index)  # type: ignore[union-attr]
            names = ("target", "premium", "price", "elasticity", "floor")
            route = {c: r[c].to_numpy(float) for c in names}
        return CurveRows(supply, use, stocks["absorb"], stocks["release"], route)

    def curves(self, data: MarketData) -> Curves:
        """Bounds, costs and curve parameters of ``data`` (kept for the last ``data`` asked)."""
        if self._curves is not None and self._curves[0] is data:
            return self._curves[1]
        lay = self.layout
        n = lay.n_cols
        lower, upper, cost = np.zeros(n), np.full(n, INF), np.zeros(n)
        rows = self.curve_rows(data)
        for name in FAMILY_EDGES:
            block = lay.col(name)
            if not block.entities:
                continue
            widths, unit = family_blocks(rows, name, data.edges)
            upper[block.span], cost[block.span] = block.spread(widths) / SCALE, block.spread(unit)
        cost[lay.col("activity").span] = self.activity_cost
        trade = lay.col("trade")
        cost[trade.span] = data.transport.reindex(trade.dims["product"]).to_numpy(float)
        if data.trade_cost is not None:
            cost[trade.span] += data.trade_cost.reindex(self.arcs).fillna(0.0).to_numpy(float)
        dispose = lay.col("dispose")
        cost[dispose.span] = data.disposal.reindex(dispose.dims["product"]).to_numpy(float)
        arrays = Arrays(lower, upper, cost + self.tie, *self._row_bounds())
        scale = data.input_scale.reindex(self.inputs["process"]).fillna(1.0).to_numpy(float)
        inputs = self.inputs["base"].to_numpy(float) * scale
        curves = Curves(arrays, rows, inputs)
        self._curves = (data, curves)
        return curves

    def _row_bounds(self) -> tuple[NDArray, NDArray]:
        lower, upper = np.zeros(self.n_rows), np.zeros(self.n_rows)
        for name in ("export_quota", "limit"):
            if name in self.layout.rows:
                span = self.layout.row(name).span
                lower[span], upper[span] = -INF, INF
        return lower, upper

    def open(self, data: MarketData, arrays: Arrays | None = None) -> Session:
        """A HiGHS session holding ``data``'s market (or other ``arrays`` on it)."""
        curves = self.curves(data)
        inputs, (rows, cols, values) = self.inputs, self.scaled
        return Session(
            self.layout,
            self.matrix_with(curves.inputs),
            curves.arrays if arrays is None else arrays,
            (
                np.concatenate([inputs["row"].to_numpy(), rows]).astype(np.int64),
                np.concatenate([inputs["col"].to_numpy(), cols]).astype(np.int64),
                np.concatenate([curves.inputs, values]),
            ),
        )

    def matrix_with(self, inputs: NDArray) -> sp.csc_matrix:
        """The LP matrix with these input coefficients (technology gaps change them); a
        session's coefficients hold the scaled limit entries after them, which no balance
        row has."""
        matrix = self.matrix.copy()
        matrix.data[self._input_at] = inputs[: len(self._input_at)]
        return matrix

    def _balance_rows(self, inputs: NDArray) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """The balance rows for these input coefficients and their absolute values, kept
        while the same array is given."""
        if self._balance is None or self._balance[0] is not inputs:
            rows = self.matrix_with(inputs)[self.layout.row("balance").span].tocsr()
            self._balance = (inputs, rows, abs(rows))
        return self._balance[1], self._balance[2]

    def run(self, session: Session, year: int) -> RawSolution:
        """Solve the session's LP; a failure names the constraint or column behind it.

        The LP is first solved with the tie-breaking node supplies (which make its basis,
        and so its prices, unique), then again without them from that basis: the
        quantities reported carry no trace of the supplies.
        """
        status, seconds = session.run_perturbed("balance", -self.node_supply / SCALE)
        if status not in _DECIDED:  # e.g. kUnknown after numerical trouble: once more, cold
            session.highs.clearSolver()
            status, seconds = session.run_perturbed("balance", -self.node_supply / SCALE)
        if status == highspy.HighsModelStatus.kUnboundedOrInfeasible:
            status = highspy.HighsModelStatus.kInfeasible  # every column is bounded
        if status == highspy.HighsModelStatus.kInfeasible:
            raise explain_infeasible(session, year, self.limit_names)
        if status == highspy.HighsModelStatus.kUnbounded:
            raise explain_unbounded(session, year)
        if status != highspy.HighsModelStatus.kOptimal:  # undecided: diagnosed as infeasible
            raise explain_infeasible(session, year, self.limit_names)
        x, duals, reduced = session.solution()
        balance = self.layout.row("balance").span
        rows, magnitude = self._balance_rows(session.coefficients)
        duals[balance] = import_parity(
            rows, duals[balance], reduced, x, self._open_upper(session.now.upper), magnitude
        )
        supply = self.layout.col("supply").span
        return RawSolution(
            year=year,
            x=x * SCALE,
            row_dual=duals,
            supply_cost=session.now.cost[supply].copy(),
            inputs=session.coefficients,  # the session replaces, never edits, this array
            objective=-session.objective(),
            solve_seconds=seconds,
            iterations=session.iterations,
        )

    def _open_upper(self, upper: NDArray) -> NDArray:
        """Column bounds with the processes of groups without capacity closed: they cannot
        bring product to a node, whatever their own bound."""
        lay = self.layout
        room = lay.col("supply").totals(upper)
        act = lay.col("activity")
        dead = room[self.groups.get_indexer(act.dims["group"])] <= 0
        if not dead.any():
            return upper
        out = upper.copy()
        out[act.start + np.flatnonzero(dead)] = 0.0
        return out

    def quantities(self, session: Session, year: int) -> tuple[NDArray, float, int]:
        """Column values (t) of the session's LP with the tie-breaking node supplies, which
        fix a unique basis, and the seconds and iterations it took: what a solve needs
        before its final one (:mod:`mineralflow.market.windows`).  A solve that does not
        end optimal is left to :meth:`run`, which explains it."""
        status, seconds = session.run_shifted("balance", -self.node_supply / SCALE)
        if status != highspy.HighsModelStatus.kOptimal:
            raw = self.run(session, year)
            return raw.x, seconds + raw.solve_seconds, raw.iterations
        x, _, _ = session.solution()
        return x * SCALE, seconds, session.iterations

    def value_added(self, raw: RawSolution, paid: NDArray | None = None) -> NDArray:
        """USD per kg of each group's output at the year's prices: what its best process's
        outputs fetch (and ``paid``, USD per kg of a process's activity from elsewhere: a
        price floor) less what its inputs cost and its own extra cost, by group.

        Computed from the node prices, which are unique, and not from the group row's dual,
        which is not where a group has no capacity."""
        act = self.layout.col("activity")
        rows, _ = self._balance_rows(raw.inputs)
        prices = raw.row_dual[self.layout.row("balance").span]
        per_process = rows[:, act.span].T @ prices - self.activity_cost
        if paid is not None:
            per_process = per_process + paid
        group_of = self.groups.get_indexer(act.dims["group"])
        out = np.full(len(self.groups), -np.inf)
        np.maximum.at(out, group_of, per_process)
        return out

    def solve(self, data: MarketData, year: int) -> Solution:
        """Solve ``data``'s market alone (no plan): the base year, checks and tests."""
        return self.tables(self.run(self.open(data), year))

    def tables(self, raw: RawSolution) -> Solution:
        """Turn a raw solution into labelled tables (t, USD/kg)."""
        lay, x, duals = self.layout, raw.x, raw.row_dual
        sup = lay.col("supply")
        disposed = pd.Series(x[lay.col("dispose").span], index=self.dispose_nodes)
        absorbed = pd.Series(lay.col("absorb").totals(x), index=self.stock_keys)
        # reduced cost of a group's top step: its cost plus the group row's dual
        top = sup.unstack(raw.supply_cost)[:, -1] + duals[lay.row("group").span]
        balance = lay.row("balance").span
        return Solution(
            year=raw.year,
            objective=raw.objective,
            production=pd.Series(sup.totals(x), index=self.groups),
            activity=pd.Series(x[lay.col("activity").span], index=self.processes),
            trade=pd.Series(x[lay.col("trade").span], index=self.arcs),
            consumption=pd.Series(lay.col("use").totals(x), index=self.demand_keys),
            prices=pd.Series(duals[balance], index=self.nodes),
            absorbed=absorbed.add(disposed, fill_value=0.0),
            released=pd.Series(lay.col("release").totals(x), index=self.stock_keys),
            quota_rent=pd.Series(-duals[lay.row("export_quota").span], index=self.quota_regions),
            capacity_rent=pd.Series(np.maximum(-top, 0.0), index=self.groups),
            balance_residual=pd.Series(self._balance_rows(raw.inputs)[0] @ x, index=self.nodes),
            solve_seconds=raw.solve_seconds,
            iterations=raw.iterations,
        )


def _data_positions(matrix: sp.csc_matrix, entries: pd.DataFrame) -> NDArray[np.int64]:
    """Where each (row, col) entry sits in a CSC matrix's ``data`` (indices sorted)."""
    out = np.empty(len(entries), dtype=np.int64)
    for i, (row, col) in enumerate(zip(entries["row"], entries["col"], strict=True)):
        start, stop = matrix.indptr[col], matrix.indptr[col + 1]
        out[i] = start + int(np.searchsorted(matrix.indices[start:stop], row))
    return out


def _basket_matrix(layout: Layout, baskets: pd.DataFrame) -> sp.csr_matrix:
    """Sparse map from node prices to each demand key's basket price."""
    use = layout.col("use")
    rows = use.index.get_indexer(pd.MultiIndex.from_arrays([baskets["region"], baskets["sector"]]))
    cols = node_positions(layout, baskets["region"], baskets["product"])
    shape = (use.entities, layout.row("balance").entities)
    return sp.csr_matrix((baskets["coeff"].to_numpy(float), (rows, cols)), shape=shape)
