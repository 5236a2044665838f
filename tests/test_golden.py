"""Published figures the bundled packs must reproduce, each pinned to its edition."""

from __future__ import annotations

import pytest

from mineralflow import load_pack
from mineralflow.dynamics import simulate
from mineralflow.iamc import to_iamc
from mineralflow.metrics.shares import stage_shares, world_total
from mineralflow.results import run_tables


@pytest.fixture(scope="module")
def ree():  # type: ignore[no-untyped-def]
    return load_pack("rare_earths")


def _value(pack, table, edition=None, **filters):  # type: ignore[no-untyped-def]
    rows = pack.select(table, edition=edition, **filters)
    assert len(rows) == 1, rows
    return float(rows["value"].iloc[0])


def test_mcs2025_world_mine_output_2024(ree) -> None:  # type: ignore[no-untyped-def]
    # USGS MCS 2025, rare earths: world 390,000 t REO in 2024 (estimate)
    assert world_total(ree, "mining", 2024, edition="MCS2025") == 390_000
    shares = stage_shares(ree, "mining", 2024, edition="MCS2025").set_index("region")
    assert shares.loc["CHN", "value"] == 270_000
    assert shares.loc["CHN", "share"] == pytest.approx(0.69, abs=0.01)
    assert shares.loc["USA", "value"] == 45_000
    assert shares.loc["USA", "share"] == pytest.approx(0.115, abs=0.002)
    assert shares.loc["RUS", "value"] == 2_500
    assert shares.loc["RUS", "share"] < 0.01


def test_mcs2026_revises_2024(ree) -> None:  # type: ignore[no-untyped-def]
    # MCS 2026 revises world 2024 to 380,000 and the US to 45,500; the default is the latest
    assert world_total(ree, "mining", 2024) == 380_000
    assert _value(ree, "production", stage="mining", year=2024, region="USA") == 45_500
    assert _value(ree, "production", stage="mining", year=2024, region="RUS") == 2_600
    assert _value(ree, "production", "MCS2025", stage="mining", year=2024, region="RUS") == 2_500
    shares = stage_shares(ree, "mining", 2024).set_index("region")
    assert set(shares["edition"]) == {"MCS2026"}
    assert 2_500 <= shares.loc["RUS", "value"] <= 2_600


def test_mcs2024_figures(ree) -> None:  # type: ignore[no-untyped-def]
    assert world_total(ree, "mining", 2023, edition="MCS2024") == 350_000
    assert _value(ree, "production", "MCS2024", stage="mining", year=2022, region="CHN") == 210_000
    assert _value(ree, "production", "MCS2025", stage="mining", year=2023, region="WLD") == 376_000


def test_china_share_of_separation_at_least_85_percent(ree) -> None:  # type: ignore[no-untyped-def]
    shares = stage_shares(ree, "separation", 2024).set_index("region")
    assert shares.loc["CHN", "share"] >= 0.85


def test_reserve_revisions_by_edition(ree) -> None:  # type: ignore[no-untyped-def]
    # Russia 10 Mt in MCS2024, 3.8 Mt since MCS2025; Vietnam 22 Mt then 3.5 Mt
    def reserve(region: str, edition: str) -> float:
        rows = ree.select("reserves", region=region, edition=edition)
        return float(rows["value"].iloc[0])

    assert reserve("RUS", "MCS2024") == 10_000_000
    assert reserve("RUS", "MCS2025") == 3_800_000
    assert reserve("VNM", "MCS2024") == 22_000_000
    assert reserve("VNM", "MCS2026") == 3_500_000


def test_price_history_for_the_hindcast(ree) -> None:  # type: ignore[no-untyped-def]
    def price(product: str, year: int, basis: str = "annual average") -> float:
        rows = ree.select("prices", product=product, year=year, basis=basis, market="WLD")
        return float(rows["value"].iloc[0])

    assert price("Nd", 2009) == pytest.approx(19.12)
    assert price("Dy", 2009) == pytest.approx(115.67)
    assert price("Nd", 2011, "year-end low") / price("Nd", 2009) == pytest.approx(9.9, abs=0.1)
    assert price("NdPr", 2024) == 55
    assert price("Tb", 2024) == 810


def test_aluminium_mcs2026() -> None:
    al = load_pack("aluminium")
    assert world_total(al, "primary", 2024) == 72_800_000
    shares = stage_shares(al, "primary", 2024).set_index("region")
    assert shares.loc["RUS", "value"] == 3_880_000
    assert shares.loc["CHN", "share"] == pytest.approx(0.604, abs=0.002)
    nir = al.select("net_import_reliance", region="USA", year=2024)
    assert float(nir["value"].iloc[0]) == 62
    canada = al.select("import_sources", exporter="CAN", edition="MCS2026")
    assert float(canada["share"].iloc[0]) == pytest.approx(0.56)


@pytest.fixture(scope="module")
def baseline_2024():  # type: ignore[no-untyped-def]
    return to_iamc(run_tables(simulate(load_pack("rare_earths"), (2024, 2024))), "baseline")


def _model(frame, variable: str, region: str) -> float:  # type: ignore[no-untyped-def]
    rows = frame[(frame["variable"] == variable) & (frame["region"] == region)]
    assert len(rows) == 1, (variable, region)
    return float(rows["value"].iloc[0])


def test_model_reports_china_mining_share_and_separation_concentration(baseline_2024) -> None:  # type: ignore[no-untyped-def]
    # the model's world is the sum of the MCS2026 country rows (384,000 t), not the rounded
    # published total (380,000 t): 270,000 / 384,000 = 70.3 %
    share = _model(baseline_2024, "Share|Rare Earths|Mining", "CHN")
    assert share == pytest.approx(100 * 270_000 / 384_000, abs=0.05)
    assert _model(baseline_2024, "HHI|Rare Earths|Separation", "World") > 6_000
    assert _model(baseline_2024, "HHI|Rare Earths|Mining", "World") == pytest.approx(5_192, abs=5)
    shares = baseline_2024[baseline_2024["variable"] == "Share|Rare Earths|Separation"]
    assert shares["value"].sum() == pytest.approx(100, abs=1e-6)
