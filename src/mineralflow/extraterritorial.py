"""Extraterritorial licensing: a country's export licences reaching products made abroad.

China's MOFCOM Announcement No. 61 [2025] requires a Chinese licence for the export, from
any country, of rare-earth products that contain Chinese-origin controlled rare-earth
material (above 0.1 % of their value).  The market model does not follow single shipments,
so the rule is written on what origin tracing (:mod:`mineralflow.metrics.origins`) knows of
each node (region, product):

- the **covered share** of a node is the share of its supply that contains controlled
  material from the controlling country.  The controller's own products in the lever's
  selection are covered whole; a plant abroad covers as much of its output as its most
  covered input (a magnet needs every one of its metals, so at most the output that the
  least China-free input allows can be made free of Chinese material; a variant that takes
  no covered input covers nothing); a pool mixes its own output and its imports;
- makers can keep covered units for their home market and ship the rest, so a region's
  exports of a selected product to destinations the rule reaches are at most its supply
  (output, imports, stock releases) less the unapproved part of the covered share:
  ``exports <= (1 - (1 - approved) * covered) * supply``; in the strict reading
  (``kept_apart: false``) a plant whose supply contains any covered material (more than
  the lever's threshold) ships at most ``approved * supply``;
- the covered share is traced on the year's own solution: the year is solved again with
  rows set halfway to the shares of the last solve's flows until they agree (a plant that
  sheds covered inputs once restricted would otherwise flip between two solves; the mix it
  settles at lies between), at most ``floors.ROUNDS`` solves, the first with the year
  before's shares.

The 0.1 % threshold makes any unit containing controlled material covered, which is what
the covered share counts; the share of value is not traced.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from mineralflow.market.problem import MarketProblem
from mineralflow.metrics.origins import Quantities, TraceLayout, pool_shares, quantities

#: the name every limit row of a rule starts with
RULE = "extraterritorial_licensing"


@dataclass(frozen=True)
class Rules:
    """The plan's extraterritorial rules: one limit row per (exporter, product) they reach.

    ``entry_*`` are the matrix entries of those rows that scale each year with the covered
    share (the supply side: output, imports and releases of the node).
    """

    names: tuple[str, ...] = ()  # by rule row: its limit row's name
    # by rule row: its position among the plan's limit rows (rows are only ever appended)
    row: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    node: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    approved: np.ndarray = field(default_factory=lambda: np.zeros(0))
    kept_apart: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    threshold: np.ndarray = field(default_factory=lambda: np.zeros(0))
    source: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    # (levers, nodes): the nodes whose output counts as controlled material, per lever
    sources: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=bool))
    entry_rule: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    entry_col: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    entry_base: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def __bool__(self) -> bool:
        return len(self.names) > 0

    def factors(self, covered: np.ndarray | None) -> np.ndarray:
        """By rule row: the share of its supply a node may export, from the covered shares
        by (lever, node) (none yet: everything)."""
        if covered is None:
            return np.ones(len(self.names))
        share = covered[self.source, self.node]
        share = np.where(share > self.threshold, share, 0.0)
        share = np.where(self.kept_apart, share, np.ceil(share))
        return 1.0 - (1.0 - self.approved) * share

    def covered(self, tracer: TraceLayout, x: np.ndarray) -> np.ndarray:
        """(levers, nodes): the covered share of every node in the solution ``x``."""
        return covered_shares(tracer, quantities(tracer, x[None, :]), self.sources)


def covered_shares(tracer: TraceLayout, q: Quantities, sources: np.ndarray) -> np.ndarray:
    """(levers, nodes): the share of each node's pool that contains material made at one of
    a lever's ``sources`` nodes, stage by stage (a stage's processes take only earlier
    stages' products); the pools' mixes are solved once for all levers."""
    n_levers, n_nodes = sources.shape
    share = np.zeros((n_levers, n_nodes))
    made = tracer.made.multiply(q.activity[0][None, :]).tocsr()
    takes = tracer.takes.tocsc()
    for s in range(len(tracer.stages)):
        nodes = np.flatnonzero(tracer.node_stage == s)
        out = made[nodes]
        total = np.asarray(out.sum(axis=1)).ravel()
        made_share = np.zeros((n_levers, n_nodes))
        for k in range(n_levers):
            inputs = sp.csc_matrix((share[k][takes.indices], takes.indices, takes.indptr),
                                   shape=takes.shape)  # fmt: skip
            per_process = inputs.max(axis=0).toarray().ravel()  # the most covered input
            own = np.divide(out @ per_process, total, out=np.zeros(len(nodes)), where=total > 0)
            made_share[k, nodes] = np.where(sources[k, nodes], 1.0, own)
        for idx, arcs in tracer.stage_products[s]:
            pool = pool_shares(tracer, q, idx, arcs)[0]
            share[:, idx] = made_share[:, idx] @ pool.T
    return np.clip(share, 0.0, 1.0)


def supply_entries(
    problem: MarketProblem, region: str, product: str
) -> tuple[np.ndarray, np.ndarray]:
    """(LP columns, entries) of a node's supply: its processes' output, imports and stock
    releases, each with the t of the product it brings (negated: a row's supply side)."""
    lay = problem.layout
    coef = problem.coef
    mine = (coef["region"] == region).to_numpy() & (coef["product"] == product).to_numpy()
    mine &= coef["coeff"].to_numpy(float) > 0
    procs = problem.processes.get_indexer(pd.Index(coef.loc[mine, "process"]))
    cols = [lay.col("activity").at(procs)]
    values = [-np.repeat(coef.loc[mine, "coeff"].to_numpy(float), lay.col("activity").steps)]
    arcs = problem.arcs
    into = (arcs.get_level_values(1) == region) & (arcs.get_level_values(2) == product)
    cols.append(lay.col("trade").start + np.flatnonzero(into))
    values.append(-np.ones(int(into.sum())))
    stock = problem.stock_keys.get_indexer(pd.MultiIndex.from_tuples([(region, product)]))
    if stock[0] >= 0:
        released = lay.col("release").at(stock)
        cols.append(released)
        values.append(-np.ones(len(released)))
    return np.concatenate(cols).astype(np.int64), np.concatenate(values)
