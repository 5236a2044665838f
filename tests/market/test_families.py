"""Each part of the LP on a toy network (tests/fixtures/toy: 3 regions, 3 stages).

The toy pack's numbers are invented and round: ore is mined in AUS and CHN, refined in CHN
and the USA, made into metal there, and consumed in CHN and the USA.  Every constraint
family is built alone and compared with the entries expected from the network; the block LP
is compared with the exact QP; the session sends HiGHS only what changed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

import mineralflow as mf
from mineralflow.market.calibration import Calibration, calibrate
from mineralflow.market.curves import DEFAULT_RESOLUTION
from mineralflow.market.exact import solve_exact
from mineralflow.market.families import define_balance, define_export_quota, define_group
from mineralflow.market.problem import MarketProblem
from mineralflow.network import build_network

TOY = Path(__file__).parent.parent / "fixtures" / "toy"


@pytest.fixture(scope="module")
def toy() -> Calibration:
    pack = mf.load_pack(TOY)
    return calibrate(pack, build_network(pack), 2024)


def _entries(parts: list) -> dict[tuple[int, int], float]:  # type: ignore[type-arg]
    out: dict[tuple[int, int], float] = {}
    for rows, cols, values in parts:
        for r, c, v in zip(rows.tolist(), cols.tolist(), values.tolist(), strict=True):
            out[(r, c)] = out.get((r, c), 0.0) + v
    return out


def test_the_toy_layout_names_every_block(toy: Calibration) -> None:
    lay = toy.problem.layout
    sizes = {name: (b.entities, b.steps) for name, b in lay.columns.items()}
    # 12 supply, 11 demand and 11 stock blocks, each split DEFAULT_RESOLUTION times (the
    # supply curve's last block, beyond 1.5 x the base utilisation, is not split); the toy
    # publishes no bilateral trade, so it has no calibrated routes
    # (10 route blocks: the last, open one is not split)
    k = DEFAULT_RESOLUTION
    assert sizes == {
        "supply": (6, 11 * k + 1),
        "activity": (6, 1),
        "trade": (7, 1),
        "use": (2, 11 * k),
        "absorb": (3, 11 * k),
        "release": (3, 11 * k),
        "dispose": (7, 1),
        "route": (0, 9 * k + 1),
    }
    assert {n: b.entities for n, b in lay.rows.items()} == {
        "balance": 7,
        "group": 6,
        "export_quota": 0,
        "route": 0,
    }
    trade = lay.col("trade")
    at = trade.positions(exporter="AUS", product="ore")
    assert [lay.describe(int(c))[1] for c in at] == [("AUS", "CHN", "ore"), ("AUS", "USA", "ore")]
    x = np.arange(lay.n_cols, dtype=float)
    sup = lay.col("supply")
    steps = 11 * DEFAULT_RESOLUTION + 1
    assert sup.unstack(x).shape == (6, steps)
    assert sup.totals(x)[0] == pytest.approx(sum(range(sup.start, sup.start + steps)))
    assert np.array_equal(sup.spread(sup.unstack(x)), x[sup.span])


def test_a_block_finds_entities_by_their_labels(toy: Calibration) -> None:
    trade = toy.problem.layout.col("trade")
    dims = trade.dims
    found = trade.ordinals(dims["exporter"], dims["importer"], dims["product"])
    assert found.tolist() == list(range(trade.entities))
    asked = trade.ordinals(["AUS", "AUS", "XXX"], ["USA", "AUS", "USA"], ["ore", "ore", "ore"])
    at_usa = int(np.flatnonzero(trade.select(exporter="AUS", importer="USA", product="ore"))[0])
    assert asked.tolist() == [at_usa, -1, -1]  # no AUS->AUS arc, no region XXX
    assert trade.ordinals([], [], []).tolist() == []


def test_balance_family_has_the_entries_of_the_network(toy: Calibration) -> None:
    problem = toy.problem
    lay = problem.layout
    entries = _entries(define_balance(lay, problem.coef, problem.baskets))
    row = lay.row("balance").start + problem.node_of(["USA"], ["refined"])[0]
    act, trade, dispose = lay.col("activity"), lay.col("trade"), lay.col("dispose")
    expected = {
        int(act.positions(region="USA", stage="refined")[0]): 1.0,  # made
        int(act.positions(region="USA", stage="metal")[0]): -1.0,  # taken by metal making
        int(trade.positions(exporter="CHN", importer="USA", product="refined")[0]): 1.0,
        int(trade.positions(exporter="USA", importer="CHN", product="refined")[0]): -1.0,
        int(dispose.positions(region="USA", product="refined")[0]): -1.0,
    }
    stocks = {
        int(c): sign
        for name, sign in (("absorb", -1.0), ("release", 1.0))
        for c in lay.col(name).positions(region="USA", product="refined")
    }
    found = {c: v for (r, c), v in entries.items() if r == row}
    assert found == expected | stocks
    # consumption: each demand step takes one t of metal from its region's node
    metal = lay.row("balance").start + problem.node_of(["USA"], ["metal"])[0]
    use = lay.col("use").positions(region="USA", sector="all_uses")
    assert all(entries[(metal, int(c))] == -1.0 for c in use)


def test_group_family_links_processes_to_their_cost_curve(toy: Calibration) -> None:
    lay = toy.problem.layout
    entries = _entries(define_group(lay))
    row = lay.row("group")
    at = row.start + int(np.flatnonzero(row.select(region="CHN", stage="metal"))[0])
    found = {c: v for (r, c), v in entries.items() if r == at}
    steps = lay.col("supply").positions(region="CHN", stage="metal")
    activity = lay.col("activity").positions(region="CHN", stage="metal")
    assert found == {int(activity[0]): 1.0} | {int(c): -1.0 for c in steps}


def test_export_quota_family_counts_covered_exports(tmp_path: Path) -> None:
    folder = tmp_path / "toy"
    shutil.copytree(TOY, folder)
    (folder / "quotas.csv").write_text(
        "region,kind,stage,year,value,unit,source_id,confidence,note\n"
        "CHN,export,refined,2024,15,t refined,TOY,E,\n",
        encoding="utf-8",
    )
    pack = mf.load_pack(folder)
    cal = calibrate(pack, build_network(pack), 2024)
    lay = cal.problem.layout
    # a row for every region that exports quota-bound products; the pack's quota binds CHN's
    rows = lay.row("export_quota")
    assert list(rows.index) == ["CHN", "USA"]
    entries = _entries(define_export_quota(lay, cal.problem.quota_weight))
    trade = lay.col("trade")
    for k, region in enumerate(rows.index):
        counted = {c for (r, c) in entries if r == rows.start + k}
        covered = trade.positions(exporter=region, product=["refined", "metal"])
        assert counted == {int(c) for c in covered}
    assert set(entries.values()) == {1.0}
    # ore, before the quota stage, is not counted
    assert not set(trade.positions(product="ore").tolist()) & {c for (_, c) in entries}
    assert cal.problem.solve(cal.data, 2024).trade.xs("CHN", level=0).sum() > 0


def test_the_toy_base_year_is_reproduced(toy: Calibration) -> None:
    solution = toy.problem.solve(toy.data, 2024)
    assert solution.production.to_dict() == pytest.approx(
        {
            "AUS|ore": 100.0,
            "CHN|ore": 60.0,
            "CHN|refined": 130.0,
            "USA|refined": 30.0,
            "CHN|metal": 110.0,
            "USA|metal": 50.0,
        },
        rel=1e-6,
    )
    assert solution.consumption.sum() == pytest.approx(160.0, rel=1e-6)
    assert np.abs(solution.balance_residual.to_numpy()).max() < 1e-6
    # the importer pays the exporter's price plus transport (0.1 USD/kg for metal)
    prices = solution.prices
    assert prices[("USA", "metal")] - prices[("CHN", "metal")] == pytest.approx(0.1, abs=1e-3)


@pytest.mark.parametrize("shift", [0.7, 1.0, 1.4])
def test_the_toy_lp_matches_the_exact_qp(toy: Calibration, shift: float) -> None:
    data = toy.data
    data = type(data)(
        **{
            **data.__dict__,
            "demand": data.demand.assign(reference=data.demand["reference"] * shift),
        }
    )
    problem = MarketProblem(data)
    lp = problem.solve(data, 2024)
    qp = solve_exact(problem, data)
    assert lp.objective == pytest.approx(qp.welfare, rel=0.01)
    capacity = data.groups["capacity"].reindex(problem.groups).to_numpy()
    assert np.abs(lp.production.to_numpy() - qp.production).max() < 0.1 * capacity.max()


def test_a_session_sends_only_what_changed(toy: Calibration) -> None:
    problem = toy.problem
    session = problem.open(toy.data)
    supply = problem.layout.col("supply")
    upper = session.now.upper[supply.span].copy()
    session.set("supply", upper=upper)
    assert session.pushed == 0
    upper[:3] *= 0.5
    session.set("supply", upper=upper)
    assert session.pushed == 3
    lp = session.highs.getLp()
    assert np.allclose(np.asarray(lp.col_upper_)[supply.span], upper)
