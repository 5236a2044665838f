"""The pack's dated duties, secondary production from scrap, and shortage as rationing."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pytest

import mineralflow as mf
from mineralflow.data.pack import BUNDLED_DIR
from mineralflow.errors import PackError
from mineralflow.metrics.indicators import apparent_consumption, net_import_reliance
from mineralflow.network import NetworkError, build_network
from mineralflow.policies import tariff_rates
from mineralflow.scenario import Scenario
from mineralflow.scenario.execute import execute
from runs import result

EXPORTERS = ["ARE", "AUS", "CAN", "CHN", "DEU", "RUS"]


def _rates(years: list[int]) -> dict[tuple[str, int], float]:
    rates = tariff_rates(mf.load_pack("aluminium"), years, EXPORTERS)
    keys = zip(rates["exporter"], rates["year"], strict=True)
    return dict(zip(keys, rates["rate"], strict=True))


def test_section_232_duties_follow_their_dates_and_exemptions() -> None:
    rates = _rates([2018, 2024, 2025, 2026])
    # 2025: 25 % from 12 March, 50 % from 4 June; Canada was exempt before, others paid 10 %
    canada = (84 * 0.25 + 211 * 0.50) / 365
    assert rates[("CAN", 2025)] == pytest.approx(canada)
    assert rates[("ARE", 2025)] == pytest.approx(canada + 70 * 0.10 / 365)
    assert ("CAN", 2024) not in rates  # exempt since May 2019
    assert rates[("ARE", 2024)] == pytest.approx(0.10)
    assert rates[("RUS", 2024)] == rates[("RUS", 2026)] == pytest.approx(2.0)
    assert rates[("CAN", 2026)] == rates[("CHN", 2026)] == pytest.approx(0.50)
    # 2018: 10 % from 23 March, Australia exempt from 1 May
    assert rates[("AUS", 2018)] == pytest.approx(39 * 0.10 / 365)


def test_the_duties_raise_the_us_price_in_2025_as_published() -> None:
    prices = result("history-2025").tables.prices
    us = prices[(prices["region"] == "USA") & (prices["product"] == "aluminium")]
    by_year = us.set_index("year")["value"]
    assert by_year[2024] == pytest.approx(2.855, rel=0.01)
    assert by_year[2025] == pytest.approx(3.968, rel=0.05)  # MCS2026: 180 US cents/lb


def test_a_scenario_tariff_replaces_the_pack_duty() -> None:
    text = """
name: no-232
description: the US lifts its aluminium duties from 2026
pack: aluminium
years: [2024, 2027]
levers:
  - {type: tariff, region: USA, products: [aluminium], rate: 0, from_year: 2026}
"""
    lifted = execute(Scenario.from_text(text)).tables.prices
    base = result("baseline").tables.prices

    def us(table, year):  # type: ignore[no-untyped-def]
        row = table[(table["region"] == "USA") & (table["product"] == "aluminium")]
        return float(row.loc[row["year"] == year, "value"].iloc[0])

    assert us(lifted, 2025) == pytest.approx(us(base, 2025))
    assert us(lifted, 2026) < us(base, 2026) - 0.5  # the 50 % duty is about 1.4 USD/kg


def test_a_tariff_without_its_rate_is_refused(tmp_path: Path) -> None:
    pack = tmp_path / "aluminium"
    shutil.copytree(BUNDLED_DIR / "aluminium", pack)
    events = pack / "policy_events.csv"
    events.write_text(events.read_text().replace(",tariff,primary,,50,%,", ",tariff,primary,,50,,"))
    with pytest.raises(PackError, match=r"policy_events.csv, line \d+.*unit '%'"):
        mf.load_pack(str(pack))


def test_secondary_aluminium_counts_in_us_consumption_and_reliance() -> None:
    tables = result("baseline").tables
    output = tables.stage_output()
    us = output[(output["region"] == "USA") & (output["year"] == 2024)]
    assert us.set_index("stage")["value"]["secondary"] == pytest.approx(1.56e6)
    apparent = apparent_consumption(tables)
    at = (apparent["region"] == "USA") & (apparent["stage"] == "primary")
    assert apparent.loc[at & (apparent["year"] == 2024), "value"].iloc[0] == pytest.approx(5.83e6)
    nir = net_import_reliance(tables)
    row = nir[(nir["region"] == "USA") & (nir["stage"] == "primary") & (nir["year"] == 2024)]
    assert row["value"].iloc[0] == pytest.approx(62, abs=3)  # MCS2026: 62 %
    # scrap metal embodies no bauxite: traced flows leave the secondary stage, not smelting
    flows = tables.flows
    scrap = flows[(flows["stage"] == "secondary") & (flows["year"] == 2024)]
    assert scrap["value"].sum() == pytest.approx(1.56e6, rel=1e-6)
    assert set(scrap["origin"]) == {"USA"}


def test_a_recycling_stage_must_come_before_the_stages_that_take_its_output(
    tmp_path: Path,
) -> None:
    pack = tmp_path / "aluminium"
    shutil.copytree(BUNDLED_DIR / "aluminium", pack)
    stages = pack / "stages.csv"
    stages.write_text(stages.read_text().replace(",,primary,MF-DEF", ",,alumina,MF-DEF"))
    with pytest.raises(NetworkError, match=r"'secondary' must come before stage 'primary'"):
        build_network(mf.load_pack(str(pack)))


def test_shortage_is_rationing_at_the_cap_and_the_rest_is_demand_reduction(
    tmp_path: Path,
) -> None:
    """A pack whose buyers stop at four times the base price (the bundled pack's backstop,
    fifty times, binds in no bundled scenario) rations magnets under a full export ban."""
    pack = tmp_path / "rare_earths"
    shutil.copytree(BUNDLED_DIR / "rare_earths", pack)
    params = pack / "parameters.csv"
    params.write_text(
        re.sub(
            r"^max_price_multiple,(\w+),50,",
            r"max_price_multiple,\1,4,",
            params.read_text(),
            flags=re.M,
        )
    )
    text = (
        f"name: ban\ndescription: x\npack: {pack}\nyears: [2024, 2030]\n"
        "levers:\n  - {type: export_ban, region: CHN, from_year: 2026}\n"
    )
    run_result = execute(Scenario.from_text(text))
    base, ban = result("baseline").tables, run_result.tables
    for table in (base.shortage, base.demand_reduction, ban.shortage):
        assert (table["value"] >= 0).all()
    assert base.shortage["value"].max() == pytest.approx(0.0, abs=1e-6)  # no cap binds
    # a price rise that buyers answer is demand reduction, not shortage
    assert base.demand_reduction["value"].sum() > 0
    magnets = ban.shortage[(ban.shortage["unit"] == "t magnet") & (ban.shortage["year"] == 2026)]
    assert magnets["value"].sum() > 10_000
    # bought + rationed + given up = what the sector would buy at base-year prices (or
    # what it bought, where a low price drew more)
    (run,) = run_result.runs.values()
    keys = run.problem.demand_keys
    for year in (2026, 2030):
        parts = [ban.consumption, ban.shortage, ban.demand_reduction]
        frames = [p[(p["commodity"] == "rare_earths") & (p["year"] == year)] for p in parts]
        values = [f.set_index(["region", "sector"])["value"].reindex(keys) for f in frames]
        reference = run.reference_demand[year]
        expected = np.maximum(reference, values[0].to_numpy())
        assert sum(v.to_numpy() for v in values) == pytest.approx(expected, rel=1e-9, abs=1e-6)
