"""Tie-breaking: tiny, fixed costs and node supplies derived from labels, for a unique optimum.

The block LP has many equally good optima: two exporters at the same price can serve two
importers either way round, and any of several equally cheap blocks can be the marginal one.
The simplex method then returns whichever vertex its path reaches first, so a constraint that
binds nowhere, or another row order in a pack, would change the answer.  Adding to each
column a cost drawn from a hash of its label (block, entity, step) makes the optimum unique
with probability one, and the same however the problem was assembled: the labels, not the
positions, decide.

Costs alone make the quantities unique, not always the prices: where a node has no flow
(a deposit's concentrate before its mine opens) or a flow sits exactly on a curve's step
edge, any price in an interval is a dual solution.  So every node also receives a tiny
supply, again drawn from its label (:func:`node_supplies`), which it may use, ship or
dispose of: every node then has a flow that prices it, and no flow sits exactly on an edge.

The costs are at most :data:`TIE_COST` USD/kg and the supplies at most :data:`NODE_SUPPLY`
t (1.5 kg); both are far above HiGHS's tolerances, which mineralflow sets to 1e-9 (so that
the solver sees them), and far below anything the model reports: prices move by less than
a hundredth of a US cent per kg, quantities by about a kilogram per node.
"""

from __future__ import annotations

import hashlib

import numpy as np
from numpy.typing import NDArray

#: largest tie-breaking cost, USD/kg (see the module docstring)
TIE_COST = 1e-4
#: largest tie-breaking supply at a node, t
NODE_SUPPLY = 1.5e-3


def label_fractions(labels: list[str]) -> NDArray[np.float64]:
    """A number in [0, 1) per label, from its BLAKE2b hash: fixed for a label, unordered."""
    out = np.empty(len(labels))
    for i, label in enumerate(labels):
        digest = hashlib.blake2b(label.encode(), digest_size=8).digest()
        out[i] = int.from_bytes(digest, "little") / 2.0**64
    return out


def tie_costs(labels: list[str]) -> NDArray[np.float64]:
    """Tie-breaking cost (USD/kg) of each column, in [0, TIE_COST)."""
    return TIE_COST * label_fractions(labels)


def node_supplies(labels: list[str]) -> NDArray[np.float64]:
    """Tie-breaking supply (t) of each node, in [NODE_SUPPLY / 3, NODE_SUPPLY)."""
    return NODE_SUPPLY * (1.0 + 2.0 * label_fractions(labels)) / 3.0
