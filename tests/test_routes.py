"""Trade routes calibrated to published bilateral flows: targets, premiums, curves."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mineralflow as mf
from mineralflow.data.pack import BUNDLED_DIR
from mineralflow.dynamics import Run
from mineralflow.errors import MineralflowError
from mineralflow.market.calibration import calibrate
from mineralflow.market.curves import DEFAULT_EDGES, route_blocks
from mineralflow.market.exact import solve_exact
from mineralflow.market.problem import MarketProblem
from mineralflow.market.routes import published_routes
from mineralflow.network import build_network
from mineralflow.scenario import Scenario
from mineralflow.scenario.execute import execute
from runs import result


def _route_flows(run: Run, year: int) -> pd.Series:
    """t shipped by route (exporter, importer, stage) in ``year``."""
    frame = run.solution(year).trade.rename("value").reset_index()
    frame["stage"] = frame["product"].map(run.network.products["stage"])
    return frame.groupby(["exporter", "importer", "stage"])["value"].sum()


@pytest.mark.parametrize("pack", ["aluminium", "rare_earths"])
def test_the_base_year_ships_every_route_target(pack: str) -> None:
    run = result("baseline").runs[pack]
    routes = run.calibration.data.routes
    assert routes is not None
    assert len(routes) >= 3
    flows = _route_flows(run, 2024).reindex(routes.index).fillna(0.0)
    # the route curve has an edge at its target: the base year lands on it (to the resolution)
    np.testing.assert_allclose(flows, routes["target"], rtol=0.01)
    assert (routes["premium"] >= routes["floor"] - 1e-9).all()


def test_aluminium_routes_carry_the_published_structure_of_us_imports() -> None:
    routes = result("baseline").runs["aluminium"].calibration.data.routes
    target = routes["target"].xs("USA", level="importer").xs("primary", level="stage")
    assert set(target.index) == {"ARE", "BHR", "CAN", "CHN"}
    # Canada: its share of 2024's unwrought imports (75.7 %); the UAE: its 2024 tonnage over
    # the 4.84 Mt imported in all; Bahrain: its 2021-2024 share (4 %)
    assert target["ARE"] / target["CAN"] == pytest.approx((0.347 / 4.84) / 0.757)
    assert target["BHR"] / target["CAN"] == pytest.approx(0.04 / 0.757)
    # duties the base year charged are part of the floor: tariffed routes still ran in 2024
    assert routes.loc[("CHN", "USA", "primary"), "floor"] < -0.1


def test_a_route_flow_responds_to_a_tariff_on_it() -> None:
    text = """
name: tariff-uae
description: a 200 % US duty on aluminium from the UAE from 2026, in place of the duty in force
pack: aluminium
years: [2024, 2026]
levers:
  - {type: tariff, region: USA, from: [ARE], stages: [primary], rate: 2.0, from_year: 2026}
"""
    run = execute(Scenario.from_text(text)).runs["aluminium"]
    base = result("baseline").runs["aluminium"]
    route = ("ARE", "USA", "primary")
    assert _route_flows(run, 2025)[route] == pytest.approx(_route_flows(base, 2025)[route])
    assert _route_flows(run, 2026).get(route, 0.0) < 0.8 * _route_flows(base, 2026)[route]


def test_route_blocks_pass_through_the_target_at_the_premium() -> None:
    widths, value = route_blocks(
        np.array([100.0]), np.array([0.2]), np.array([3.0]), np.array([5.0]),
        np.array([-0.1]), DEFAULT_EDGES,
    )  # fmt: skip
    edges = np.cumsum(widths[0])
    at = int(np.flatnonzero(np.isclose(edges, 100.0))[0])
    assert value[0, at] < 0.2 < value[0, at + 1]  # the target is a block edge
    assert np.all(np.diff(value[0]) >= 0)  # the premium rises with the flow
    assert value[0].min() == pytest.approx(-0.1)  # floored: no shipment pays for itself
    assert np.isinf(widths[0, -1])  # the last block is open


def test_targets_need_a_finite_route_elasticity_and_skip_the_rest_of_world() -> None:
    pack = mf.load_pack("aluminium")
    none = published_routes(pack, pd.Series({"primary": np.inf}), 2024)
    assert none.empty
    table = published_routes(pack, pd.Series({"primary": 8.0}), 2024)
    exporters = set(table.index.get_level_values("exporter"))
    assert "ROW" not in exporters
    assert "WLD" not in exporters
    # a share of the year itself comes first, then a tonnage, then a longer period's share
    assert table.loc[("CAN", "USA", "primary"), "share"] == pytest.approx(0.757)
    assert table.loc[("ARE", "USA", "primary"), "tonnage"] == pytest.approx(347e3)
    assert table.loc[("ARE", "USA", "primary"), "share"] == pytest.approx(0.347 / 4.84)
    assert table.loc[("BHR", "USA", "primary"), "share"] == pytest.approx(0.04)


def _copy(tmp_path: Path, name: str) -> Path:
    pack = tmp_path / name
    shutil.copytree(BUNDLED_DIR / name, pack)
    return pack


def test_a_route_elasticity_must_be_positive(tmp_path: Path) -> None:
    pack = _copy(tmp_path, "aluminium")
    table = pack / "parameters.csv"
    text = table.read_text()
    line = next(row for row in text.splitlines() if row.startswith("route_elasticity,"))
    table.write_text(text.replace(line, line.replace(line.split(",")[2], "0", 1)))
    with pytest.raises(MineralflowError, match=r"parameters\.csv.*'route_elasticity' is 0"):
        mf.load_pack(str(pack))


def test_a_flow_the_base_year_cannot_carry_is_named(tmp_path: Path) -> None:
    pack = _copy(tmp_path, "aluminium")
    table = pack / "trade.csv"
    # more from Bahrain than Bahrain makes: 99 % of the US's imports
    row = "BHR,USA,primary,2024,4.8e+06,t Al,REUTERS-2025-AL-IMPORTS,S,x\n"
    table.write_text(table.read_text() + row)
    text = f"name: x\ndescription: x\npack: {pack}\nyears: [2024, 2025]\n"
    with pytest.raises(MineralflowError, match=r"BHR -> USA primary: .* t"):
        execute(Scenario.from_text(text))


def test_the_exact_qp_ships_the_same_routes_as_the_block_lp() -> None:
    """The route curves are linear: the QP without blocks lands on the same flows."""
    pack = mf.load_pack("aluminium")
    data = calibrate(pack, build_network(pack), 2024).data
    # elastic enough everywhere for the QP's curves to stay above their floors
    data = replace(
        data,
        groups=data.groups.assign(eps=np.maximum(data.groups["eps"], 1.0)),
        demand=data.demand.assign(eta=-1.5),
    )
    problem = MarketProblem(data)
    lp = problem.solve(data, 2024).trade
    qp = pd.Series(solve_exact(problem, data).trade, index=problem.arcs)
    for exporter in ("CAN", "ARE", "BHR", "CHN"):
        arc = (exporter, "USA", "aluminium")
        assert qp[arc] == pytest.approx(lp[arc], rel=0.01)
