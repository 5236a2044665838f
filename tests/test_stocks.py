"""Stocks as state: levels that change by what is absorbed and released, never below zero."""

from __future__ import annotations

import shutil
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mineralflow.data.pack import BUNDLED_DIR
from mineralflow.dynamics import stock_ratio, storage_shift
from mineralflow.iamc import from_iamc, to_iamc
from mineralflow.scenario import Scenario
from mineralflow.scenario.execute import execute
from runs import result


def test_stock_levels_carry_from_year_to_year_and_never_go_negative() -> None:
    for run in result("baseline").runs.values():
        _levels_hold(run)


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


def _levels_hold(run) -> None:  # type: ignore[no-untyped-def]
    """Every stock with a level: never negative, and the year's change is its absorption less
    its release (what it released never exceeds what it held)."""
    lay = run.problem.layout
    held = run.calibration.data.stocks["level"].reindex(run.problem.stock_keys).to_numpy()
    finite = np.isfinite(held)
    assert finite.any()
    for year in run.years:
        x = run.raw[year].x
        released, absorbed = lay.col("release").totals(x), lay.col("absorb").totals(x)
        assert (released[finite] <= held[finite] + 1e-6).all(), year
        held = np.maximum(held + absorbed - released, 0.0)
        assert (run.stock[year][finite] >= 0.0).all(), year
        assert np.allclose(run.stock[year][finite], held[finite], rtol=1e-9, atol=1e-6)


LEVERS = st.sampled_from(
    [
        {"type": "export_ban", "region": "CHN", "stages": ["magnet"], "from_year": 2026},
        {"type": "export_quota", "region": "CHN", "products": ["Dy", "Tb"], "tonnes": 50.0,
         "from_year": 2025},
        {"type": "stockpile", "region": "USA", "product": "Nd", "action": "build",
         "tonnes": 3000.0, "from_year": 2025},
        {"type": "demand_growth", "sector": "ev_traction", "rate": 0.3, "from_year": 2025},
        {"type": "capacity_project", "region": "AUS", "stage": "mining", "capacity": 40000.0,
         "start_year": 2026},
    ]
)  # fmt: skip


@settings(max_examples=6, deadline=None)
@given(lever=LEVERS, cover=st.sampled_from([0.0, 0.05, 0.25, 2.0]), holding=st.floats(0, 0.5))
def test_stocks_never_go_negative_whatever_the_levers_and_the_cover(
    tmp_path_factory: pytest.TempPathFactory, lever: dict[str, Any], cover: float, holding: float
) -> None:
    folder = tmp_path_factory.mktemp("pack") / "rare_earths"
    shutil.copytree(BUNDLED_DIR / "rare_earths", folder)
    params = folder / "parameters.csv"
    rows = [r for r in params.read_text(encoding="utf-8").splitlines() if r]
    rows = [r for r in rows if not r.startswith(("stock_cover,", "holding_cost,"))]
    for stage in ("mining", "separation", "heavy_separation", "metal", "magnet"):
        rows.append(f"stock_cover,{stage},{cover},yr,MF-PARAMETERS,E,")
        rows.append(f"holding_cost,{stage},{holding:.4f},1/yr,MF-PARAMETERS,E,")
    params.write_text("\n".join(rows) + "\n", encoding="utf-8")
    scenario = Scenario.model_validate(
        {"name": "probe", "description": "stocks under a lever", "pack": str(folder),
         "years": [2024, 2029], "levers": [lever]}
    )  # fmt: skip
    result = execute(scenario)
    _levels_hold(next(iter(result.runs.values())))
