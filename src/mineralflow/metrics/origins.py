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

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp

from mineralflow.arrays import distinct_rows
from mineralflow.errors import MineralflowError
from mineralflow.tables import CONSUMPTION

if TYPE_CHECKING:
    from mineralflow.dynamics import Run
    from mineralflow.market.problem import MarketProblem
    from mineralflow.network import Network

#: shares below this (%) are not reported
MIN_SHARE = 0.01
#: flows below this (t) are not reported
MIN_FLOW = 0.5


class TraceLayout:
    """Index arrays of one run's problem that do not change between years."""

    def __init__(self, net: Network, problem: MarketProblem) -> None:
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
        codes, uniques = pd.factorize(products)
        product_nodes = [np.flatnonzero(codes == k) for k in range(len(uniques))]

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
        # the stages whose processes make each stage's products: itself and the recycling
        # stages that recover some of them
        self.makers = [[k] for k in range(len(self.stages))]
        made_stage = self.node_stage[node[out]]
        for product_stage, maker in sorted(
            set(zip(made_stage, self.proc_stage[proc[out]], strict=True))
        ):
            if maker != product_stage:
                self.makers[product_stage].append(int(maker))
        self._stage_matrices()
        self.taker_stage = self._taker_stages(n_nodes)

        arcs = problem.arcs
        self.arc_from = problem.node_of(arcs.get_level_values(0), arcs.get_level_values(2))
        self.arc_to = problem.node_of(arcs.get_level_values(1), arcs.get_level_values(2))
        self.stage_products = self._stage_products(codes[self.arc_to], product_nodes)
        b = problem.baskets
        dem = problem.demand_keys.get_indexer(pd.MultiIndex.from_arrays([b["region"], b["sector"]]))
        bnode = problem.node_of(b["region"], b["product"])
        self.basket = sp.csr_matrix(
            (b["coeff"].to_numpy(float), (bnode, dem)), shape=(n_nodes, len(problem.demand_keys))
        )
        self.consumer = problem.demand_keys.get_level_values(0).to_numpy()
        self.stock_node = problem.nodes.get_indexer(problem.stock_keys)
        self.dispose_node = problem.nodes.get_indexer(problem.dispose_nodes)

    def _taker_stages(self, n_nodes: int) -> np.ndarray:
        """The stage whose processes take each node (consumption where none does); one
        stage per node, and always a stage after the product's own."""
        stages = np.full(n_nodes, len(self.stages))
        taker = self.takes.tocoo()
        stages[taker.row] = self.proc_stage[taker.col]
        if (stages[taker.row] != self.proc_stage[taker.col]).any():
            raise MineralflowError("internal: processes of two stages take the same product")
        if (self.node_stage[taker.row] >= self.proc_stage[taker.col]).any():
            raise MineralflowError(
                "internal: a process takes a product of its own or a later stage"
            )
        return stages

    def _stage_matrices(self) -> None:
        """Per stage: the nodes its processes make and take, its (made nodes, procs) outputs
        and (procs, taken nodes) inputs, restricted to those nodes as the rest are zero."""
        self.stage_outputs: list[np.ndarray] = []
        self.stage_inputs: list[np.ndarray] = []
        self.made_by_stage: list[sp.csr_matrix] = []
        self.takes_by_stage: list[sp.csr_matrix] = []
        for p in self.stage_procs:
            made, takes = self.made[:, p].tocsr(), self.takes[:, p].T.tocsc()
            outputs = np.flatnonzero(np.diff(made.indptr))
            inputs = np.flatnonzero(np.diff(takes.indptr))
            self.stage_outputs.append(outputs)
            self.stage_inputs.append(inputs)
            self.made_by_stage.append(made[outputs])
            self.takes_by_stage.append(takes[:, inputs].tocsr())

    def _stage_products(
        self, arc_product: np.ndarray, product_nodes: list[np.ndarray]
    ) -> list[list[tuple[np.ndarray, np.ndarray]]]:
        """Per stage: the (nodes, arcs) of each of its products."""
        out: list[list[tuple[np.ndarray, np.ndarray]]] = [[] for _ in self.stages]
        for k, idx in enumerate(product_nodes):
            out[self.node_stage[idx[0]]].append((idx, np.flatnonzero(arc_product == k)))
        return out


def _onehot(rows: np.ndarray, n: int) -> sp.csr_matrix:
    """(len(rows), n) map of each item to its node."""
    return sp.csr_matrix((np.ones(len(rows)), (np.arange(len(rows)), rows)), shape=(len(rows), n))


@dataclass
class Quantities:
    """The quantities origin tracing reads, for all years at once: arrays (years, ...)."""

    activity: np.ndarray  # (Y, processes)
    trade: np.ndarray  # (Y, arcs)
    use: np.ndarray  # (Y, demand keys)
    made: np.ndarray  # (Y, nodes): t made by local processes
    imports: np.ndarray  # (Y, nodes)
    consumed: np.ndarray  # (Y, nodes)
    taken: np.ndarray  # (Y, nodes): t taken by local processes, from the balance
    scale: np.ndarray  # (Y, nodes): taken over what the coefficients would take
    proc_out: np.ndarray  # (Y, processes): t of output of each process
    # (Y, nodes): t made by the processes of a stage, for the stages whose products a
    # recycling stage also makes (and for those recycling stages)
    made_by: dict[int, np.ndarray]


def quantities(lay: TraceLayout, x: np.ndarray) -> Quantities:
    """The flows of every node and process in every year of ``x`` (years, LP columns)."""
    cols = lay.problem.layout.columns
    n_nodes = len(lay.problem.nodes)
    activity = x[:, cols["activity"].span]
    trade = x[:, cols["trade"].span]
    use = cols["use"].totals(x)
    stock = cols["absorb"].totals(x) - cols["release"].totals(x)
    made = np.asarray(lay.made @ activity.T).T
    imports = trade @ _onehot(lay.arc_to, n_nodes)
    exports = trade @ _onehot(lay.arc_from, n_nodes)
    consumed = np.asarray(lay.basket @ use.T).T
    stocked = stock @ _onehot(lay.stock_node, n_nodes)
    disposed = x[:, cols["dispose"].span] @ _onehot(lay.dispose_node, n_nodes)
    # what local processes took, from the balance; the coefficients only share it out
    taken = np.clip(made + imports - exports - consumed - stocked - disposed, 0.0, None)
    nominal = np.asarray(lay.takes @ activity.T).T
    scale = np.divide(taken, nominal, out=np.zeros_like(taken), where=nominal > 1e-12)
    proc_out = activity * np.asarray(lay.made.sum(0)).ravel()[None, :]
    made_by = {
        k: np.asarray(lay.made[:, lay.stage_procs[k]] @ activity[:, lay.stage_procs[k]].T).T
        for makers in lay.makers
        if len(makers) > 1
        for k in makers
    }
    return Quantities(
        activity, trade, use, made, imports, consumed, taken, scale, proc_out, made_by
    )


def _each_year(matrix: sp.csr_matrix, values: np.ndarray) -> np.ndarray:
    """``matrix @ values[y]`` for every year y: one sparse product for all years."""
    n_years, n, m = values.shape
    stacked = values.transpose(1, 0, 2).reshape(n, n_years * m)
    return np.asarray(matrix @ stacked).reshape(matrix.shape[0], n_years, m).transpose(1, 0, 2)


def _flat(embodied: np.ndarray) -> np.ndarray:
    """(years, nodes, stages, regions) -> (years, nodes, stages * regions)."""
    return embodied.reshape(embodied.shape[0], embodied.shape[1], -1)


def _embodied(lay: TraceLayout, q: Quantities) -> tuple[np.ndarray, np.ndarray]:
    """(embodied, pool) of every year: ``embodied[y, n, s, o]`` is t of stage ``s`` output
    made in region ``o`` per t of node ``n``; ``pool[y, n, o]`` the origin mix of node n."""
    n_years, n_nodes = q.made.shape
    n_st, n_reg = len(lay.stages), len(lay.regions)
    embodied = np.zeros((n_years, n_nodes, n_st, n_reg))
    pool = np.zeros((n_years, n_nodes, n_reg))
    for s in range(n_st):
        procs = lay.stage_procs[s]
        produced = None
        if s > 0 and len(procs) and len(lay.stage_inputs[s]):
            # upstream content (stages before s: the inputs hold nothing of s or later)
            # per t of output of this stage's processes, then per node
            ins, outs = lay.stage_inputs[s], lay.stage_outputs[s]
            act = q.activity[:, procs]
            upstream = embodied[:, ins, :s, :] * q.scale[:, ins, None, None]
            taken = _each_year(lay.takes_by_stage[s], upstream.reshape(n_years, len(ins), -1))
            out = q.proc_out[:, procs]
            per_proc = taken * (act / np.where(out > 0, out, 1.0))[:, :, None]
            made = _each_year(lay.made_by_stage[s], per_proc * act[:, :, None])
            made_t = q.made[:, outs]
            produced = np.zeros((n_years, n_nodes, s, n_reg))
            produced[:, outs] = (
                made.reshape(n_years, len(outs), s, n_reg)
                / np.where(made_t > 0, made_t, 1.0)[:, :, None, None]
            )
        _pool_origins(lay, s, q, produced, embodied, pool)
    return embodied, pool


def _pool_origins(
    lay: TraceLayout, s: int, q: Quantities, produced: np.ndarray | None, embodied: np.ndarray,
    pool: np.ndarray,
) -> None:  # fmt: skip
    """Fill ``pool`` and ``embodied`` for the nodes of stage ``s``, every year.

    A node's pool mixes its own output and its imports; the imports carry their exporters'
    pools, so each product's pools solve one linear system per year: ``share[y, n, m]`` is
    the part of node n's pool made at node m (one node per region).
    """
    n_years = len(q.made)
    for idx, arcs in lay.stage_products[s]:
        k = len(idx)
        diag = np.arange(k)
        share = pool_shares(lay, q, idx, arcs)
        local = np.zeros((k, len(lay.regions)))
        local[diag, lay.node_region[idx]] = 1.0
        origin = share @ local
        pool[:, idx] = origin
        if len(lay.makers[s]) == 1:
            embodied[:, idx, s, :] = origin
        else:  # the output of each maker stage (the stage and its recyclers) apart
            made = np.where(q.made[:, idx] > 0, q.made[:, idx], 1.0)
            for maker in lay.makers[s]:
                part = q.made_by[maker][:, idx] / made
                embodied[:, idx, maker, :] = share @ (part[:, :, None] * local[None])
        # upstream stages: the mix of the producing nodes' own upstream content
        if produced is not None:
            embodied[:, idx, :s, :] = (share @ produced[:, idx].reshape(n_years, k, -1)).reshape(
                n_years, k, s, -1
            )


def pool_shares(lay: TraceLayout, q: Quantities, idx: np.ndarray, arcs: np.ndarray) -> np.ndarray:
    """``share[y, n, m]``: the part of the pool of node ``idx[n]`` (one product's nodes)
    made at node ``idx[m]`` in year y, over the product's trade ``arcs``: imports carry
    their exporters' pools, so the shares solve one linear system per year."""
    n_years, k = len(q.made), len(idx)
    at = np.full(q.made.shape[1], -1)
    at[idx] = np.arange(k)
    system = np.zeros((n_years, k, k))
    rows, cols = at[lay.arc_to[arcs]], at[lay.arc_from[arcs]]
    each = np.arange(n_years)[:, None]
    np.add.at(system, (each, rows[None, :], cols[None, :]), -q.trade[:, arcs])
    supply = q.made[:, idx] + q.imports[:, idx]
    empty = supply <= 1e-12
    diag = np.arange(k)
    system[:, diag, diag] += np.where(empty, 1.0, supply)
    rhs = np.zeros((n_years, k, k))
    rhs[:, diag, diag] = np.where(empty, 1.0, q.made[:, idx])
    return np.linalg.solve(system, rhs)


def _dependence(
    lay: TraceLayout, q: Quantities, embodied: np.ndarray, gather: sp.csr_matrix, years: list[int]
) -> np.ndarray:
    """(year, consumer, stage, origin, share) of each region's consumption, above MIN_SHARE."""
    n_years = len(q.made)
    n_st, n_reg = len(lay.stages), len(lay.regions)
    per_key = _each_year(lay.basket.T.tocsr(), _flat(embodied)) * q.use[:, :, None]
    per_region = _each_year(gather, per_key).reshape(n_years, -1, n_st, n_reg)
    totals = per_region.sum(3, keepdims=True)
    share = 100.0 * np.divide(
        per_region, totals, out=np.zeros_like(per_region), where=totals > 1e-9
    )
    y, c, st, o = np.nonzero(share >= MIN_SHARE)
    return np.column_stack([np.asarray(years)[y], c, st, o, share[y, c, st, o]])


def _flows(
    lay: TraceLayout, q: Quantities, pool: np.ndarray, embodied: np.ndarray, years: list[int]
) -> np.ndarray:
    """(year, from stage, to stage or consumption, origin, destination, t) above MIN_FLOW."""
    n_st = len(lay.stages)
    out = []
    for amount, target in ((q.taken, lay.taker_stage), (q.consumed, None)):
        for source, flows in _maker_flows(lay, pool, embodied, amount):
            y, n, o = np.nonzero(flows >= MIN_FLOW)
            to = np.full(len(n), n_st) if target is None else target[n]
            stage = lay.node_stage[n] if source is None else np.full(len(n), source)
            out.append(
                np.column_stack(
                    [np.asarray(years)[y], stage, to, o, lay.node_region[n], flows[y, n, o]]
                )
            )
    return np.vstack(out)


def _maker_flows(
    lay: TraceLayout, pool: np.ndarray, embodied: np.ndarray, amount: np.ndarray
) -> list[tuple[int | None, np.ndarray]]:
    """(stage the flow leaves, t by year, node and origin): from each node's own stage
    (``None``), except that a recycled product's flows leave its maker stages apart."""
    recycled = [makers for makers in lay.makers if len(makers) > 1]
    if not recycled:
        return [(None, pool * amount[:, :, None])]
    own = np.ones(len(lay.node_stage), dtype=bool)
    parts: list[tuple[int | None, np.ndarray]] = []
    for makers in recycled:
        nodes = lay.node_stage == makers[0]
        own &= ~nodes
        for maker in makers:
            parts.append((maker, embodied[:, :, maker, :] * (amount * nodes)[:, :, None]))
    parts.append((None, pool * (amount * own)[:, :, None]))
    return parts


def _rank(labels: np.ndarray) -> np.ndarray:
    """The place of each of the distinct ``labels`` in their sorted order."""
    return np.argsort(np.argsort(np.asarray(labels, dtype=object)))


def _dependence_frame(
    lay: TraceLayout, d: np.ndarray, consumers: np.ndarray, commodity: str
) -> pd.DataFrame:
    """The dependence table, in its order (region, stage, origin, year)."""
    year, consumer, stage, origin = (d[:, k].astype(np.int64) for k in range(4))
    order = np.lexsort([year, origin, _rank(np.asarray(lay.stages))[stage], consumer])
    return pd.DataFrame(
        {
            "commodity": commodity,
            "region": consumers[consumer[order]],
            "stage": np.asarray(lay.stages, dtype=object)[stage[order]],
            "origin": lay.regions[origin[order]],
            "year": year[order],
            "value": d[order, 4],
        }
    )


def _flow_frame(lay: TraceLayout, flow: np.ndarray, commodity: str) -> pd.DataFrame:
    """The flows table, in its order (origin, stage, to_stage, region, year)."""
    # the flows of one (year, from, to, origin, destination) summed over products
    keys, at = distinct_rows(flow[:, :5].astype(np.int64))
    value = np.bincount(at, weights=flow[:, 5], minlength=len(keys))
    names = np.array([*lay.stages, CONSUMPTION], dtype=object)
    rank = _rank(names)
    year, src, dst, origin, dest = keys.T
    order = np.lexsort([year, dest, rank[dst], rank[src], origin])
    year, src, dst, origin, dest, value = (a[order] for a in (year, src, dst, origin, dest, value))
    units = np.array([lay.stage_unit[s] for s in lay.stages], dtype=object)
    return pd.DataFrame(
        {
            "commodity": commodity,
            "origin": lay.regions[origin],
            "stage": names[src],
            "to_stage": names[dst],
            "region": lay.regions[dest],
            "year": year,
            "value": value,
            "unit": units[src],
        }
    )


def origin_tables(run: Run, years: list[int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(flows, dependence) tables of ``years`` (see :mod:`mineralflow.tables`), in order."""
    lay = TraceLayout(run.network, run.problem)
    consumers, consumer_index = np.unique(lay.consumer, return_inverse=True)
    gather = sp.csr_matrix(
        (np.ones(len(consumer_index)), (consumer_index, np.arange(len(consumer_index)))),
        shape=(len(consumers), len(consumer_index)),
    )
    q = quantities(lay, np.vstack([run.raw[y].x for y in years]))
    embodied, pool = _embodied(lay, q)
    commodity = run.pack.name
    dependence = _dependence_frame(
        lay, _dependence(lay, q, embodied, gather, years), consumers, commodity
    )
    return _flow_frame(lay, _flows(lay, q, pool, embodied, years), commodity), dependence
