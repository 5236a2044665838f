"""The IAMC boundary: tables -> IAMC -> tables gives the same tables, and the store keeps them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import mineralflow as mf
from mineralflow.errors import MineralflowError
from mineralflow.iamc import export_results, from_iamc, to_iamc
from mineralflow.results import run_tables
from mineralflow.store import ResultsStore
from mineralflow.tables import NAMES, SCHEMA, Tables, tidy
from runs import result


def _assert_same_tables(a: Tables, b: Tables) -> None:
    for name in SCHEMA:
        left, right = getattr(a, name), getattr(b, name)
        pd.testing.assert_frame_equal(left, right, check_dtype=False, obj=name)


@pytest.mark.parametrize("name", ["baseline", "hindcast-2010"])
def test_iamc_reads_back_into_the_same_tables(name: str) -> None:
    run = result(name)
    back = from_iamc(run.frame, run.tables.names)
    _assert_same_tables(run.tables, back)
    assert to_iamc(back, name).equals(run.frame)


@pytest.mark.parametrize("pack", ["rare_earths", "aluminium"])
def test_a_run_builds_its_tables_already_in_their_order(pack: str) -> None:
    run = result("baseline").runs[pack]
    tables = run_tables(run)
    for name in SCHEMA:
        frame = getattr(tables, name)
        pd.testing.assert_frame_equal(frame, tidy(name, frame.sample(frac=1.0, random_state=1)))


def test_every_table_has_its_columns_and_no_world_rows_but_prices_and_utilisation() -> None:
    tables = result("baseline").tables
    for name, (dims, unit) in SCHEMA.items():
        frame = getattr(tables, name)
        assert list(frame.columns[: len(dims)]) == list(dims), name
        assert ("unit" in frame.columns) == (unit is None), name
        if "region" in dims and name not in ("prices", "utilisation"):
            assert "World" not in set(frame["region"]), name
    assert set(tables.commodities) == {"rare_earths", "aluminium"}
    # the magnet grades are the pack's own product (products.csv), one per recipe
    magnets = tables.production[tables.production["stage"] == "magnet"]
    assert set(magnets["product"].str.partition("|")[0]) == {"NdFeB"}


def test_stage_output_sums_the_products_to_the_iamc_stage_totals() -> None:
    run = result("baseline")
    output = run.tables.stage_output()
    mining = output[(output["stage"] == "mining") & (output["year"] == 2024)]["value"].sum()
    frame = run.frame
    world = frame[
        (frame["variable"] == "Production|Rare Earths|Mining")
        & (frame["region"] == "World")
        & (frame["year"] == 2024)
    ]["value"]
    assert mining == pytest.approx(float(world.iloc[0]), rel=1e-12)


def test_results_without_a_vocabulary_are_refused() -> None:
    with pytest.raises(MineralflowError, match="no vocabulary"):
        from_iamc(result("hindcast-2010").frame, NAMES)


def test_a_stored_run_comes_back_with_the_same_tables(tmp_path: Path) -> None:
    store = tmp_path / "runs"
    first = mf.simulate("hindcast-2010", store=store)
    again = mf.simulate("hindcast-2010", store=store)
    assert again.from_store
    assert not first.from_store
    _assert_same_tables(first.tables, again.tables)
    assert mf.compare(first, again).empty


def test_a_stored_two_pack_run_exports_the_same_bytes(tmp_path: Path) -> None:
    first = mf.simulate("baseline", store=tmp_path / "runs")
    again = mf.simulate("baseline", store=tmp_path / "runs")
    assert again.from_store
    fresh = export_results(first.frame, tmp_path / "fresh", ["csv"]).written[0]
    stored = export_results(again.frame, tmp_path / "stored", ["csv"]).written[0]
    assert fresh.read_bytes() == stored.read_bytes()
    prices = ResultsStore(tmp_path / "runs").query(  # the query of docs/scenarios.md
        "SELECT r.scenario, s.year, s.value FROM results s JOIN runs r USING (run_id) "
        "WHERE s.variable = 'Price|Rare Earths|Oxide|Nd' AND s.region = 'World' ORDER BY 1, 2"
    )
    assert prices["year"].tolist() == list(range(2024, 2041))
    assert prices["value"].iloc[0] > 0


def test_stages_are_listed_in_chain_order() -> None:
    tables = result("baseline").tables
    assert tables.stages("aluminium") == ["bauxite", "alumina", "primary", "secondary"]
    assert tables.stages("rare_earths")[:2] == ["mining", "separation"]
