"""Scenarios: the malformed-file corpus, the bundled scenarios, levers, store and comparison."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mineralflow import store
from mineralflow.cli import NET_EXPORTER, _compare_cells
from mineralflow.comparison import compare
from mineralflow.dynamics import base_plan
from mineralflow.reporting.findings import horizon_sentences
from mineralflow.scenario import bundled_scenarios, load_scenario
from mineralflow.scenario.execute import CalibrationCache, check_scenario, execute, prepare_pack
from runs import result

BAD = sorted((Path(__file__).parents[1] / "scenarios" / "bad").glob("*.yaml"))


def value(frame: pd.DataFrame, variable: str, region: str, year: int) -> float:
    hit = frame[
        (frame["variable"] == variable) & (frame["region"] == region) & (frame["year"] == year)
    ]
    assert len(hit) == 1, (variable, region, year)
    return float(hit["value"].iloc[0])


def test_the_corpus_is_large_enough() -> None:
    assert len(BAD) >= 90


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_a_malformed_scenario_gets_one_clear_message(path: Path, run_cli: Callable) -> None:
    first_line = path.read_bytes().split(b"\n", 1)[0].decode("ascii")  # some cases are not UTF-8
    expected = first_line.removeprefix("# expect: ")
    watched = [path.parent, Path(os.environ["MINERALFLOW_STORE"])]
    before = [sorted(f.rglob("*")) if f.exists() else [] for f in watched]
    res = run_cli("scenario", "validate", str(path))
    assert [sorted(f.rglob("*")) if f.exists() else [] for f in watched] == before  # no output
    assert res.code == 2
    assert res.err.startswith("error: ")
    assert path.name in res.err
    assert expected in " ".join(res.err.split())
    assert "Traceback" not in res.err + res.out


@pytest.mark.parametrize("name", bundled_scenarios())
def test_every_bundled_scenario_validates_against_its_packs(name: str) -> None:
    spec = load_scenario(name)
    assert spec.description
    assert spec.sources
    check_scenario(spec)


def test_inheritance_puts_the_base_levers_first(tmp_path: Path) -> None:
    child = tmp_path / "child.yaml"
    child.write_text(
        "name: child\nbase: russia-50kt\nyears: [2024, 2030]\nlevers:\n"
        "  - {type: export_ban, region: CHN, stages: [magnet], from_year: 2027}\n"
    )
    spec = load_scenario(child)
    baseline = [lev.type for lev in load_scenario("baseline").levers]
    assert [lev.type for lev in spec.levers] == [*baseline, "capacity_target", "export_ban"]
    assert spec.description == load_scenario("russia-50kt").description
    assert spec.years == (2024, 2030)
    assert spec.packs == ["rare_earths", "aluminium"]


def test_russia_doubles_its_mine_output_by_2030() -> None:
    frame = result("russia-doubles-2030").frame
    base = value(frame, "Production|Rare Earths|Mining", "RUS", 2024)
    assert value(frame, "Production|Rare Earths|Mining", "RUS", 2030) == pytest.approx(
        2 * base, rel=0.05
    )
    # a question the baseline does not answer already: there Russia does not double by 2030
    baseline = result("baseline").frame
    assert value(baseline, "Production|Rare Earths|Mining", "RUS", 2030) < 1.95 * base


def test_cooperation_lowers_the_us_aluminium_price_and_raises_its_import_reliance() -> None:
    coop, base = result("us-russia-cooperation").frame, result("baseline").frame
    for year in (2026, 2030):
        price = "Price|Aluminium|Aluminium"
        assert value(coop, price, "USA", year) < 0.97 * value(base, price, "USA", year)
        reliance = "Net Import Reliance|Aluminium|Primary"
        assert value(coop, reliance, "USA", year) > value(base, reliance, "USA", year) + 1


def test_when_the_october_2025_rules_return_china_holds_its_prices_and_the_world_pays() -> None:
    ret, base = result("china-controls-return").frame, result("baseline").frame
    for element in ("Dy", "Tb"):
        price = f"Price|Rare Earths|Oxide|{element}"
        assert value(ret, price, "CHN", 2026) == pytest.approx(value(base, price, "CHN", 2026))
        # the first year: the reserve and the makers hold what licences withhold
        assert value(ret, price, "CHN", 2027) > 0.9 * value(ret, price, "CHN", 2026)
        for region in ("JPN", "USA"):
            assert value(ret, price, region, 2027) > 2.2 * value(ret, price, "CHN", 2027)
    # outside China Dy and Tb sit where magnet makers switch to heavy-free grades, in the
    # baseline as under the returned rules; what the cut raises is the price of magnets
    magnet = "Price|Rare Earths|Magnet|Ev Traction"
    for region in ("JPN", "USA"):
        for price in ("Price|Rare Earths|Oxide|Tb", "Price|Rare Earths|Oxide|Dy"):
            assert value(ret, price, region, 2027) > 0.9 * value(base, price, region, 2027)
        assert value(ret, magnet, region, 2027) > 3 * value(base, magnet, region, 2027)
    # the long run: makers cut output from 2028, so China's Dy demand and price fall
    dy = "Price|Rare Earths|Oxide|Dy"
    assert value(ret, dy, "CHN", 2028) < 0.8 * value(ret, dy, "CHN", 2027)


def test_eased_controls_narrow_the_gap_between_china_and_the_rest() -> None:
    eased, base = result("china-controls-eased").frame, result("baseline").frame
    for element in ("Dy", "Tb"):
        price = f"Price|Rare Earths|Oxide|{element}"
        gap = [value(f, price, "JPN", 2030) / value(f, price, "CHN", 2030) for f in (eased, base)]
        assert gap[0] < gap[1]


def test_russia_reaches_50kt_in_2030() -> None:
    frame = result("russia-50kt").frame
    assert value(frame, "Production|Rare Earths|Mining", "RUS", 2030) == pytest.approx(
        50_000, rel=0.02
    )
    # on the way, output follows the plan's straight line from 2024
    mid = value(frame, "Production|Rare Earths|Mining", "RUS", 2027)
    start = value(frame, "Production|Rare Earths|Mining", "RUS", 2024)
    assert mid == pytest.approx(start + (50_000 - start) * 3 / 6, rel=0.02)


def test_heavy_rare_earth_controls_split_the_market_and_buyers_outside_china_give_up() -> None:
    base = result("baseline").frame
    ctrl = result("china-heavy-ree-controls-2025").frame
    # oxides where they are turned into metal (Japan, the US), metal where magnets are made (EU)
    for form, regions in (("Oxide", ("JPN", "USA")), ("Metal", ("JPN", "USA", "DEU"))):
        for element in ("Dy", "Tb"):
            price = f"Price|Rare Earths|{form}|{element}"
            # Dy from 2026: in 2025 the Tb limit holds magnet making outside China back so far
            # that the Dy limit carries almost no rent (docs/scenarios.md)
            for year in (2025, 2026, 2030) if element == "Tb" else (2026, 2030):
                inside = value(ctrl, price, "CHN", year)
                assert inside < 1.05 * value(base, price, "CHN", year)  # China keeps its own
                for region in regions:
                    outside = value(ctrl, price, region, year)
                    assert outside > 2 * inside, (price, region, year)
                    # the baseline licenses these exports too, with far more approved, and
                    # in both heavy-free grades cap what buyers outside China pay
                    # (docs/scenarios.md)
                    assert outside > 0.85 * value(base, price, region, year), (price, region)
    # prices from the market, not a cap: magnets outside China rise far above the baseline
    # while buyers give up what they cannot pay for; nobody is rationed
    magnet = "Price|Rare Earths|Magnet|Ev Traction"
    assert value(ctrl, magnet, "JPN", 2025) > 2 * value(base, magnet, "JPN", 2025)
    assert value(ctrl, magnet, "CHN", 2025) < value(base, magnet, "CHN", 2025)
    sectors = ("Ev Traction", "Industrial Motors", "Wind", "Electronics", "Magnets Other")
    for region in ("JPN", "USA", "DEU"):
        given_up = [f"Demand Reduction|Rare Earths|{sector}" for sector in sectors]
        cut = sum(value(ctrl, s, region, 2025) - value(base, s, region, 2025) for s in given_up)
        assert cut > 500, region


@pytest.mark.parametrize("name", sorted(bundled_scenarios()))
def test_the_buyers_price_cap_binds_in_no_bundled_scenario(name: str) -> None:
    """The cap (``max_price_multiple``) is a backstop: prices outside China under export
    controls come from the supply, substitution and demand that remain."""
    frame = result(name).frame
    short = frame[frame["variable"].str.startswith("Shortage|") & (frame["region"] == "World")]
    assert short["value"].max() == pytest.approx(0.0, abs=1e-6)


def test_heavy_free_grades_set_the_price_of_dy_outside_china_under_strict_controls() -> None:
    run = result("china-controls-return").runs["rare_earths"]
    activity = run.solution(2030).activity
    heavy_free = activity[activity.index.str.endswith("|heavy_free") & (activity > 1.0)]
    regions = {key.split("|")[0] for key in heavy_free.index}
    assert "CHN" not in regions
    assert {"JPN", "USA"} <= regions
    base = result("baseline").runs["rare_earths"].solution(2030).activity
    assert base[base.index.str.endswith("|heavy_free")].clip(lower=0).sum() < heavy_free.sum()


def test_a_full_export_ban_stops_chinese_exports() -> None:
    frame = result("china-full-export-ban").frame
    exports = frame[
        (frame["region"] == "CHN")
        & frame["variable"].str.startswith("Exports|Rare Earths")
        & (frame["year"] >= 2026)
    ]
    assert exports["value"].sum() == pytest.approx(0, abs=1e-3)
    before = frame[
        (frame["region"] == "CHN")
        & frame["variable"].str.startswith("Exports|Rare Earths")
        & (frame["year"] == 2025)
    ]
    assert before["value"].sum() > 10_000


def test_cooperation_ships_russian_aluminium_to_the_us_and_closes_gaps() -> None:
    res = result("us-russia-cooperation")
    al = res.runs["aluminium"]
    for year in (2026, 2030):
        trade = al.solution(year).trade
        assert trade[("RUS", "USA", "aluminium")] >= 2_000_000 - 1
    baseline = result("baseline").runs["rare_earths"]
    coop = res.runs["rare_earths"]
    assert (
        coop.solution(2035).production["RUS|magnet"]
        > baseline.solution(2035).production["RUS|magnet"]
    )


def test_western_diversification_adds_capacity_outside_china_only() -> None:
    part = prepare_pack(load_scenario("western-diversification"), "rare_earths", CalibrationCache())
    cal, plan = part.calibration, part.plan
    own = base_plan(part.pack, cal, plan.years).pipeline  # the pack's own projects
    regions = cal.data.network.groups.reindex(cal.problem.groups)["region"].to_numpy()
    china = regions[plan.pipeline.group] == "CHN"
    later = plan.pipeline.start > 0
    assert np.all(plan.pipeline.prior[~china & later] == 1.0)
    assert np.array_equal(plan.pipeline.prior[china | ~later], own.prior[china | ~later])
    assert (plan.pipeline.prior >= own.prior).all()
    # and the market builds them: more capacity outside China than in the baseline
    base = result("baseline").runs["rare_earths"]
    west = result("western-diversification").runs["rare_earths"]
    outside = ~np.array([g.startswith("CHN|") for g in cal.problem.groups])
    assert (west.capacity[2030] - base.capacity[2030])[outside].sum() > 10_000


def test_conflicting_levers_are_named(tmp_path: Path, run_cli: Callable) -> None:
    path = tmp_path / "conflict.yaml"
    path.write_text(
        "name: conflict\ndescription: a stockpile that nothing can fill\n"
        "pack: rare_earths\nyears: [2024, 2027]\nlevers:\n"
        "  - {type: export_ban, region: CHN, from_year: 2026}\n"
        "  - {type: stockpile, region: USA, product: Tb, action: build, tonnes: 5000,"
        " from_year: 2026}\n"
    )
    res = run_cli("run", str(path), "--no-store")
    assert res.code == 2
    assert "cannot be solved in 2026" in res.err
    assert "levers[1] stockpile" in res.err
    assert "Traceback" not in res.err


def test_levers_change_what_they_should() -> None:
    spec = load_scenario("baseline").model_copy(
        update={
            "name": "levers",
            "years": (2024, 2028),
            "levers": load_scenario(_write_levers()).levers,
        }
    )
    res = execute(spec)
    run = res.runs["rare_earths"]
    plain = execute(load_scenario("baseline").model_copy(update={"years": (2024, 2028)}))
    base = plain.runs["rare_earths"]

    # tariff: US imports of Chinese magnets fall
    def us_magnets(r: object, year: int) -> float:
        t = r.solution(year).trade  # type: ignore[attr-defined]
        t = t.xs(("CHN", "USA"), level=(0, 1))
        return float(t[t.index.str.startswith("NdFeB")].sum())

    assert us_magnets(run, 2027) < 0.9 * us_magnets(base, 2027)
    # stockpile: the US buys 100 t of Dy a year in 2026-2027, and the market balances it
    # (the node's net inflow is exactly the stockpile's purchase; every other node balances)
    for year, bought in ((2026, 100.0), (2028, 0.0)):
        node = run.solution(year).balance_residual
        assert node[("USA", "Dy")] == pytest.approx(bought, abs=1e-6)
        assert np.abs(node.drop(("USA", "Dy")).to_numpy()).max() < 1e-5
    # demand path: wind demand index 1.5 in 2028
    keys = run.problem.demand_keys
    wind = np.asarray(keys.get_level_values(1) == "wind")
    ratio = run.reference_demand[2028][wind].sum() / base.reference_demand[2028][wind].sum()
    assert ratio > 1.1


def _write_levers() -> Path:
    path = Path(__file__).parents[1] / "scenarios" / "levers.yaml"
    return path


def test_store_serves_identical_inputs_and_records_them(run_cli: Callable) -> None:
    first = run_cli("run", "hindcast-2010")
    assert first.code == 0, first.err
    assert "recorded as run" in first.out
    run_id = first.out.split("recorded as run ")[1].split()[0]
    again = run_cli("run", "hindcast-2010")
    assert f"served from the results store (run {run_id})" in again.out
    listed = run_cli("runs", "list")
    assert run_id[:8] in listed.out
    shown = run_cli("runs", "show", run_id[:6])
    assert "hindcast-2010" in shown.out
    assert "seed 0" in shown.out
    gone = run_cli("runs", "delete", run_id)
    assert gone.code == 0
    missing = run_cli("runs", "show", run_id)
    assert missing.code == 2
    assert "no run" in missing.err


def test_compare_lists_the_key_differences(run_cli: Callable) -> None:
    res = run_cli("compare", "baseline", "russia-50kt", "--json", "--year", "2030")
    assert res.code == 0, res.err
    rows = json.loads(res.out)
    share = [
        r for r in rows if r["variable"] == "Share|Rare Earths|Mining" and r["region"] == "RUS"
    ]
    assert share
    assert share[0]["b"] > share[0]["a"] + 5
    assert {r["group"] for r in rows} >= {"share", "price"}


def test_compare_works_on_any_two_runs() -> None:
    a, b = result("baseline").tables, result("china-full-export-ban").tables
    table = compare(a, b)
    assert set(table["year"]) == {2024, 2025, 2030, 2035, 2040}
    assert (table[table["year"] == 2024]["change"].abs() < 1e-6).all()
    assert compare(b, b).empty  # identical runs differ nowhere


def test_exports_in_every_format(tmp_path: Path, run_cli: Callable) -> None:
    res = run_cli(
        "run",
        "hindcast-2010",
        "--export",
        str(tmp_path),
        "-f",
        "csv",
        "-f",
        "parquet",
        "-f",
        "xlsx",
        "-f",
        "iamc",
    )
    assert res.code == 0, res.err
    long = pd.read_csv(tmp_path / "results.csv")
    assert list(long.columns) == [
        "model",
        "scenario",
        "region",
        "variable",
        "unit",
        "year",
        "value",
    ]
    parquet = pd.read_parquet(tmp_path / "results.parquet")
    assert len(parquet) == len(long)
    wide = pd.read_csv(tmp_path / "results_iamc.csv")
    assert list(wide.columns[:5]) == ["Model", "Scenario", "Region", "Variable", "Unit"]
    assert {"2009", "2010", "2011"} <= set(wide.columns)
    book = pd.read_excel(tmp_path / "results.xlsx", sheet_name=None)
    assert set(book) == {"data", "meta"}
    assert len(book["data"]) == len(wide)
    assert not list(tmp_path.glob(".*.tmp"))


def test_schema_command_prints_a_json_schema(run_cli: Callable) -> None:
    res = run_cli("scenario", "schema")
    schema = json.loads(res.out)
    assert schema["title"] == "mineralflow scenario"
    kinds = schema["properties"]["levers"]["items"]["discriminator"]["mapping"]
    assert {"export_ban", "capacity_target", "stockpile", "elasticity"} <= set(kinds)


def test_run_key_follows_the_source_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A changed model must not be answered from a run recorded by older code."""
    scenario = load_scenario("baseline")
    before = store.run_key(scenario)
    package = tmp_path / "mineralflow"
    package.mkdir()
    (package / "store.py").write_text("x = 1\n")
    monkeypatch.setattr(store, "__file__", str(package / "store.py"))
    store.code_version.cache_clear()
    try:
        first = store.code_version()
        (package / "store.py").write_text("x = 2\n")
        store.code_version.cache_clear()
        assert store.code_version() != first
        assert store.run_key(scenario) != before
    finally:
        monkeypatch.undo()
        store.code_version.cache_clear()
    assert store.run_key(scenario) == before


def test_every_bundled_scenario_is_described_in_english_and_chinese() -> None:
    for name in bundled_scenarios():
        spec = load_scenario(name)
        assert spec.description_in("en") == spec.description
        zh = spec.description_in("zh")
        assert zh != spec.description, name
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh), name


def test_a_child_that_describes_itself_does_not_keep_its_base_chinese(tmp_path: Path) -> None:
    child = tmp_path / "child.yaml"
    child.write_text(
        "name: child\nbase: baseline\ndescription: something else\nyears: [2024, 2030]\n"
    )
    spec = load_scenario(child)
    assert spec.description_zh is None
    assert spec.description_in("zh") == "something else"
    quiet = tmp_path / "quiet.yaml"
    quiet.write_text("name: quiet\nbase: baseline\nyears: [2024, 2030]\n")
    assert load_scenario(quiet).description_zh == load_scenario("baseline").description_zh


def test_compare_tables_read_right() -> None:
    """Years in order whatever order they were asked in, net exporters as USGS writes them,
    no rounding noise, and the short- against long-term statement naming the scenario."""
    a, b = result("baseline").tables, result("china-full-export-ban").tables
    table = compare(a, b, years=[2040, 2025, 2030])
    for group in table["group"].unique():
        cells = _compare_cells(table[table["group"] == group], group)
        assert list(cells.columns[3:]) == ["2025", "2030", "2040"]
    reliance = table[table["group"] == "import reliance"]
    assert (reliance[["a", "b"]] < 0).to_numpy().any()
    shown = _compare_cells(reliance, "import reliance")
    assert shown[["2025", "2030", "2040"]].apply(lambda c: c.str.contains(NET_EXPORTER)).any().any()
    assert not shown[["2025", "2030", "2040"]].apply(lambda c: c.str.contains("-")).any().any()
    small = table[["a", "b"]].abs()
    assert ((small == 0) | (small >= 1e-6)).all().all()
    intro, _, _ = horizon_sentences(a, b, "china-full-export-ban", "en", "baseline")
    assert "in 'baseline' against china-full-export-ban" in intro
    intro_zh, _, _ = horizon_sentences(b, a, "baseline", "zh")
    assert intro_zh.startswith("短期与长期：本情景")
