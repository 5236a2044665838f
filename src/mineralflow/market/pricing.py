"""Prices at nodes without any flow: the delivered cost of a first unit (import parity).

A node where nothing is made, traded, stocked or used in a year has no market; any price
between what a unit there would fetch elsewhere (netback) and what a unit would cost to
bring there (import parity) is an equilibrium price.  The LP's answer is a bound of that
interval, and which bound depends on the solver.  The price reported is the import parity:
each such node's price is raised as far as dual feasibility allows, that is until a column
that would bring product to it (an import, a local process, a release) breaks even.  Nodes
are taken one at a time in the layout's order, each raise using up the slack of the columns
it touches, so that no idle plant looks profitable at the prices reported.  A node that no
open column can supply keeps the LP's price.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

#: flow (kt, the LP's unit) through a node below which it has no market
IDLE = 1e-9
#: a raise below this (USD/kg) is none; passes over the idle nodes stop when none moves
RAISED = 1e-12
MAX_PASSES = 50


def import_parity(
    balance: sp.csr_matrix,
    prices: NDArray[np.float64],
    reduced: NDArray[np.float64],
    x: NDArray[np.float64],
    upper: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Node prices with every idle node raised to its import parity.

    ``balance`` holds the balance rows of the LP matrix (nodes x columns), ``prices`` their
    duals, ``reduced`` the columns' reduced costs (cost minus the priced rows), ``x`` the
    solution and ``upper`` the columns' upper bounds, all in the LP's units.
    """
    through = abs(balance) @ np.abs(x)
    idle = np.flatnonzero(through <= IDLE)
    if not len(idle):
        return prices
    out = prices.copy()
    # plain Python over each idle node's few entries: far cheaper than numpy calls per node
    indptr, indices, data = balance.indptr.tolist(), balance.indices.tolist(), balance.data.tolist()
    slack = reduced.tolist()
    open_cols = (upper > 0).tolist()
    nodes = [
        (node, list(zip(indices[indptr[node] : indptr[node + 1]],
                        data[indptr[node] : indptr[node + 1]], strict=True)))
        for node in idle.tolist()
    ]  # fmt: skip
    # an idle node supplied from another idle node can be raised again once that one is;
    # passes continue until none moves, so the result does not depend on the LP's own
    # (arbitrary) prices at idle nodes
    for _ in range(MAX_PASSES):
        moved = False
        for node, entries in nodes:
            limits = [max(slack[c], 0.0) / a for c, a in entries if a > 0 and open_cols[c]]
            if not limits:
                continue
            raise_by = min(limits)
            if not np.isfinite(raise_by) or raise_by <= RAISED:
                continue
            out[node] += raise_by
            moved = True
            for c, a in entries:
                slack[c] -= a * raise_by
        if not moved:
            break
    return out
