"""Prices at nodes without any flow: the delivered cost of a first unit (import parity).

A node where nothing is made, traded, stocked or used in a year has no market; any price
between what a unit there would fetch elsewhere (netback) and what a unit would cost to
bring there (import parity) is an equilibrium price.  The LP's answer is a bound of that
interval, and which bound depends on the solver.  The price reported is the import parity:
each such node's price is raised as far as dual feasibility allows, that is until a column
that would bring product to it (an import, a local process, a release) breaks even.  Nodes
are taken one at a time in the layout's order, each raise using up the slack of the columns
it touches, so that no idle plant looks profitable at the prices reported.  A node that no
open column can supply (a region whose plants have no capacity yet, and no imports) has no
import parity: its price is lowered to its netback instead, what a unit there would fetch
by the best column that takes product away (an export, disposal).  Columns whose bound is
zero are closed; the caller closes the processes of groups without capacity too.
"""

from __future__ import annotations

from collections import deque

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

#: flow (kt, the LP's unit) through a node below which it has no market
IDLE = 1e-9
#: a raise below this (USD/kg) is none
RAISED = 1e-12


def _open_entries(
    balance: sp.csr_matrix, idle: NDArray[np.int64], upper: NDArray[np.float64]
) -> dict[int, list[tuple[int, float]]]:
    """Each idle node's (column, coefficient) entries over open columns, in layout order.

    Only open columns can bring product to a node or pass a price rise on; plain Python
    over each idle node's few entries is far cheaper than numpy calls per node.
    """
    rows = balance[idle].tocsr()
    keep = (upper > 0)[rows.indices]
    row_of = np.repeat(np.arange(len(idle)), np.diff(rows.indptr))
    counts = np.bincount(row_of[keep], minlength=len(idle))
    bounds = np.concatenate([[0], np.cumsum(counts)]).tolist()
    cols, coefs = rows.indices[keep].tolist(), rows.data[keep].tolist()
    return {
        node: list(zip(cols[bounds[k] : bounds[k + 1]], coefs[bounds[k] : bounds[k + 1]],
                       strict=True))
        for k, node in enumerate(idle.tolist())
    }  # fmt: skip


def _lower_unsupplied(
    entries: dict[int, list[tuple[int, float]]], out: NDArray[np.float64], slack: list[float]
) -> None:
    """Lower each idle node that no open column supplies to its netback (in place): until a
    column that takes product from it breaks even.  Done before any raise, so that the
    slack the raises use is that of the lowered prices."""
    for node, pairs in entries.items():
        if any(a > 0 for _, a in pairs):
            continue
        limits = [max(slack[c], 0.0) / -a for c, a in pairs if a < 0]
        if not limits:
            continue
        lower_by = min(limits)
        if not np.isfinite(lower_by) or lower_by <= RAISED:
            continue
        out[node] -= lower_by
        for c, a in pairs:
            slack[c] += a * lower_by


def import_parity(
    balance: sp.csr_matrix,
    prices: NDArray[np.float64],
    reduced: NDArray[np.float64],
    x: NDArray[np.float64],
    upper: NDArray[np.float64],
    magnitude: sp.csr_matrix | None = None,
) -> NDArray[np.float64]:
    """Node prices with every idle node raised to its import parity.

    ``balance`` holds the balance rows of the LP matrix (nodes x columns), ``prices`` their
    duals, ``reduced`` the columns' reduced costs (cost minus the priced rows), ``x`` the
    solution and ``upper`` the columns' upper bounds, all in the LP's units; ``magnitude``
    is ``abs(balance)`` where the caller keeps it.
    """
    through = (abs(balance) if magnitude is None else magnitude) @ np.abs(x)
    idle = np.flatnonzero(through <= IDLE)
    if not len(idle):
        return prices
    out = prices.copy()
    slack = reduced.tolist()
    entries = _open_entries(balance, idle, upper)
    # the idle nodes each column could supply: once a column's input gets dearer, its
    # outputs may be raised again
    supplied: dict[int, list[int]] = {}
    for node, pairs in entries.items():
        for c, a in pairs:
            if a > 0:
                supplied.setdefault(c, []).append(node)
    _lower_unsupplied(entries, out, slack)
    # a work list in layout order: a node supplied from another idle node is raised again
    # once that one is, so the result does not depend on the LP's own (arbitrary) prices
    queue = deque(entries)
    queued = set(entries)
    while queue:
        node = queue.popleft()
        queued.discard(node)
        pairs = entries[node]
        limits = [max(slack[c], 0.0) / a for c, a in pairs if a > 0]
        if not limits:
            continue
        raise_by = min(limits)
        if not np.isfinite(raise_by) or raise_by <= RAISED:
            continue
        out[node] += raise_by
        for c, a in pairs:
            slack[c] -= a * raise_by
            if a < 0:
                for other in supplied.get(c, ()):
                    if other not in queued:
                        queue.append(other)
                        queued.add(other)
    return out
