"""Government stockpiles with a level: purchases in t or USD, sales up to what is held."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError

from mineralflow.scenario import Scenario
from mineralflow.scenario.execute import execute
from mineralflow.scenario.levers import Stockpile


def _run(lever: dict[str, Any]):  # type: ignore[no-untyped-def]
    scenario = Scenario.model_validate(
        {
            "name": "reserve",
            "description": "a government stockpile of Dy",
            "pack": "rare_earths",
            "years": [2024, 2028],
            "levers": [{"type": "stockpile", "region": "USA", "product": "Dy", **lever}],
        }
    )
    res = execute(scenario)
    return res, res.runs["rare_earths"]


def _node(run, region: str, product: str) -> int:  # type: ignore[no-untyped-def]
    return int(run.problem.nodes.get_loc((region, product)))


def test_a_budget_buys_what_it_pays_for_at_the_year_price() -> None:
    res, run = _run({"action": "build", "usd": 1e8, "from_year": 2026, "until": 2027})
    k = _node(run, "USA", "Dy")
    balance = run.problem.layout.row("balance").span
    held = [run.reserve[y][k] for y in (2025, 2026, 2027, 2028)]
    assert held[0] == 0.0
    for year, before, after in ((2026, held[0], held[1]), (2027, held[1], held[2])):
        price = run.raw[year].row_dual[balance][k]
        bought = after - before
        # 100 M USD at the year's price, within the 0.1 % the solves agree to
        assert bought == pytest.approx(1e8 / (1000 * price), rel=2e-3)
    assert held[3] == held[2]  # the budget ends in 2027; the stock is kept
    stocks = res.tables.stocks
    government = stocks[(stocks["measure"] == "government") & (stocks["region"] == "USA")]
    assert government.loc[government["year"] == 2028, "value"].sum() == pytest.approx(held[3])
    assert "Government Stock|Rare Earths|Heavy Separation" in set(res.frame["variable"])


def test_a_stockpile_never_sells_more_than_it_holds() -> None:
    _, run = _run({"action": "release", "tonnes": 200, "held": 300, "from_year": 2025})
    k = _node(run, "USA", "Dy")
    levels = [run.reserve[y][k] for y in (2024, 2025, 2026, 2027)]
    assert levels == pytest.approx([300.0, 100.0, 0.0, 0.0])
    # the market took what was sold: the node's net inflow is the sale, then nothing
    lay = run.problem.layout
    for year, sold in ((2025, 200.0), (2026, 100.0), (2027, 0.0)):
        rows, _ = run.problem._balance_rows(run.raw[year].inputs)
        net = float((rows @ run.raw[year].x)[k])
        assert net == pytest.approx(-sold, abs=1e-6), year
    assert np.isfinite(run.raw[2027].row_dual[lay.row("balance").span][k])


def test_a_stockpile_gives_tonnes_or_usd() -> None:
    common = {"type": "stockpile", "region": "USA", "product": "Dy", "action": "build",
              "from_year": 2026}  # fmt: skip
    with pytest.raises(ValidationError, match="give tonnes or usd"):
        Stockpile.model_validate({**common, "tonnes": 10, "usd": 1e6})
    with pytest.raises(ValidationError, match="give tonnes or usd"):
        Stockpile.model_validate(common)
