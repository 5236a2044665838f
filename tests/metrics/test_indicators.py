"""Indicators from result tables: shares, HHI and USGS net import reliance."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mineralflow.data.pack import load_pack
from mineralflow.errors import MineralflowError
from mineralflow.metrics.indicators import hhi, net_import_reliance, shares
from mineralflow.metrics.supply_risk import (
    hhi_wgi,
    reference_values,
    scaled_governance,
    supply_risk,
)
from mineralflow.tables import Tables
from runs import result


def _frame(rows: list[tuple[str, str, float]], year: int = 2024) -> Tables:
    """Tables of one commodity from (region, "Kind|Commodity|Stage", t) rows."""
    parts: dict[str, list[dict[str, object]]] = {}
    for region, variable, value in rows:
        kind, commodity, stage = variable.split("|")
        row = {"commodity": commodity, "region": region, "stage": stage, "year": year,
               "value": value, "unit": "t"}  # fmt: skip
        if kind == "Production":
            parts.setdefault("production", []).append(row | {"product": stage})
        elif kind in ("Imports", "Exports"):
            parts.setdefault("trade", []).append(row | {"direction": kind.lower()})
        else:
            parts.setdefault("stock_change", []).append(row)
    return Tables.of(**{k: pd.DataFrame(v) for k, v in parts.items()})


def test_usgs_reliance_reproduces_the_published_us_aluminium_figure() -> None:
    # USGS MCS2026, aluminum, 2024 (kt): primary 676 + old scrap 1,560; imports 4,840; exports
    # 1,360; apparent consumption 5,830, so stocks fell by 114; net import reliance 62 %
    frame = _frame(
        [
            ("USA", "Production|Aluminium|Metal", 676 + 1_560),
            ("USA", "Imports|Aluminium|Metal", 4_840),
            ("USA", "Exports|Aluminium|Metal", 1_360),
            ("USA", "Stock Change|Aluminium|Metal", -114),
        ]
    )
    out = net_import_reliance(frame).set_index("region")
    assert round(out.loc["USA", "value"]) == 62
    assert (out.loc["USA", "commodity"], out.loc["USA", "stage"]) == ("Aluminium", "Metal")


def test_a_net_exporter_has_negative_reliance_and_no_consumption_gives_none() -> None:
    frame = _frame(
        [
            ("CHN", "Production|X|Stage", 100),
            ("CHN", "Exports|X|Stage", 40),
            ("AUS", "Production|X|Stage", 10),
            ("AUS", "Exports|X|Stage", 10),
        ]
    )
    out = net_import_reliance(frame).set_index("region")["value"]
    assert out["CHN"] == pytest.approx(-40 / 60 * 100)
    assert "AUS" not in out.index


@given(st.lists(st.floats(0.0, 1e6), min_size=1, max_size=8).filter(lambda v: sum(v) > 1))
def test_shares_sum_to_100_and_hhi_is_between_bounds(values: list[float]) -> None:
    rows = [(f"R{i}", "Production|X|Mining", v) for i, v in enumerate(values)]
    frame = _frame(rows)
    share = shares(frame)
    assert share["value"].sum() == pytest.approx(100, rel=1e-9)
    index = float(hhi(frame)["value"].iloc[0])
    assert 10_000 / len(values) - 1e-6 <= index <= 10_000 + 1e-6


def test_hhi_wgi_weights_squared_shares_by_governance() -> None:
    governance = pd.Series({"AAA": 2.0, "BBB": 8.0})
    assert hhi_wgi(pd.Series({"AAA": 100.0}), governance) == pytest.approx(2.0)
    # two equal producers: 0.25 * 2 + 0.25 * 8
    assert hhi_wgi(pd.Series({"AAA": 1.0, "BBB": 1.0}), governance) == pytest.approx(2.5)
    with pytest.raises(MineralflowError, match=r"governance.csv: no governance estimate for CCC"):
        hhi_wgi(pd.Series({"AAA": 1.0, "CCC": 1.0}), governance)


def test_scaled_governance_of_china_from_the_2023_estimates() -> None:
    # WGI 2024 update, China 2023: va -1.50, pv -0.51, ge 0.68, rq -0.36, rl -0.04, cc -0.01
    scaled = scaled_governance(load_pack("rare_earths"))
    assert scaled["CHN"] == pytest.approx((2.5 + 1.74 / 6) * 2, abs=1e-9)  # 5.58
    assert scaled["MMR"] > scaled["CHN"] > scaled["JPN"]


def test_eu_supply_risk_of_heavy_rare_earths_matches_the_2023_assessment() -> None:
    """Model 2024 against EC-CRM-2023: HREE 5.1 (processing), LREE 3.7."""
    frame = result("baseline").frame
    sr = frame[frame["variable"].str.startswith("Supply Risk|Rare Earths|")]
    sr = sr[sr["year"] == 2024].set_index("variable")["value"]
    reference = reference_values(load_pack("rare_earths"))
    assert reference == {"LREE": 3.7, "HREE": 5.1}
    assert sr["Supply Risk|Rare Earths|HREE"] == pytest.approx(5.1, rel=0.1)
    # the model's EU buys its separated light oxides half from Malaysia: critical, but lower
    assert 1.0 < sr["Supply Risk|Rare Earths|LREE"] < sr["Supply Risk|Rare Earths|HREE"]
    assert set(sr.index.str.split("|").str[2]) == {"HREE", "LREE"}
    assert (frame.loc[frame["variable"].str.startswith("Supply Risk"), "region"] == "EU").all()


def test_supply_risk_names_a_material_without_its_parameters(re_copy: Path) -> None:
    table = re_copy / "supply_risk.csv"
    lines = table.read_text().splitlines()
    table.write_text("\n".join(line for line in lines if "si_sr" not in line) + "\n")
    with pytest.raises(MineralflowError, match=r"supply_risk.csv: material 'LREE' has no 'si_sr'"):
        supply_risk(result("baseline").tables, load_pack(re_copy))
