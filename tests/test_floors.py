"""Price floors paid as deficiency payments (mineralflow.floors, the price_floor lever)."""

from __future__ import annotations

import re
from functools import cache

import numpy as np
import pytest

from mineralflow.scenario import Scenario
from mineralflow.scenario.execute import execute
from mineralflow.scenario.loading import ScenarioError


def _floor(price: float | None, product: str = "Nd") -> Scenario:
    """US separators guaranteed ``price`` from 2025 (None: the same run with no lever)."""
    floor = {"type": "price_floor", "region": "USA", "product": product, "price": price,
             "from_year": 2025}  # fmt: skip
    return Scenario.model_validate(
        {
            "name": "floor",
            "description": "a guaranteed price for US producers",
            "pack": "rare_earths",
            "years": [2024, 2028],
            "levers": [] if price is None else [floor],
        }
    )


@cache
def _no_floor():
    return execute(_floor(None))


def _us_separation(res, year: int) -> float:
    out = res.tables.stage_output()
    at = (out["region"] == "USA") & (out["stage"] == "separation") & (out["year"] == year)
    return float(out.loc[at, "value"].sum())


def test_a_floor_below_the_market_pays_nothing_and_changes_nothing() -> None:
    low = execute(_floor(1.0))
    base = _no_floor()
    assert (low.tables.payments["value"] == 0).all()
    for year in (2025, 2028):
        assert _us_separation(low, year) == _us_separation(base, year)
    prices = low.tables.prices
    theirs = base.tables.prices[base.tables.prices["year"] <= 2028]
    theirs = theirs[theirs["commodity"] == "rare_earths"].reset_index(drop=True)
    assert np.array_equal(prices["value"].to_numpy(), theirs["value"].to_numpy())


def test_a_binding_floor_pays_the_difference_and_draws_out_supply() -> None:
    high = execute(_floor(110.0))
    base = _no_floor()
    run = high.runs["rare_earths"]
    node = run.problem.nodes.get_loc(("USA", "Nd"))
    balance = run.problem.layout.row("balance").span
    pay = high.tables.payments
    for year in (2025, 2027):
        price = run.raw[year].row_dual[balance][node]
        assert price < 110.0
        # the payment is the gap on what the US separators made of Nd
        act = run.problem.layout.col("activity").span
        made = float((run.floors.weights @ run.raw[year].x[act]).sum())
        paid = pay.loc[pay["year"] == year, "value"].item()
        # (solved with the gap of the solve before, which agrees within 0.1 % of the floor)
        assert paid == pytest.approx((110.0 - price) * made * 1000 / 1e6, abs=0.11 * made / 1e3)
        assert _us_separation(high, year) > _us_separation(base, year)
    # the producers paid expand: expected value added includes the payment
    assert _us_separation(high, 2028) > 1.2 * _us_separation(base, 2028)
    assert pay.loc[pay["year"] == 2024, "value"].item() == 0.0


def test_a_floor_on_a_product_no_plant_makes_is_refused() -> None:
    bad = _floor(110.0, product="concentrate|mount_weld")
    with pytest.raises(ScenarioError, match=re.escape("no plant in USA makes concentrate|mount")):
        execute(bad)
