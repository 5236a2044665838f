"""Export licensing by destination group, and where what licences withhold goes."""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import pytest

from mineralflow.scenario import Scenario
from mineralflow.scenario.execute import RunResult, execute
from runs import rare_earth_scenario

#: the licensed products of China's April 2025 announcement that the pack trades
LICENSED = ["Sm", "Gd", "Tb", "Dy", "Y", "Tb metal", "Dy metal"]
#: a fifth of base-year exports for most buyers, nothing for Japan's
STRICT = {"approved": {"neutral": 0.2, "restricted": 0.0}, "restricted": ["JPN"]}
EASED = {"approved": {"neutral": 0.9}}


def _scenario(*licences: dict[str, Any], ban_from: int | None = None) -> Scenario:
    levers: list[dict[str, Any]] = [
        {"type": "export_licensing", "region": "CHN", "products": LICENSED, "from_year": 2025,
         **licence}
        for licence in licences
    ]  # fmt: skip
    if ban_from is not None:
        levers.append(
            {"type": "export_ban", "region": "CHN", "elements": ["Tb"], "from_year": ban_from}
        )
    return rare_earth_scenario(
        "licences", "China licenses exports of the heavy rare earths from 2025", levers
    )


@cache
def _strict(unapproved: str = "stockpiled") -> RunResult:
    return execute(_scenario({**STRICT, "unapproved": unapproved}))


def _price(res: RunResult, product: str, region: str, year: int) -> float:
    run = res.runs["rare_earths"]
    balance = run.problem.layout.row("balance").span
    return float(run.raw[year].row_dual[balance][run.problem.nodes.get_loc((region, product))])


def _exports(res: RunResult, year: int, product: str, to: set[str] | None = None) -> float:
    trade = res.runs["rare_earths"].solution(year).trade
    rows = [
        (e, i, p)
        for e, i, p in trade.index
        if e == "CHN" and p == product and (to is None or i in to)
    ]
    return float(trade.reindex(rows).sum())


def test_each_destination_group_gets_at_most_its_approved_share_of_base_exports() -> None:
    res = _strict()
    for product in ("Dy", "Tb"):
        base = _exports(res, 2024, product)
        assert base > 10  # China exported these in the base year
        assert _exports(res, 2025, product, {"JPN"}) == pytest.approx(0.0, abs=1e-6)
        assert _exports(res, 2025, product) <= 0.2 * base + 1e-6


def test_the_reserve_takes_up_what_licences_withhold_so_the_home_price_holds() -> None:
    held, left = _strict(), _strict("market")
    run = held.runs["rare_earths"]
    node = run.problem.nodes.get_loc(("CHN", "Tb"))
    bought = run.reserve[2025][node]
    japan = _exports(held, 2024, "Tb", {"JPN"})
    withheld = 0.8 * (_exports(held, 2024, "Tb") - japan) + japan
    assert 0.0 < bought <= withheld + 1e-6
    # at the year before's price, or above it when the reserve bought less than it may
    assert _price(held, "Tb", "CHN", 2025) >= _price(held, "Tb", "CHN", 2024) * (1 - 1e-9)
    # left on the home market, the same volume lowers China's price
    assert _price(left, "Tb", "CHN", 2025) < _price(held, "Tb", "CHN", 2025)
    assert left.runs["rare_earths"].reserve[2025][node] == 0.0
    # outside China the licences raise the price either way
    assert _price(held, "Tb", "JPN", 2025) > 1.3 * _price(held, "Tb", "CHN", 2025)


def test_a_later_licence_replaces_an_earlier_one_where_they_overlap() -> None:
    both = execute(_scenario(STRICT, EASED))
    alone = execute(_scenario(EASED))
    prices = [r.tables.prices["value"].to_numpy() for r in (both, alone)]
    assert np.array_equal(*prices)


def test_a_ban_on_licensed_trade_holds() -> None:
    res = execute(_scenario(STRICT, ban_from=2026))
    assert _exports(res, 2026, "Tb") == pytest.approx(0.0, abs=1e-6)
    assert _exports(res, 2025, "Tb") > 0.0


def test_exporters_hold_what_licences_withhold_in_their_own_stocks_and_sell_it_later() -> None:
    magnets = {
        "type": "export_licensing", "region": "CHN", "stages": ["magnet"],
        "approved": {"neutral": 0.3}, "from_year": 2025, "until": 2025,
    }  # fmt: skip

    def run(unapproved: str) -> RunResult:
        scenario = Scenario.model_validate(
            {
                "name": "magnets",
                "description": "China licenses magnet exports in 2025 only",
                "pack": "rare_earths",
                "years": [2024, 2027],
                "levers": [{**magnets, "unapproved": unapproved}],
            }
        )
        return execute(scenario)

    held, state = run("held"), run("stockpiled")
    keys = held.runs["rare_earths"].problem.stock_keys
    at = [i for i, (region, product) in enumerate(keys) if region == "CHN" and "magnet" in product]
    level = {y: held.runs["rare_earths"].stock[y][at].sum() for y in (2024, 2025, 2026, 2027)}
    kept = held.runs["rare_earths"].kept[2025][at].sum()
    assert kept > 10_000  # the makers bought what licences withheld into their own stock
    assert level[2025] > level[2024] + 0.9 * kept
    assert level[2027] < level[2026] < level[2025]  # and sell it along their stock curves
    assert not held.runs["rare_earths"].reserve[2025].any()  # the state holds nothing
    # the state reserve holds the same purchase for good; the makers' stock is reported as
    # stock, with its purchase as absorption
    frame = held.frame
    assert not frame["variable"].str.startswith("Government Stock|Rare Earths|Magnet").any()
    assert state.runs["rare_earths"].reserve[2027].sum() == pytest.approx(
        state.runs["rare_earths"].reserve[2025].sum()
    )
    absorbed = frame[
        (frame["variable"] == "Stock Absorption|Rare Earths|Magnet")
        & (frame["region"] == "CHN")
        & (frame["year"] == 2025)
    ]["value"].sum()
    assert absorbed > kept
