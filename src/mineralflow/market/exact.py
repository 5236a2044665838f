"""The same equilibrium as an exact quadratic program, solved with Clarabel.

Used to check the block (LP) approximation on small cases: every curve is kept linear (no
blocks), so the QP is the textbook spatial price equilibrium.  Curves must stay non-negative
over their range (supply elasticity >= 1, |demand elasticity| >= 1), where the LP's floor at
zero and the QP agree; a calibrated trade route's premium likewise must stay above its floor
(minus its transport cost and base-year duty) over the flows compared.
"""

from __future__ import annotations

from dataclasses import dataclass

import clarabel
import numpy as np
import scipy.sparse as sp

from mineralflow.market.curves import linear_demand, linear_supply
from mineralflow.market.problem import SCALE, MarketData, MarketProblem


@dataclass
class ExactSolution:
    welfare: float  # million USD
    production: np.ndarray  # by group, t
    consumption: np.ndarray  # by demand key, t
    trade: np.ndarray  # by trade arc, t
    prices: np.ndarray  # by node, USD/kg


def _terms(
    problem: MarketProblem,
    data: MarketData,
    offset: dict[str, int],
    sizes: dict[str, int],
    n: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Linear costs, quadratic terms and upper bounds of the QP's columns, by family."""
    lay = problem.layout
    lin, quad, upper = np.zeros(n), np.zeros(n), np.full(n, np.inf)

    def put(
        name: str, linear: np.ndarray, square: np.ndarray | None, top: np.ndarray | None
    ) -> None:
        at = slice(offset[name], offset[name] + sizes[name])
        lin[at] = linear
        if square is not None:
            quad[at] = square * SCALE
        if top is not None:
            upper[at] = top / SCALE

    g = data.groups.reindex(problem.groups)
    capacity = g["capacity"].to_numpy(float)
    alpha, beta = linear_supply(
        g["level"].to_numpy(float), g["u0"].to_numpy(float), g["eps"].to_numpy(float), capacity
    )
    put("supply", alpha, beta, capacity)
    put("activity", problem.activity_cost, None, None)
    arcs = lay.col("trade").dims
    trade = data.transport.reindex(arcs["product"]).to_numpy(float)
    if data.trade_cost is not None:  # the base year's duties, as in the LP
        trade = trade + data.trade_cost.reindex(problem.arcs).fillna(0.0).to_numpy(float)
    put("trade", trade, None, None)
    d = data.demand.reindex(problem.demand_keys)
    reference = d["reference"].to_numpy(float)
    a, b = linear_demand(reference, d["price"].to_numpy(float), d["eta"].to_numpy(float))
    put("use", -a, b, 2.0 * reference)
    s = data.stocks.reindex(problem.stock_keys)
    e = s["elasticity"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        for name, sign, reach in (("absorb", -1.0, 1.0 + e), ("release", 1.0, 3.0)):
            price, amount = s[f"{name}_price"].to_numpy(float), s[name].to_numpy(float)
            slope = np.where(amount > 0, price / (e * amount), 0.0)
            put(
                name,
                sign * price * (1.0 - sign / e),
                slope,
                np.where(amount > 0, reach * amount, 0.0),
            )
    disposal = data.disposal.reindex(lay.col("dispose").dims["product"]).to_numpy(float)
    put("dispose", disposal, None, None)
    if sizes["route"]:
        r = data.routes.reindex(lay.col("route").index)  # type: ignore[union-attr]
        slope = r["price"].to_numpy(float) / r["elasticity"].to_numpy(float)
        put(
            "route", r["premium"].to_numpy(float) - slope, slope / r["target"].to_numpy(float), None
        )

    return lin, quad, upper


def solve_exact(problem: MarketProblem, data: MarketData) -> ExactSolution:
    """Solve ``data`` on ``problem``'s network as an exact QP (no plan, no policies).

    The curve families keep one column per entity (their first step) with a linear cost
    and a quadratic term; every other column is as in the LP.
    """
    lay = problem.layout
    names = list(lay.columns)
    curved = {"supply", "use", "absorb", "release", "route"}
    keep = np.concatenate(
        [
            lay.col(n).at(np.arange(lay.col(n).entities), 0) if n in curved else lay.col(n).all()
            for n in names
        ]
    )
    sizes = {n: lay.col(n).entities for n in names}
    offset = dict(zip(names, np.cumsum([0, *sizes.values()])[:-1].tolist(), strict=True))
    eq_rows = np.r_[lay.row("balance").all(), lay.row("group").all(), lay.row("route").all()]
    a_eq = problem.matrix.tocsc()[eq_rows][:, keep]
    lin, quad, upper = _terms(problem, data, offset, sizes, len(keep))
    n = len(keep)
    finite = np.flatnonzero(np.isfinite(upper))
    eye = sp.identity(n, format="csc")
    a_all = sp.vstack([a_eq, -eye, eye[finite]]).tocsc()
    rhs = np.concatenate([np.zeros(a_eq.shape[0]), np.zeros(n), upper[finite]])
    cones = [
        clarabel.ZeroConeT(a_eq.shape[0]),
        clarabel.NonnegativeConeT(n + len(finite)),
    ]
    settings = clarabel.DefaultSettings()
    settings.verbose = False
    solver = clarabel.DefaultSolver(sp.diags(quad).tocsc(), lin, a_all, rhs, cones, settings)
    result = solver.solve()
    x, z = np.asarray(result.x), np.asarray(result.z)
    use = slice(offset["use"], offset["use"] + sizes["use"])
    trade = slice(offset["trade"], offset["trade"] + sizes["trade"])
    return ExactSolution(
        welfare=-float(result.obj_val),
        production=x[: sizes["supply"]] * SCALE,
        consumption=x[use] * SCALE,
        trade=x[trade] * SCALE,
        prices=-z[: len(problem.nodes)],
    )
