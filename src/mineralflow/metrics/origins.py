"""Origin tracing: where each stage of a region's consumption took place.

Input-output attribution along the solved flows, as in multi-regional input-output analysis:

- every (region, product) node is a pool fed by local production and imports; exports, local
  processes and final consumption all draw the same mix (proportional attribution). Released
  stocks carry the mix of the rest of the pool;
- a process's output embodies its inputs, shared over its outputs by mass (the joint outputs of
  a separation plant carry the same origin mix per tonne);
- so each node carries, per stage, the tonnes of that stage's output embodied in one tonne of
  the product, by the country where the stage took place.

A region's consumption then gives the ``dependence`` table (%): of the stage's output embodied
in what the region consumed, the share made in ``origin``. The direct flows between stages
give the ``flows`` table, in the unit of the stage they leave; ``to_stage`` is a stage or
``consumption``. They feed the Sankey diagram of a run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp

from mineralflow.errors import MineralflowError

if TYPE_CHECKING:
    from mineralflow.dynamics import Run

#: shares below this (%) are not reported
MIN_SHARE = 0.01
#: flows below this (t) are not reported
MIN_FLOW = 0.5
#: the ``to_stage`` of flows into final consumption
CONSUMPTION = "consumption"


class _Layout:
    """Index arrays of one run's problem that do not change between years."""

    def __init__(self, run: Run) -> None:
        net, problem = run.network, run.problem
        self.problem = problem
        self.regions = np.array(sorted(set(problem.nodes.get_level_values(0))))
        self.stages = [s.name for s in net.stages]
        self.stage_unit = {s.name: s.unit for s in net.stages}
        nodes = problem.nodes
        n_nodes = len(nodes)
        self.node_region = self.regions.searchsorted(nodes.get_level_values(0).to_numpy())
        products = nodes.get_level_values(1)
        stage_pos = {s: i for i, s in enumerate(self.stages)}
        self.node_stage = net.products["stage"].reindex(products).map(stage_pos).to_numpy(dtype=int)
        self.stage_nodes = [np.flatnonzero(self.node_stage == k) for k in range(len(self.stages))]

        coef = problem.coef
        proc = problem.processes.get_indexer(pd.Index(coef["process"]))
        node = problem.node_of(coef["region"], coef["product"])
        value = coef["coeff"].to_numpy(float)
        n_proc = len(problem.processes)
        out = value > 0
        self.made = sp.csr_matrix((value[out], (node[out], proc[out])), shape=(n_nodes, n_proc))
        self.takes = sp.csr_matrix(
            (-value[~out], (node[~out], proc[~out])), shape=(n_nodes, n_proc)
        )
        proc_stage = net.processes["stage"].reindex(problem.processes).map(stage_pos)
        self.proc_stage = proc_stage.to_numpy(dtype=int)
        self.stage_procs = [np.flatnonzero(self.proc_stage == k) for k in range(len(self.stages))]
        self.made_by_stage = [self.made[:, p].tocsr() for p in self.stage_procs]
        self.takes_by_stage = [self.takes[:, p].T.tocsr() for p in self.stage_procs]
        taken_stage = self.node_stage[node[~out]]
        if (taken_stage >= self.proc_stage[proc[~out]]).any():
            raise MineralflowError(
                "internal: a process takes a product of its own or a later stage"
            )

        arcs = problem.arcs
        self.arc_from = problem.node_of(arcs.get_level_values(0), arcs.get_level_values(2))
        self.arc_to = problem.node_of(arcs.get_level_values(1), arcs.get_level_values(2))
        arc_stage = self.node_stage[self.arc_to]
        self.stage_arcs = [np.flatnonzero(arc_stage == k) for k in range(len(self.stages))]
        b = problem.baskets
        dem = problem.demand_keys.get_indexer(pd.MultiIndex.from_arrays([b["region"], b["sector"]]))
        bnode = problem.node_of(b["region"], b["product"])
        self.basket = sp.csr_matrix(
            (b["coeff"].to_numpy(float), (bnode, dem)), shape=(n_nodes, len(problem.demand_keys))
        )
        self.consumer = problem.demand_keys.get_level_values(0).to_numpy()
        self.stock_node = problem.nodes.get_indexer(problem.stock_keys)
        self.dispose_node = problem.nodes.get_indexer(problem.dispose_nodes)


def _year(lay: _Layout, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, sp.csr_matrix, np.ndarray]:
    """(embodied, pool origin, process use, consumption) of one year's solution.

    ``embodied[n, s, o]``: t of stage ``s`` output made in region ``o`` per t of node ``n``.
    """
    p = lay.problem
    cols = p.layout.columns
    n_nodes, n_st, n_reg = len(p.nodes), len(lay.stages), len(lay.regions)
    activity = x[cols["activity"].span]
    trade = x[cols["trade"].span]
    use = cols["use"].totals(x)
    absorb = cols["absorb"].totals(x)
    release = cols["release"].totals(x)

    made = lay.made @ activity
    imports = np.bincount(lay.arc_to, trade, n_nodes)
    exports = np.bincount(lay.arc_from, trade, n_nodes)
    consumed = lay.basket @ use
    stock = np.bincount(lay.stock_node, absorb - release, n_nodes)
    disposed = np.bincount(lay.dispose_node, x[cols["dispose"].span], n_nodes)
    # what local processes took, from the balance; the coefficients only share it out
    taken = np.clip(made + imports - exports - consumed - stock - disposed, 0.0, None)
    nominal = lay.takes.multiply(activity[None, :]).tocsr()
    per_node = np.asarray(nominal.sum(1)).ravel()
    scale = np.divide(taken, per_node, out=np.zeros(n_nodes), where=per_node > 1e-12)
    proc_in = sp.csr_matrix(sp.diags(scale) @ nominal)  # t of node n taken by process k
    proc_out = np.asarray(lay.made.multiply(activity[None, :]).sum(0)).ravel()

    embodied = np.zeros((n_nodes, n_st, n_reg))
    pool = np.zeros((n_nodes, n_reg))
    for s in range(n_st):
        # embodied upstream content per t of output of this stage's processes, then per node
        procs = lay.stage_procs[s]
        if s > 0 and len(procs):
            # (procs, nodes): t of each node taken by each of the stage's processes
            inputs = lay.takes_by_stage[s].multiply((activity[procs])[:, None])
            inputs = inputs.multiply(scale[None, :]).tocsr()
            per_proc = (inputs @ embodied.reshape(n_nodes, -1)).reshape(len(procs), n_st, n_reg)
            per_proc /= np.where(proc_out[procs] > 0, proc_out[procs], 1.0)[:, None, None]
            output = lay.made_by_stage[s].multiply(activity[procs][None, :]).tocsr()
            produced = (output @ per_proc.reshape(len(procs), -1)).reshape(n_nodes, n_st, n_reg)
            produced /= np.where(made > 0, made, 1.0)[:, None, None]
        else:
            produced = np.zeros((n_nodes, n_st, n_reg))
        _pool_origins(lay, s, made, imports, trade, produced, embodied, pool)
    return embodied, pool, proc_in, consumed


def _pool_origins(
    lay: _Layout,
    s: int,
    made: np.ndarray,
    imports: np.ndarray,
    trade: np.ndarray,
    produced: np.ndarray,
    embodied: np.ndarray,
    pool: np.ndarray,
) -> None:
    """Fill ``pool`` and ``embodied`` for the nodes of stage ``s``.

    A node's pool mixes its own output and its imports; the imports carry their exporters'
    pools, so the pools of the stage's nodes solve one linear system (block-diagonal by
    product): ``share[n, m]`` is the part of node n's pool made at node m.
    """
    idx, arcs = lay.stage_nodes[s], lay.stage_arcs[s]
    if not len(idx):
        return
    k = len(idx)
    at = np.full(len(made), -1)
    at[idx] = np.arange(k)
    system = np.zeros((k, k))
    np.add.at(system, (at[lay.arc_to[arcs]], at[lay.arc_from[arcs]]), -trade[arcs])
    supply = made[idx] + imports[idx]
    empty = supply <= 1e-12
    system[np.arange(k), np.arange(k)] += np.where(empty, 1.0, supply)
    share = np.linalg.solve(system, np.diag(np.where(empty, 1.0, made[idx])))
    local = np.zeros((k, len(lay.regions)))
    local[np.arange(k), lay.node_region[idx]] = 1.0
    origin = share @ local
    pool[idx] = origin
    embodied[idx, s, :] = origin
    # upstream stages: the mix of the producing nodes' own upstream content
    for t in range(s):
        embodied[idx, t, :] = share @ produced[idx, t, :]


def _dependence(
    lay: _Layout, x: np.ndarray, embodied: np.ndarray, gather: sp.csr_matrix, year: int
) -> np.ndarray:
    """(year, consumer, stage, origin, share) of each region's consumption, above MIN_SHARE."""
    p = lay.problem
    n_st, n_reg = len(lay.stages), len(lay.regions)
    use = p.layout.col("use").totals(x)
    per_key = lay.basket.multiply(use[None, :]).T @ embodied.reshape(len(p.nodes), -1)
    per_region = np.asarray(gather @ per_key).reshape(gather.shape[0], n_st, n_reg)
    totals = per_region.sum(2, keepdims=True)
    share = 100.0 * np.divide(
        per_region, totals, out=np.zeros_like(per_region), where=totals > 1e-9
    )
    c, st, o = np.nonzero(share >= MIN_SHARE)
    return np.column_stack([np.full(len(c), year), c, st, o, share[c, st, o]])


def _flows(
    lay: _Layout, pool: np.ndarray, proc_in: sp.csr_matrix, consumed: np.ndarray, year: int
) -> list[np.ndarray]:
    """(year, from stage, to stage or consumption, origin, destination, t) above MIN_FLOW."""
    n_nodes, n_st = len(lay.problem.nodes), len(lay.stages)
    taken = np.asarray(proc_in.sum(1)).ravel()
    to_stage = np.full(n_nodes, n_st)
    taker = proc_in.tocoo()
    to_stage[taker.row] = lay.proc_stage[taker.col]
    out = []
    for amount, target in ((taken, to_stage), (consumed, np.full(n_nodes, n_st))):
        flows = pool * amount[:, None]
        n, o = np.nonzero(flows >= MIN_FLOW)
        out.append(
            np.column_stack(
                [
                    np.full(len(n), year),
                    lay.node_stage[n],
                    target[n],
                    o,
                    lay.node_region[n],
                    flows[n, o],
                ]
            )
        )
    return out


def _dependence_frame(
    lay: _Layout, d: np.ndarray, consumers: np.ndarray, commodity: str
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "commodity": commodity,
            "region": consumers[d[:, 1].astype(int)],
            "stage": np.asarray(lay.stages, dtype=object)[d[:, 2].astype(int)],
            "origin": lay.regions[d[:, 3].astype(int)],
            "year": d[:, 0].astype(int),
            "value": d[:, 4],
        }
    )


def _flow_frame(lay: _Layout, flow: np.ndarray, commodity: str) -> pd.DataFrame:
    f = pd.DataFrame(flow, columns=["year", "from", "to", "origin", "dest", "value"])
    f = f.groupby(["year", "from", "to", "origin", "dest"], as_index=False, sort=False).sum()
    src = f["from"].to_numpy(int)
    names = np.array([*lay.stages, CONSUMPTION], dtype=object)
    units = np.array([lay.stage_unit[s] for s in lay.stages], dtype=object)
    return pd.DataFrame(
        {
            "commodity": commodity,
            "origin": lay.regions[f["origin"].to_numpy(int)],
            "stage": names[src],
            "to_stage": names[f["to"].to_numpy(int)],
            "region": lay.regions[f["dest"].to_numpy(int)],
            "year": f["year"].to_numpy(int),
            "value": f["value"].to_numpy(float),
            "unit": units[src],
        }
    )


def origin_tables(run: Run, years: list[int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(flows, dependence) tables of ``years`` (see :mod:`mineralflow.tables`)."""
    lay = _Layout(run)
    consumers, consumer_index = np.unique(lay.consumer, return_inverse=True)
    gather = sp.csr_matrix(
        (np.ones(len(consumer_index)), (consumer_index, np.arange(len(consumer_index)))),
        shape=(len(consumers), len(consumer_index)),
    )
    dep: list[np.ndarray] = []
    flow: list[np.ndarray] = []
    for year in years:
        x = run.raw[year].x
        embodied, pool, proc_in, consumed = _year(lay, x)
        dep.append(_dependence(lay, x, embodied, gather, year))
        flow += _flows(lay, pool, proc_in, consumed, year)
    commodity = run.pack.name
    dependence = _dependence_frame(lay, np.vstack(dep), consumers, commodity)
    return _flow_frame(lay, np.vstack(flow), commodity), dependence
