"""Ensembles: draws from the packs' uncertainty tables, members, quantiles, workers."""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mineralflow as mf
from browser import chromium_page
from conftest import CliResult
from mineralflow.data.pack import load_pack
from mineralflow.errors import MineralflowError, PackError
from mineralflow.market.calibration import AFTER_CALIBRATION
from mineralflow.scenario import Scenario
from mineralflow.uncertainty import (
    Ensemble,
    UncertainInput,
    draw_factors,
    run_ensemble,
    uncertain_inputs,
)
from mineralflow.uncertainty.members import KEY, MemberRunner, member_pack
from runs import result

#: the baseline's rare-earth levers over two years: small enough for a few members
SMALL = {
    "name": "small",
    "description": "the baseline's rare-earth levers, 2024-2025",
    "base": "baseline",
    "pack": "rare_earths",
    "years": [2024, 2025],
}


def _input(distribution: str, low: float, high: float, mode: float | None = None) -> UncertainInput:
    return UncertainInput("p", "investment_rate", "all", distribution, low, mode, high, "S")


def test_draws_follow_their_distributions_and_their_seed() -> None:
    inputs = [
        _input("uniform", 0.5, 1.5),
        _input("triangular", 0.5, 2.0, 1.0),
        _input("lognormal", 0.5, 2.0),
    ]
    factors = draw_factors(inputs, 20_000, seed=7)
    assert np.array_equal(factors, draw_factors(inputs, 20_000, seed=7))
    assert not np.array_equal(factors, draw_factors(inputs, 20_000, seed=8))
    assert 0.5 <= factors[:, 0].min() < factors[:, 0].max() <= 1.5
    assert 0.5 <= factors[:, 1].min() < factors[:, 1].max() <= 2.0
    # a triangle's mean is the mean of its corners
    assert factors[:, 1].mean() == pytest.approx((0.5 + 2.0 + 1.0) / 3, rel=0.01)
    # a lognormal's low and high are its 5th and 95th percentiles, its median their mean in logs
    lo, mid, hi = np.quantile(factors[:, 2], [0.05, 0.5, 0.95])
    assert (lo, mid, hi) == pytest.approx((0.5, 1.0, 2.0), rel=0.03)


def test_a_member_pack_scales_its_parameters_and_keeps_shares_below_one() -> None:
    pack = load_pack("rare_earths")
    inputs = [
        UncertainInput("rare_earths", "investment_rate", "magnet", "uniform", 1, None, 3, "S"),
        UncertainInput("rare_earths", "expectation_weight", "all", "uniform", 1, None, 3, "S"),
    ]
    own = pack.table("parameters").copy()
    member = member_pack(pack, inputs, np.array([2.0, 3.0]))
    before = pack.table("parameters").set_index(["parameter", "scope"])["value"]
    after = member.table("parameters").set_index(["parameter", "scope"])["value"]
    assert after[("investment_rate", "magnet")] == 2.0 * before[("investment_rate", "magnet")]
    assert after[("investment_rate", "mining")] == before[("investment_rate", "mining")]
    assert (after.xs("expectation_weight") == 1.0).all()  # 0.5 x 3, kept a share
    assert pack.table("parameters").equals(own)  # the pack itself is left as it was


@pytest.fixture(scope="module")
def small() -> Scenario:
    return Scenario.model_validate(SMALL)


@pytest.fixture(scope="module")
def one_worker(small: Scenario) -> Ensemble:
    return run_ensemble(small, 3, seed=11, workers=1)


def test_an_ensemble_is_the_same_on_one_worker_and_on_two(
    small: Scenario, one_worker: Ensemble
) -> None:
    two = run_ensemble(small, 3, seed=11, workers=2)
    assert np.array_equal(one_worker.factors, two.factors)
    assert np.array_equal(one_worker.results, two.results, equal_nan=True)
    assert not two.failed


def test_members_differ_and_quantiles_are_ordered(one_worker: Ensemble) -> None:
    results = one_worker.results
    had = np.isfinite(results).any(axis=0)  # a flow that no member has is NaN in all
    assert had.mean() > 0.9
    spread = np.nanmax(results[:, had], axis=0) - np.nanmin(results[:, had], axis=0)
    assert (spread > 1e-6).any()  # the draws move the results
    q = one_worker.quantiles()
    filled = q.dropna()
    assert len(filled) == int(had.sum())
    for lower, upper in zip(q.columns[:-1], q.columns[1:], strict=True):
        assert (filled[lower] <= filled[upper]).all()
    lo, mid, hi = one_worker.band("CHN", "Share|Rare Earths|Separation", 2025)
    assert 80 < lo <= mid <= hi < 100


def test_the_export_holds_quantile_variables_and_the_draws(
    one_worker: Ensemble, tmp_path: Path
) -> None:
    from mineralflow.uncertainty.report import export_ensemble  # noqa: PLC0415

    written = export_ensemble(one_worker, tmp_path / "out")
    assert sorted(p.name for p in written) == ["draws.csv", "ensemble.csv"]
    frame = pd.read_csv(tmp_path / "out" / "ensemble.csv")
    suffixes = set(frame["variable"].str.rsplit("|", n=1).str[-1])
    assert suffixes == {"p05", "p25", "p50", "p75", "p95"}
    draws = pd.read_csv(tmp_path / "out" / "draws.csv")
    assert len(draws) == 3
    assert draws["solved"].all()
    assert "rare_earths:investment_rate:all" in draws.columns


def test_a_member_that_cannot_be_solved_is_counted_not_fatal(
    small: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = MemberRunner.row_values

    def values(self: MemberRunner, factors: np.ndarray, index: pd.MultiIndex) -> np.ndarray:
        if factors[0] == self_factors[1, 0]:
            raise MineralflowError("the year 2025 is infeasible")
        return real(self, factors, index)

    packs = {"rare_earths": load_pack("rare_earths")}
    self_factors = draw_factors(uncertain_inputs(packs), 3, seed=5)
    monkeypatch.setattr(MemberRunner, "row_values", values)
    ensemble = run_ensemble(small, 3, seed=5, workers=1)
    assert ensemble.failed == {1: "the year 2025 is infeasible"}
    assert ensemble.solved.tolist() == [True, False, True]
    assert np.isnan(ensemble.results[1]).all()
    assert np.isfinite(ensemble.quantiles()["p50"]).any()


def test_a_scenario_without_uncertain_inputs_is_refused(
    re_copy: Path, run_cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    (re_copy / "uncertainty.csv").unlink()
    spec = tmp_path / "plain.yaml"
    spec.write_text(f"name: plain\ndescription: no uncertainty\npack: {re_copy}\n"
                    "years: [2024, 2025]\n")  # fmt: skip
    res = run_cli("ensemble", str(spec), "--draws", "2")
    assert res.code == 2
    assert "uncertainty table" in res.err
    assert "Traceback" not in res.err
    res = run_cli("ensemble", "baseline", "--draws", "0")
    assert res.code == 2
    assert "allowed: 1 to" in res.err


@pytest.mark.parametrize(
    ("row", "column", "expected"),
    [
        ("investment_rate,sepration,uniform,0.5,,2", "scope", "no row 'investment_rate' for scope"),
        ("gap_cost_factor,all,uniform,2,,0.5", "high", "high (0.5) must be above low (2)"),
        (
            "gap_cost_factor,all,triangular,0.5,,2",
            "mode",
            "a triangular distribution needs its mode",
        ),
        ("gap_cost_factor,all,triangular,0.5,3,2", "mode", "mode (3) must lie between"),
        ("gap_cost_factor,all,lognormal,0.5,1,2", "mode", "only a triangular distribution"),
        (
            "gap_cost_factor,all,normal,0.5,,2",
            "distribution",
            "allowed: uniform, triangular, lognormal",
        ),
        ("supply_elasticity_short,wind,uniform,0.5,,2", "scope", "elasticities.csv has no row"),
        ("project_goes_ahead,Atlantis,bernoulli,,,", "scope", "projects.csv has no row"),
        ("project_goes_ahead,all,bernoulli,0.5,,", "low", "uses the project's chance"),
        ("gap_cost_factor,all,bernoulli,,,", "distribution", "only project_goes_ahead"),
        ("gap_cost_factor,all,uniform,,,2", "low", "needs low and high"),
    ],
)
def test_a_bad_uncertainty_row_is_named(
    re_copy: Path, row: str, column: str, expected: str
) -> None:
    path = re_copy / "uncertainty.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join([*lines, f"{row},MF-UNCERTAINTY,E,"]) + "\n")
    with pytest.raises(PackError) as caught:
        load_pack(re_copy)
    text = str(caught.value)
    assert f"uncertainty.csv, line {len(lines) + 1}" in text
    assert column in text
    assert expected in text


def _ishigami(x: np.ndarray) -> np.ndarray:
    """Ishigami and Homma's test function (a = 7, b = 0.1) on [-pi, pi]^3."""
    return np.sin(x[:, 0]) + 7.0 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_sobol_indices_of_the_ishigami_function_match_their_known_values() -> None:
    from mineralflow.uncertainty.design import unit_design  # noqa: PLC0415
    from mineralflow.uncertainty.indices import indices  # noqa: PLC0415
    from mineralflow.uncertainty.inputs import factors_at  # noqa: PLC0415

    inputs = [
        UncertainInput("t", f"x{j}", "all", "uniform", -np.pi, None, np.pi, "S") for j in range(3)
    ]
    unit = unit_design("sobol", 3, 2048 * 5, seed=3)
    assert unit.shape == (2048 * 5, 3)
    y = _ishigami(factors_at(inputs, unit))
    found = indices("sobol", unit, y[:, None], ["x1", "x2", "x3"], seed=3).set_index("input")
    # analytic values (Ishigami and Homma 1990; SALib's test of its own estimator)
    assert found["S1"].to_numpy() == pytest.approx([0.3139, 0.4424, 0.0], abs=0.03)
    assert found["ST"].to_numpy() == pytest.approx([0.5576, 0.4424, 0.2437], abs=0.03)


def test_morris_ranks_the_ishigami_inputs() -> None:
    from mineralflow.uncertainty.design import members_for, unit_design  # noqa: PLC0415
    from mineralflow.uncertainty.indices import indices  # noqa: PLC0415
    from mineralflow.uncertainty.inputs import factors_at  # noqa: PLC0415

    inputs = [
        UncertainInput("t", f"x{j}", "all", "uniform", -np.pi, None, np.pi, "S") for j in range(3)
    ]
    assert members_for("morris", 3, 401) == 400
    unit = unit_design("morris", 3, 400, seed=4)
    y = _ishigami(factors_at(inputs, unit))
    found = indices("morris", unit, y[:, None], ["x1", "x2", "x3"], seed=4).set_index("input")
    # x3 acts only with x1: the smallest mean effect, and a spread as large as its mean
    assert found["mu_star"].idxmin() == "x3"
    assert found.loc["x3", "sigma"] >= 0.5 * found.loc["x3", "mu_star"]


def test_a_design_too_small_for_its_inputs_is_refused() -> None:
    from mineralflow.uncertainty.design import members_for  # noqa: PLC0415

    assert members_for("sobol", 10, 100) == 96  # 8 x (10 + 2)
    with pytest.raises(MineralflowError, match="at least 24 members"):
        members_for("sobol", 10, 20)


def test_a_member_that_changes_only_what_calibration_does_not_read_keeps_it(
    small: Scenario,
) -> None:
    packs = {"rare_earths": load_pack("rare_earths")}
    inputs = [i for i in uncertain_inputs(packs) if i.parameter in AFTER_CALIBRATION]
    assert {i.parameter for i in inputs} >= {"investment_rate", "capital_cost", "lead_time"}
    factors = draw_factors(inputs, 1, seed=2)[0]
    short = MemberRunner(small, packs, inputs)
    index = short.frame(np.ones(len(inputs))).set_index(KEY).index
    kept = short.row_values(factors, index)
    full = MemberRunner(small, packs, inputs)
    full.recalibrate = True
    assert np.array_equal(kept, full.row_values(factors, index), equal_nan=True)
    assert len(short.kept) == 1  # one calibration for both members


def test_a_local_dask_cluster_gives_the_same_ensemble(
    small: Scenario, one_worker: Ensemble
) -> None:
    pytest.importorskip("dask.distributed")
    on_cluster = run_ensemble(small, 3, seed=11, scheduler="local:2")
    assert np.array_equal(one_worker.results, on_cluster.results, equal_nan=True)


def test_a_bad_scheduler_is_named(small: Scenario) -> None:
    with pytest.raises(MineralflowError, match="allowed: local:K"):
        run_ensemble(small, 2, scheduler="local:many")


@pytest.mark.browser
def test_the_report_of_an_ensemble_draws_its_fan_charts_in_headless_chromium(
    one_worker: Ensemble, tmp_path: Path
) -> None:
    assert one_worker.central_run is not None
    page_file = mf.report(one_worker.central_run, tmp_path / "ens.html", ensemble=one_worker)
    text = page_file.read_text(encoding="utf-8")
    lo, mid, hi = one_worker.band("CHN", "Share|Rare Earths|Separation", 2025)
    sentence = f"China's rare-earth separation share in 2025: {mid:.0f} % ({lo:.0f}-{hi:.0f} %)"
    assert html.escape(sentence) in text
    errors: list[str] = []
    with chromium_page() as page:
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(page_file.as_uri())
        count = page.eval_on_selector("#charts", "e => Number(e.dataset.count)")
        page.wait_for_function(f"window.__chartsDrawn === {count}", timeout=60_000)
        fills = page.evaluate(
            "() => [...document.querySelectorAll('.chart')].slice(0, 2)"
            ".map(e => e.data.filter(d => d.fill === 'toself').length)"
        )
    assert errors == []
    # the two fan charts come first: China's shares (two stages) and the key prices (Nd, Dy
    # in China and Japan), each series with a 5-95 % and a 25-75 % band
    assert fills == [4, 8]


def test_a_report_refuses_an_ensemble_of_another_scenario(
    one_worker: Ensemble, tmp_path: Path
) -> None:
    with pytest.raises(MineralflowError, match="the ensemble is of scenario 'small'"):
        mf.report(result("baseline"), tmp_path / "r.html", ensemble=one_worker)


def test_a_member_pack_scales_both_horizons_of_an_elasticity_by_one_factor() -> None:
    pack = load_pack("rare_earths")
    inputs = [UncertainInput("rare_earths", "supply_elasticity", "mining", "uniform", 1, None, 3,
                             "S")]  # fmt: skip
    member = member_pack(pack, inputs, np.array([2.0]))
    key = ["scope", "kind", "horizon"]
    before = pack.table("elasticities").set_index(key)["value"]
    after = member.table("elasticities").set_index(key)["value"]
    for horizon in ("short", "long"):
        assert after[("mining", "supply", horizon)] == 2.0 * before[("mining", "supply", horizon)]
    assert after[("separation", "supply", "short")] == before[("separation", "supply", "short")]
    assert after[("wind", "demand", "long")] == before[("wind", "demand", "long")]


def test_an_ensemble_is_recorded_and_served_from_the_results_store(
    small: Scenario, tmp_path: Path
) -> None:
    from mineralflow.store import ResultsStore, StoreError  # noqa: PLC0415
    from mineralflow.uncertainty.report import headline  # noqa: PLC0415

    store = tmp_path / "store"
    ran = mf.ensemble(small, 2, seed=3, store=store)
    served = mf.ensemble(small, 2, seed=3, store=store)
    assert ran.stored_quantiles is None
    assert served.stored_quantiles is not None
    assert served.quantiles().index.equals(ran.quantiles().index)
    assert np.array_equal(served.quantiles().to_numpy(), ran.quantiles().to_numpy(), equal_nan=True)
    pd.testing.assert_frame_equal(headline(served), headline(ran))
    assert np.array_equal(served.factors, ran.factors)
    from mineralflow.uncertainty.report import headline_rows  # noqa: PLC0415

    kept = headline_rows(ran.index, [2024, 2025])
    assert np.array_equal(served.member_values(kept), ran.member_values(kept), equal_nan=True)
    with pytest.raises(MineralflowError, match="keeps its members' headline values only"):
        served.member_values(np.array([0]))
    assert served.central_run is not None
    report = mf.report(served.central_run, tmp_path / "r.html", ensemble=served)
    assert report.exists()
    with ResultsStore(store) as opened:
        listed = opened.list()
        assert sorted(listed["kind"]) == ["ensemble"]
        with pytest.raises(StoreError, match="is an ensemble of 'small'"):
            opened.tables(listed["run_id"].iloc[0])
    again = mf.ensemble(small, 2, seed=4, store=store)  # another seed: run, not served
    assert again.stored_quantiles is None


def test_announced_projects_are_built_or_not_with_their_status_chance() -> None:
    from mineralflow.dynamics import project_status  # noqa: PLC0415

    pack = load_pack("rare_earths")
    inputs = [i for i in uncertain_inputs({"rare_earths": pack}) if i.distribution == "bernoulli"]
    chances = project_status(pack)
    statuses = dict(zip(pack.table("projects")["project"], pack.table("projects")["status"],
                        strict=True))  # fmt: skip
    # one input per project that may or may not be built; operating ones are certain
    assert len(inputs) == sum(0 < chances[s][0] < 1 for s in statuses.values())
    ten_x = next(i for i in inputs if i.scope == "10X magnet plant")
    assert ten_x.chance == chances[statuses["10X magnet plant"]][0] == 0.75
    draws = ten_x.factors(np.random.default_rng(1).random(20_000))
    assert set(np.unique(draws)) == {0.0, 1.0}
    assert draws.mean() == pytest.approx(0.75, abs=0.01)
    factors = np.array([1.0 if i is ten_x else 0.0 for i in inputs])
    member = member_pack(pack, inputs, factors)
    after = project_status(member)
    status_of = dict(zip(member.table("projects")["project"], member.table("projects")["status"],
                         strict=True))  # fmt: skip
    assert after[status_of["10X magnet plant"]] == (1.0, True)  # committed: decided, built
    assert after[status_of["White Mesa phase 2"]][0] == 0.0  # drawn out
    assert len(member.table("projects")) == len(pack.table("projects"))  # none removed


def test_paired_members_give_the_range_of_a_change(small: Scenario) -> None:
    from mineralflow.uncertainty.paired import paired_changes  # noqa: PLC0415

    russia = Scenario.model_validate({
        **SMALL, "name": "small-russia", "levers": [
            {"type": "capacity_target", "region": "RUS", "stage": "mining", "multiple": 2,
             "year": 2025},
        ],
    })  # fmt: skip
    a = run_ensemble(small, 3, seed=9)
    b = run_ensemble(russia, 3, seed=9)
    table = paired_changes(a, b, [2025]).set_index(["variable", "region"])
    mining = table.loc[("Share|Rare Earths|Mining", "CHN")]
    assert mining["low"] <= mining["change"] <= mining["high"] < 0  # Russia's output lowers it
    assert mining["b"] - mining["a"] == pytest.approx(mining["change"], abs=0.2)
    other = run_ensemble(small, 3, seed=10)
    with pytest.raises(MineralflowError, match="do not share their draws"):
        paired_changes(other, b, [2025])


def test_a_sobol_ensemble_of_the_model_names_what_drives_its_headline(re_copy: Path) -> None:
    from mineralflow.uncertainty.report import drivers  # noqa: PLC0415

    rows = [
        "parameter,scope,distribution,low,mode,high,source_id,confidence,note",
        "stock_elasticity,all,lognormal,0.5,,2,MF-UNCERTAINTY,E,",
        "demand_elasticity,all,lognormal,0.5,,2,MF-UNCERTAINTY,E,",
    ]
    (re_copy / "uncertainty.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    spec = Scenario.model_validate({**SMALL, "pack": str(re_copy)})
    ensemble = run_ensemble(spec, 8, seed=2, method="sobol", workers=2)
    assert ensemble.draws == 8  # 2 x (2 inputs + 2)
    table = drivers(ensemble)
    assert set(table["input"]) <= {"stock_elasticity:all", "demand_elasticity:all"}
    assert list(table.columns) == ["value", "input", "S1", "ST"]
    assert table["value"].str.contains("Share · Rare Earths · Separation · CHN").any()


def test_compare_gives_the_range_of_each_change(
    run_cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    import yaml  # noqa: PLC0415

    plain, russia = tmp_path / "small.yaml", tmp_path / "russia.yaml"
    plain.write_text(yaml.safe_dump(SMALL), encoding="utf-8")
    lever = {"type": "capacity_target", "region": "RUS", "stage": "mining", "multiple": 2,
             "year": 2025}  # fmt: skip
    russia.write_text(yaml.safe_dump({**SMALL, "name": "small-russia", "levers": [lever]}),
                      encoding="utf-8")  # fmt: skip
    res = run_cli("compare", str(plain), str(russia), "--draws", "2", "--year", "2025")
    assert res.code == 0, res.err
    assert "change from A to B over 2 paired members" in res.out
    assert "Share · Rare Earths · Mining" in res.out


def test_a_deposits_heavy_share_moves_and_its_sum_stays() -> None:
    pack = load_pack("rare_earths")
    inputs = [UncertainInput("rare_earths", "heavy_share", "ionic_clay_lree", "uniform", 1,
                             None, 3, "S")]  # fmt: skip
    member = member_pack(pack, inputs, np.array([1.5]))
    groups = pack.table("elements").set_index("symbol")["group"]

    def parts(p: mf.Pack, deposit: str) -> tuple[float, float]:
        rows = p.table("deposit_composition")
        rows = rows[rows["deposit"] == deposit]
        heavy = rows["element"].map(groups) == "heavy"
        return float(rows.loc[heavy, "share"].sum()), float(rows["share"].sum())

    (h0, t0), (h1, t1) = parts(pack, "ionic_clay_lree"), parts(member, "ionic_clay_lree")
    assert h1 == pytest.approx(1.5 * h0)
    assert t1 == pytest.approx(t0)
    assert parts(member, "bayan_obo") == parts(pack, "bayan_obo")


def test_the_headline_values_are_those_analysts_ask_for() -> None:
    from mineralflow.uncertainty.report import headline_rows  # noqa: PLC0415

    rows = [
        ("CHN", "Share|Rare Earths|Separation"), ("USA", "Share|Rare Earths|Separation"),
        ("CHN", "Price|Rare Earths|Oxide|Dy"), ("USA", "Price|Rare Earths|Oxide|Tb"),
        ("JPN", "Price|Rare Earths|Oxide|Dy"), ("CHN", "Price|Rare Earths|Oxide|La"),
        ("USA", "Price|Aluminium|Aluminium"), ("USA", "Net Import Reliance|Rare Earths|Magnet"),
        ("World", "Shortage|Rare Earths|Ev Traction"), ("JPN", "Shortage|Rare Earths|Wind"),
    ]  # fmt: skip
    index = pd.MultiIndex.from_tuples(
        [("mineralflow", "s", r, v, "u", y) for r, v in rows for y in (2030, 2031)],
        names=KEY,
    )
    kept = {(index[i][2], index[i][3]) for i in headline_rows(index, [2030])}
    assert kept == {rows[i] for i in (0, 2, 3, 6, 7, 8)}
    assert all(index[i][5] == 2030 for i in headline_rows(index, [2030]))


def test_the_order_of_a_packs_rows_changes_no_draw(re_copy: Path) -> None:
    before = uncertain_inputs({"rare_earths": load_pack(re_copy)})
    for name in ("uncertainty.csv", "projects.csv"):
        path = re_copy / name
        head, *rows = path.read_text(encoding="utf-8").splitlines()
        path.write_text("\n".join([head, *reversed(rows)]) + "\n", encoding="utf-8")
    after = uncertain_inputs({"rare_earths": load_pack(re_copy)})
    assert [i.name for i in after] == [i.name for i in before]
    assert np.array_equal(draw_factors(after, 8, seed=1), draw_factors(before, 8, seed=1))
