"""Curve resolution: refined edges keep the coarse ones, the calibration point among them."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from mineralflow.market.curves import (
    DEMAND_EDGES,
    STOCK_EDGES,
    SUPPLY_EDGES,
    Edges,
    demand_blocks,
    refine,
    supply_blocks,
)


@given(resolution=st.integers(1, 16))
def test_refined_edges_keep_every_coarse_edge_and_split_each_block(resolution: int) -> None:
    for edges in (SUPPLY_EDGES, DEMAND_EDGES, STOCK_EDGES):
        fine = refine(edges, resolution)
        assert set(edges.tolist()) <= set(fine.tolist())
        assert np.all(np.diff(fine) > 0)
        finite = np.isfinite(edges).sum()
        assert np.isfinite(fine).sum() == (finite - 1) * resolution + 1
        assert 1.0 in fine  # the calibration point


@given(resolution=st.integers(1, 8))
def test_finer_curves_cover_the_same_quantities(resolution: int) -> None:
    edges = Edges(resolution)
    level, u0, eps, cap = (np.array([v]) for v in (2.0, 0.85, 0.3, 100.0))
    widths, cost = supply_blocks(level, u0, eps, cap, edges)
    assert abs(widths.sum() - 100.0) < 1e-9  # up to capacity
    assert np.all(np.diff(cost[0][widths[0] > 0]) >= 0)  # marginal cost rises
    d_widths, value = demand_blocks(
        np.array([50.0]), np.array([3.0]), np.array([-0.5]), edges=edges
    )
    coarse, _ = demand_blocks(np.array([50.0]), np.array([3.0]), np.array([-0.5]))
    # blocks worth nothing are cut, so the totals differ by at most one coarse block
    assert abs(d_widths.sum() - coarse.sum()) <= coarse.max() + 1e-9
    assert np.all(np.diff(value[0]) <= 0)  # willingness to pay falls
