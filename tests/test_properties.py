"""Invariants over random packs: edition choice, share checks and located errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mineralflow import PackError, load_pack
from mineralflow.data.pack import BUNDLED_DIR


def _pack_with_production(tmp: Path, rows: list[tuple[str, int, float, str]]) -> Path:
    folder = tmp / "p"
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(BUNDLED_DIR / "aluminium", folder)
    frame = pd.DataFrame(rows, columns=["region", "year", "value", "source_id"])
    frame.insert(1, "stage", "primary")
    frame.insert(4, "unit", "t Al")
    frame["confidence"] = "V"
    frame["note"] = ""
    frame.to_csv(folder / "production.csv", index=False)
    return folder


EDITIONS = ["USGS-MCS2024-AL", "USGS-MCS2025-AL", "USGS-MCS2026-AL"]
ROW = st.tuples(
    st.sampled_from(["USA", "CAN", "CHN", "RUS"]),
    st.integers(2015, 2025),
    st.floats(0, 1e8, allow_nan=False),
    st.sampled_from(EDITIONS),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(ROW, min_size=1, max_size=30, unique_by=lambda r: (r[0], r[1], r[3])))
def test_latest_edition_is_one_row_per_figure(
    tmp_path: Path, rows: list[tuple[str, int, float, str]]
) -> None:
    pack = load_pack(_pack_with_production(tmp_path, rows))
    latest = pack.select("production")
    assert not latest.duplicated(["region", "year"]).any()
    for (region, year), group in pd.DataFrame(rows).groupby([0, 1]):
        chosen = latest[(latest["region"] == region) & (latest["year"] == year)]
        newest = max(group[3], key=EDITIONS.index)
        assert chosen["source_id"].tolist() == [newest]
    assert len(pack.select("production", latest=False)) == len(rows)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(shares=st.lists(st.floats(0, 1, allow_nan=False), min_size=1, max_size=6))
def test_share_groups_must_sum_to_one(tmp_path: Path, shares: list[float]) -> None:
    folder = tmp_path / "p"
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(BUNDLED_DIR / "aluminium", folder)
    exporters = ["CAN", "ARE", "BHR", "CHN", "RUS", "ROW"][: len(shares)]
    frame = pd.DataFrame(
        {
            "importer": "USA",
            "exporter": exporters,
            "stage": "primary",
            "period_start": 2021,
            "period_end": 2024,
            "share": shares,
            "source_id": "USGS-MCS2026-AL",
            "confidence": "V",
            "note": "",
        }
    )
    frame.to_csv(folder / "import_sources.csv", index=False)
    if abs(sum(shares) - 1) <= 0.015:
        load_pack(folder)
        return
    with pytest.raises(PackError) as info:
        load_pack(folder)
    assert info.value.problems[0].file == "import_sources.csv"
    assert "must sum to 1" in info.value.problems[0].message


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    row=st.integers(0, 140),
    junk=st.text(min_size=1, max_size=8).filter(
        lambda s: (
            s.strip() != "" and "\n" not in s and "\r" not in s and "," not in s and '"' not in s
        )
    ),
)
def test_garbage_in_a_number_is_located(tmp_path: Path, row: int, junk: str) -> None:
    folder = tmp_path / "p"
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(BUNDLED_DIR / "aluminium", folder)
    frame = pd.read_csv(folder / "production.csv", dtype=str, keep_default_na=False)
    row = row % len(frame)
    try:
        float(junk)
        return  # a valid number is not garbage
    except ValueError:
        pass
    frame.loc[row, "value"] = junk
    frame.to_csv(folder / "production.csv", index=False)
    try:
        load_pack(folder)
    except PackError as exc:
        lines = {(p.file, p.line, p.column) for p in exc.problems}
        assert ("production.csv", row + 2, "value") in lines
    else:
        raise AssertionError("garbage accepted")
