"""Indicators from IAMC rows: shares, HHI and USGS net import reliance."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mineralflow.metrics.indicators import hhi, net_import_reliance, shares


def _frame(rows: list[tuple[str, str, float]], year: int = 2024) -> pd.DataFrame:
    return pd.DataFrame(
        [(r, v, "t", year, x) for r, v, x in rows],
        columns=["region", "variable", "unit", "year", "value"],
    )


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
    assert out.loc["USA", "variable"] == "Net Import Reliance|Aluminium|Metal"


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
    rows.append(("World", "Production|X|Mining", sum(values)))
    frame = _frame(rows)
    share = shares(frame)
    assert share["value"].sum() == pytest.approx(100, rel=1e-9)
    index = float(hhi(frame)["value"].iloc[0])
    assert 10_000 / len(values) - 1e-6 <= index <= 10_000 + 1e-6
