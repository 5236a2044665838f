"""Investment and entry: expectations, expansion, the project pipeline, new plants' utilisation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from tests.runs import result

from mineralflow.investment import (
    Pipeline,
    decide_projects,
    excess_return,
    expansion,
    expect,
    project_probability,
    utilisation,
)
from mineralflow.scenario import Scenario, load_scenario
from mineralflow.scenario.execute import CalibrationCache, execute, prepare_pack

N = 6
values = arrays(np.float64, N, elements=st.floats(0.1, 50.0))
shares = arrays(np.float64, N, elements=st.floats(0.0, 1.0))


def _pipeline(groups: np.ndarray, starts: np.ndarray, prior: np.ndarray) -> Pipeline:
    n = len(groups)
    return Pipeline(
        project=tuple(f"p{i}" for i in range(n)),
        group=groups.astype(np.int64),
        size=np.full(n, 1000.0),
        start=starts.astype(np.int64),
        decide=np.maximum(starts - 2, 0).astype(np.int64),
        ramp=np.full(n, 2.0),
        prior=prior,
        support=np.zeros(n),
    )


def _capacity_path(realised: np.ndarray, pipeline: Pipeline, n_groups: int) -> np.ndarray:
    """Capacity by (year, group) that the investment rules build on a path of value added
    (years, groups), the way mineralflow.dynamics.step applies them."""
    n_years = len(realised)
    level, charge = np.full(n_groups, 10.0), np.full(n_groups, 5.0)
    rate, weight, response = np.full(n_groups, 0.2), np.full(n_groups, 0.5), np.ones(n_groups)
    base = np.full(n_groups, 1000.0)
    invested, expected = np.zeros(n_groups), level.copy()
    decided = np.full(len(pipeline.group), np.nan)
    out = np.zeros((n_years, n_groups))
    for i in range(n_years):
        capacity = base + invested + pipeline.capacity(decided, n_years, n_groups)[i]
        out[i] = capacity
        expected = level if i == 0 else expect(expected, realised[i], weight)
        invested = invested + expansion(capacity, rate, excess_return(expected, level, charge))
        decided = decide_projects(pipeline, decided, i, (expected - level) / charge, response)
    return out


@settings(max_examples=60, deadline=None)
@given(
    path=arrays(np.float64, (8, 3), elements=st.floats(1.0, 40.0)),
    lift=arrays(np.float64, (8, 3), elements=st.floats(0.0, 20.0)),
    starts=arrays(np.int64, 4, elements=st.integers(1, 7)),
    prior=arrays(np.float64, 4, elements=st.floats(0.0, 1.0)),
)
def test_raising_expected_prices_never_reduces_capacity(path, lift, starts, prior) -> None:
    pipeline = _pipeline(np.arange(4) % 3, starts, prior)
    low = _capacity_path(path, pipeline, 3)
    high = _capacity_path(path + lift, pipeline, 3)
    assert np.all(high >= low - 1e-9)


@given(prior=shares, change=arrays(np.float64, N, elements=st.floats(-5, 5)))
def test_project_probability_rises_with_the_change_in_return_and_keeps_certainties(
    prior, change
) -> None:
    response = np.ones(N)
    p = project_probability(prior, response, change)
    higher = project_probability(prior, response, change + 0.5)
    assert np.all((p >= 0) & (p <= 1))
    assert np.all(higher >= p)
    certain = (prior == 0) | (prior == 1)
    assert np.array_equal(p[certain], prior[certain])
    assert np.allclose(project_probability(prior, response, np.zeros(N)), prior)


@given(expected=values, cost=values, capacity=values)
def test_expansion_is_zero_at_a_normal_return_and_at_most_the_rate(
    expected, cost, capacity
) -> None:
    rate, charge = np.full(N, 0.15), np.full(N, 4.0)
    orders = expansion(capacity, rate, excess_return(expected, cost, charge))
    assert np.all(orders >= 0)
    assert np.all(orders <= capacity * rate + 1e-12)
    assert np.all(orders[expected <= cost] == 0)


@given(base_u0=shares, base=values, added=values)
def test_new_capacity_runs_at_normal_utilisation(base_u0, base, added) -> None:
    normal = np.full(N, 0.85)
    u0 = utilisation(base_u0, base, base + added, normal)
    expected = (base_u0 * base + normal * added) / (base + added)
    assert np.allclose(u0, expected)
    assert np.allclose(utilisation(base_u0, base, base, normal), base_u0, rtol=1e-12)
    # an entrant has no base-year capacity: all of it runs at normal utilisation
    assert np.allclose(utilisation(base_u0, np.zeros(N), added, normal), normal)


def test_a_project_still_ramping_in_the_first_year_adds_the_rest_of_its_ramp() -> None:
    pipeline = _pipeline(np.array([0]), np.array([0]), np.array([1.0]))
    pipeline = Pipeline(**{**pipeline.__dict__, "ramp": np.array([3.0])})
    added = pipeline.capacity(np.array([1.0]), 4, 1)[:, 0]
    assert np.allclose(added, [0.0, 1000 / 3, 2000 / 3, 2000 / 3])


def test_undecided_projects_add_no_capacity() -> None:
    pipeline = _pipeline(np.array([0, 1]), np.array([2, 3]), np.array([0.5, 0.5]))
    assert not pipeline.capacity(np.full(2, np.nan), 5, 2).any()


def _stage_rows(run, region: str, stage: str) -> np.ndarray:
    groups = run.network.groups.reindex(run.problem.groups)
    return ((groups["region"] == region) & (groups["stage"] == stage)).to_numpy()


def test_a_region_without_capacity_enters_through_its_project() -> None:
    """Angola has no rare-earth mine in 2024; Longonjo's first phase (construction, 7,400 t
    REO from 2027) enters and produces, at its region's value added above its full cost once
    it runs."""
    run = result("baseline").runs["rare_earths"]
    at = _stage_rows(run, "AGO", "mining")
    assert run.capacity[2024][at].sum() == 0
    assert run.capacity[2028][at].sum() > 4_000  # two thirds of its ramp-up, at its chance
    made = run.problem.layout.col("supply").totals(run.raw[2029].x)[at].sum()
    assert made > 0.5 * run.capacity[2029][at].sum()


def test_new_magnet_plants_run_near_normal_utilisation() -> None:
    """The US magnet plants that arrive after 2024 do not inherit the base year's low use."""
    run = result("baseline").runs["rare_earths"]
    at = _stage_rows(run, "USA", "magnet")
    made = run.problem.layout.col("supply").totals(run.raw[2030].x)[at].sum()
    assert made / run.capacity[2030][at].sum() > 0.6


def test_serra_verde_ramps_up_in_2025() -> None:
    """Pela Ema started in 2024 with a three-year ramp-up: Brazil's mining capacity grows in
    2025 by the third of its 5,000 t it had not reached (the 2025 replay checks the output)."""
    run = result("baseline").runs["rare_earths"]
    at = _stage_rows(run, "BRA", "mining")
    grown = run.capacity[2025][at].sum() - run.capacity[2024][at].sum()
    assert grown == pytest.approx(5000 / 3, rel=0.05)


def test_utilisation_and_investment_are_reported() -> None:
    res = result("baseline")
    t = res.tables
    util = t.utilisation[(t.utilisation["commodity"] == "rare_earths")]
    world = util[(util["region"] == "World") & (util["stage"] == "separation")]
    out = t.stage_output()
    made = out[(out["commodity"] == "rare_earths") & (out["stage"] == "separation")]
    cap = t.capacity[
        (t.capacity["commodity"] == "rare_earths") & (t.capacity["stage"] == "separation")
    ]
    for year in (2024, 2030):
        share = 100 * made.loc[made["year"] == year, "value"].sum()
        share /= cap.loc[cap["year"] == year, "value"].sum()
        assert world.loc[world["year"] == year, "value"].item() == pytest.approx(share)
    inv = t.investment[t.investment["commodity"] == "rare_earths"]
    # the decisions taken before the run are not the run's investment
    assert inv.loc[inv["year"] == 2024, "value"].sum() == pytest.approx(0.0, abs=1e-6)
    # the planned US separation project is decided in 2026, three years before its start
    usa = inv[(inv["region"] == "USA") & (inv["stage"] == "separation") & (inv["year"] == 2026)]
    assert usa["value"].sum() > 0.5 * 6000 * 0.5
    iamc = res.frame
    assert {"Utilisation|Rare Earths|Separation", "Investment|Rare Earths|Separation"} <= set(
        iamc["variable"]
    )


def test_public_support_raises_the_chance_of_the_supported_projects(tmp_path) -> None:
    path = tmp_path / "support.yaml"
    path.write_text(
        "name: support\ndescription: Russia's support for its projects\nbase: baseline\n"
        "levers:\n  - type: project_support\n    regions: [RUS]\n    usd: 1.5e9\n"
    )
    scenario = load_scenario(str(path))
    part = prepare_pack(scenario, "rare_earths", CalibrationCache())
    pipeline = part.plan.pipeline
    regions = part.calibration.data.network.groups.reindex(part.calibration.problem.groups)
    russian = regions["region"].to_numpy()[pipeline.group] == "RUS"
    # 1.5 bn USD exceeds the capital cost of Russia's projects in the pack: all of it is paid
    assert np.all(pipeline.support[russian] == 1.0)
    assert np.all(pipeline.support[~russian] == 0.0)
    supported = execute(scenario).runs["rare_earths"]
    base = result("baseline").runs["rare_earths"]
    at = _stage_rows(base, "RUS", "mining")
    assert supported.capacity[2032][at].sum() > base.capacity[2032][at].sum() + 1000


def test_a_region_added_in_the_data_alone_enters_and_levers_can_name_it(re_copy) -> None:
    """Great Britain has a regions.csv row but no market; a separation project and a
    technology row in a copy of the pack give it one."""
    folder = re_copy
    with (folder / "projects.csv").open("a", encoding="utf-8") as f:
        f.write("Test refinery,Owner,GBR,separation,2000,t REO,2027,construction,PROJECT-NEWS,S,\n")
    with (folder / "technology.csv").open("a", encoding="utf-8") as f:
        f.write("GBR,separation,0.3,MF-TECH-GAP,E,\n")
    scenario = Scenario.model_validate(
        {
            "name": "gbr",
            "description": "a British refinery with a tariff on its imports",
            "pack": str(folder),
            "years": [2024, 2030],
            "levers": [{"type": "tariff", "region": "GBR", "rate": 0.1, "from_year": 2025}],
        }
    )
    run = next(iter(execute(scenario).runs.values()))
    at = _stage_rows(run, "GBR", "separation")
    assert run.capacity[2024][at].sum() == 0
    assert run.capacity[2029][at].sum() > 1500
    assert run.problem.layout.col("supply").totals(run.raw[2029].x)[at].sum() > 0


def test_a_node_only_plants_without_capacity_could_supply_is_priced_at_netback() -> None:
    """Canada's metal line starts in 2025: in 2024 nothing can bring Nd metal to Canada, so
    its price is what a kg there fetches in the best market it can reach, less the freight
    (the duties of the base year on top)."""
    run = result("baseline").runs["rare_earths"]
    p, raw, data = run.problem, run.raw[2024], run.calibration.data
    prices = raw.row_dual[p.layout.row("balance").span]
    duties = data.trade_cost
    netbacks = []
    for exporter, importer, product in p.arcs:
        if exporter == "CAN" and product == "Nd metal":
            duty = 0.0 if duties is None else float(duties.get((exporter, importer, product), 0))
            there = prices[p.nodes.get_loc((importer, product))]
            netbacks.append(there - float(data.transport["Nd metal"]) - duty)
    at = p.nodes.get_loc(("CAN", "Nd metal"))
    assert prices[at] == pytest.approx(max(netbacks), abs=1e-3)
    assert prices[at] < 100
