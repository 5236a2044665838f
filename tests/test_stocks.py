"""Stocks as state: levels that change by what is absorbed and released, never below zero."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from mineralflow.dynamics import stock_ratio, storage_shift
from mineralflow.iamc import from_iamc, to_iamc
from runs import result


def test_stock_levels_carry_from_year_to_year_and_never_go_negative() -> None:
    for run in result("baseline").runs.values():
        lay = run.problem.layout
        opening = run.calibration.data.stocks["level"].reindex(run.problem.stock_keys).to_numpy()
        held = opening.copy()
        for year in run.years:
            x = run.raw[year].x
            released = lay.col("release").totals(x)
            absorbed = lay.col("absorb").totals(x)
            finite = np.isfinite(held)
            assert (released[finite] <= held[finite] + 1e-6).all(), year
            held = np.maximum(held + absorbed - released, 0.0)
            assert np.allclose(run.stock[year][finite], held[finite], rtol=1e-9, atol=1e-6)
            assert (run.stock[year][finite] >= 0.0).all()


def test_the_pr_nd_stock_that_closes_2024_runs_down_and_prices_answer() -> None:
    run = result("baseline").runs["rare_earths"]
    at = run.problem.stock_keys.get_loc(("CHN", "Nd"))
    levels = [run.stock[y][at] for y in (2024, 2025, 2026)]
    assert levels[0] > levels[1] > levels[2]
    prices = [run.solution(y).prices[("CHN", "Nd")] for y in (2024, 2025, 2026)]
    assert prices[0] < prices[1] < prices[2]


def test_stocks_are_reported_and_read_back() -> None:
    tables = result("baseline").tables
    frame = to_iamc(tables, "baseline")
    for kind in ("Stock", "Stock Release", "Stock Absorption"):
        rows = frame[frame["variable"] == f"{kind}|Rare Earths|Separation"]
        assert set(rows["region"]) >= {"CHN", "World"}, kind
    back = from_iamc(frame, tables.names).stocks
    pd.testing.assert_frame_equal(
        back.reset_index(drop=True).astype(object),
        tables.stocks.reset_index(drop=True).astype(object),
    )


amounts = st.floats(0.0, 1e7, allow_nan=False)


@given(stock=amounts, stock0=st.floats(1.0, 1e7), holding=st.floats(0.0, 100.0))
def test_the_storage_shift_is_at_most_a_year_of_holding_cost(
    stock: float, stock0: float, holding: float
) -> None:
    shift = storage_shift(np.array([stock]), np.array([stock0]), np.array([holding]))[0]
    assert -holding - 1e-9 <= shift <= holding + 1e-9
    more = storage_shift(np.array([stock * 2 + 1]), np.array([stock0]), np.array([holding]))[0]
    assert more >= shift - 1e-9  # more held, lower valuation
    ratio = stock_ratio(np.array([stock]), np.array([stock0]))[0]
    assert 0.0 <= ratio <= 1.0


def test_stocks_without_a_level_neither_shift_nor_shrink() -> None:
    inf = np.array([np.inf])
    assert storage_shift(np.array([5.0]), inf, np.array([3.0]))[0] == 0.0
    assert stock_ratio(np.array([5.0]), inf)[0] == 1.0
    at_start = storage_shift(np.array([7.0]), np.array([7.0]), np.array([3.0]))[0]
    assert at_start == 0.0
