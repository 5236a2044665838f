"""The same equilibrium as an exact quadratic program, solved with Clarabel.

Used to check the block (LP) approximation on small cases: every curve is kept linear (no
blocks), so the QP is the textbook spatial price equilibrium.  Curves must stay non-negative
over their range (supply elasticity >= 1, |demand elasticity| >= 1), where the LP's floor at
zero and the QP agree.
"""

from __future__ import annotations

from dataclasses import dataclass

import clarabel
import numpy as np
import scipy.sparse as sp

from mineralflow.market.curves import linear_demand, linear_supply
from mineralflow.market.problem import SCALE, STOCK_ELASTICITY, MarketData, MarketProblem


@dataclass
class ExactSolution:
    welfare: float  # million USD
    production: np.ndarray  # by group, t
    consumption: np.ndarray  # by demand key, t
    prices: np.ndarray  # by node, USD/kg


def solve_exact(problem: MarketProblem, data: MarketData) -> ExactSolution:
    """Solve ``data`` on ``problem``'s network as an exact QP."""
    if data.quotas or data.tariffs or data.bans:
        raise ValueError("the exact check covers markets without policy constraints")
    m = problem.matrix.tocsc()
    cols = problem.cols
    first = {
        name: np.arange(cols[name].start, cols[name].stop, n)
        for name, n in (
            ("supply", problem.n_sup),
            ("use", problem.n_dem),
            ("absorb", problem.n_stk),
            ("release", problem.n_stk),
        )
    }
    keep = np.concatenate(
        [
            first["supply"],
            np.arange(cols["activity"].start, cols["trade"].stop),
            first["use"],
            first["absorb"],
            first["release"],
            np.arange(cols["dispose"].start, cols["dispose"].stop),
        ]
    )
    eq_rows = np.arange(problem.rows["balance"].start, problem.rows["group"].stop)
    a_eq = m[eq_rows][:, keep]
    n = len(keep)
    g = data.groups.reindex(problem.groups)
    alpha, beta = linear_supply(
        g["level"].to_numpy(float),
        g["u0"].to_numpy(float),
        g["eps"].to_numpy(float),
        g["capacity"].to_numpy(float),
    )
    d = data.demand.reindex(problem.demand_keys)
    a, b = linear_demand(
        d["reference"].to_numpy(float), d["price"].to_numpy(float), d["eta"].to_numpy(float)
    )
    s = data.stocks.reindex(problem.stock_keys)
    sp_abs, ss_abs = s["absorb_price"].to_numpy(float), s["absorb"].to_numpy(float)
    sp_rel, ss_rel = s["release_price"].to_numpy(float), s["release"].to_numpy(float)
    e = STOCK_ELASTICITY
    lin = np.zeros(n)
    quad = np.zeros(n)
    upper = np.full(n, np.inf)
    i = 0
    k = len(problem.groups)
    lin[i : i + k], quad[i : i + k] = alpha, beta * SCALE
    upper[i : i + k] = g["capacity"].to_numpy(float) / SCALE
    i += k
    k = len(problem.processes)
    lin[i : i + k] = problem.activity_cost
    i += k
    k = len(problem.arcs)
    lin[i : i + k] = data.transport.reindex(problem.arcs.get_level_values(2)).to_numpy(float)
    i += k
    k = len(problem.demand_keys)
    lin[i : i + k], quad[i : i + k] = -a, b * SCALE
    upper[i : i + k] = 2.0 * d["reference"].to_numpy(float) / SCALE
    i += k
    k = len(problem.stock_keys)
    with np.errstate(divide="ignore", invalid="ignore"):
        lin[i : i + k] = -sp_abs * (1.0 + 1.0 / e)
        quad[i : i + k] = np.where(ss_abs > 0, sp_abs / (e * ss_abs), 0.0) * SCALE
        upper[i : i + k] = np.where(ss_abs > 0, (1.0 + e) * ss_abs, 0.0) / SCALE
        i += k
        lin[i : i + k] = sp_rel * (1.0 - 1.0 / e)
        quad[i : i + k] = np.where(ss_rel > 0, sp_rel / (e * ss_rel), 0.0) * SCALE
        upper[i : i + k] = np.where(ss_rel > 0, 3.0 * ss_rel, 0.0) / SCALE
    i += k
    lin[i:] = data.disposal.reindex(problem.dispose_nodes.get_level_values(1)).to_numpy(float)

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
    x = np.asarray(result.x)
    z = np.asarray(result.z)
    n_groups = len(problem.groups)
    start_use = n_groups + len(problem.processes) + len(problem.arcs)
    n_bal = len(problem.nodes)
    return ExactSolution(
        welfare=-float(result.obj_val),
        production=x[:n_groups] * SCALE,
        consumption=x[start_use : start_use + len(problem.demand_keys)] * SCALE,
        prices=-z[:n_bal],
    )
