"""Breakpoints that follow the solution: window grids, and what they do to the results."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import mineralflow as mf
from mineralflow.convergence import TOLERANCE, deviations, study
from mineralflow.market.calibration import calibrate
from mineralflow.market.windows import next_half, window_grid
from mineralflow.network import build_network

FRACTIONS = st.floats(0.0, 3.0, allow_nan=False)


@given(
    centre=FRACTIONS,
    top=st.floats(0.05, 3.0),
    half=st.floats(1e-4, 1.0),
    steps=st.integers(8, 40),
    side=st.integers(1, 3),
    kink=st.one_of(st.just(np.nan), FRACTIONS),
)
def test_a_window_grid_spans_the_curve_in_positive_blocks_around_the_centre(
    centre: float, top: float, half: float, steps: int, side: int, kink: float
) -> None:
    grid = window_grid(
        np.array([centre]), np.array([top]), np.array([half]), steps, side, np.array([kink])
    )[0]
    assert len(grid) == steps + 1  # a curve keeps its number of blocks
    assert grid[0] == 0.0
    assert grid[-1] == top
    assert (np.diff(grid) > 0).all()
    at = min(centre, top)
    lo, hi = max(at - half, 0.0), min(at + half, top)
    inside = grid[(grid >= lo - 1e-12) & (grid <= hi + 1e-12)]
    assert len(inside) >= steps - 2 * side  # most blocks lie across the window
    assert np.diff(inside).max() <= 2 * half / (steps - 2 * side - 1) + 1e-9
    if lo > 0 and hi < top:  # the centre is the middle of a block
        mids = 0.5 * (grid[1:] + grid[:-1])
        assert np.isclose(mids, at, rtol=0, atol=1e-9).any()
        assert not np.isclose(grid, at, rtol=0, atol=1e-12).any()
    if np.isfinite(kink) and 0 < kink < top and not lo <= kink <= hi and side > 1:
        assert np.isclose(grid, kink, rtol=0, atol=1e-12).any()  # nothing straddles a kink


def test_a_window_narrows_only_where_the_solution_stayed_in_its_inner_half() -> None:
    half = np.array([0.2, 0.2, 0.2])
    assert next_half(half, np.array([0.0, 0.1, 0.15])).tolist() == [0.05, 0.05, 0.2]


def test_doubling_the_curve_resolution_moves_headline_results_less_than_2_percent() -> None:
    # both packs, 2024-2040: output and shares of every producer with 1 % of its stage,
    # prices of the published products, world shortage and demand reduction
    summary = deviations(study("baseline", (2, 4)))
    worst = summary.set_index("group")["largest deviation"]
    assert (worst < TOLERANCE).all(), worst.to_dict()
    assert (summary["over tolerance"] == 0).all()


def test_a_solve_for_quantities_only_leaves_the_session_as_it_found_it() -> None:
    pack = mf.load_pack("rare_earths")
    cal = calibrate(pack, build_network(pack), 2024)
    problem = cal.problem
    session = problem.open(cal.data)
    rows = session.now.row_lower.copy(), session.now.row_upper.copy()
    x, seconds, iterations = problem.quantities(session, 2024)
    assert seconds > 0
    assert iterations > 0
    # the row bounds HiGHS holds are the session's own again, without the node supplies
    lp = session.highs.getLp()
    assert np.array_equal(np.asarray(lp.row_lower_), rows[0])
    assert np.array_equal(np.asarray(lp.row_upper_), rows[1])
    settled = problem.run(session, 2024)
    fresh = problem.run(problem.open(cal.data), 2024)
    assert np.array_equal(settled.x, fresh.x)
    # the quantities differ from the settled ones by the tie-breaking supplies only (t)
    assert np.abs(x - settled.x).max() < 1.0
