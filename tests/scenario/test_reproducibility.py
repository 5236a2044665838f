"""Results depend on the inputs only: not on levers that bind nowhere, row order or processes.

The year LP breaks its ties by costs and node supplies drawn from labels
(mineralflow.market.ties), so its optimum is unique: a constraint that holds anyway, or
another order of the same rows, cannot move any result.  Results are compared to 1e-9
relative, with a floor of 1e-6 (t, USD/kg or %) for values that are zero up to rounding.
"""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mineralflow.data.pack import BUNDLED_DIR
from mineralflow.scenario import Scenario, load_scenario
from mineralflow.scenario.execute import execute

YEARS = (2024, 2030)
KEY = ["region", "variable", "unit", "year"]
SETTINGS = settings(
    max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _scenario(levers: list[dict[str, Any]], pack: str | list[str] = "rare_earths") -> Scenario:
    return Scenario.model_validate(
        {
            "name": "probe",
            "description": "a probe of reproducibility",
            "pack": pack,
            "years": list(YEARS),
            "levers": levers,
        }
    )


def _frame(scenario: Scenario) -> pd.DataFrame:
    return execute(scenario).frame


@pytest.fixture(scope="module")
def plain() -> pd.DataFrame:
    return _frame(_scenario([]))


def assert_same(a: pd.DataFrame, b: pd.DataFrame, before: int | None = None) -> None:
    """Every result of ``a`` equals ``b``'s (only years before ``before``, if given)."""
    if before is not None:
        a, b = a[a["year"] < before], b[b["year"] < before]
    both = a.merge(b, on=KEY, how="outer", suffixes=("_a", "_b"))
    va = both["value_a"].fillna(0.0).to_numpy(float)
    vb = both["value_b"].fillna(0.0).to_numpy(float)
    close = np.isclose(va, vb, rtol=1e-9, atol=1e-6)
    assert close.all(), both.loc[~close, [*KEY, "value_a", "value_b"]].head(10).to_string()


#: (exporter, selection) pairs that select some trade in the rare-earth pack, in one unit
#: (a tonnage quota cannot add t REO and t magnet; that is a user error with its own test)
EXPORTS = st.sampled_from(
    [
        ("CHN", {"products": ["Dy", "Tb"]}),
        ("CHN", {"stages": ["magnet"]}),
        ("AUS", {"products": ["Nd", "Pr"]}),
        ("USA", {"stages": ["mining", "separation"]}),
        ("MYS", {"stages": ["separation"]}),
    ]
)
FIRST = st.integers(YEARS[0] + 1, YEARS[1])


@st.composite
def binding_nowhere(draw: st.DrawFn) -> dict[str, Any]:
    """A lever that holds anyway: a quota above any flow, a zero tariff or export tax."""
    kind = draw(st.sampled_from(["export_quota", "tariff", "export_tax"]))
    region, selection = draw(EXPORTS)
    lever: dict[str, Any] = {"type": kind, "from_year": draw(FIRST), **selection}
    if kind == "export_quota":
        lever |= {"region": region, "tonnes": 1e9}
    elif kind == "tariff":
        lever |= {"region": draw(st.sampled_from(["USA", "JPN", "DEU"]))}
        lever |= draw(st.sampled_from([{"rate": 0.0}, {"usd_per_kg": 0.0}]))
    else:
        lever |= {"region": region, "rate": 0.0}
    return lever


@st.composite
def binding(draw: st.DrawFn, start: st.SearchStrategy[int]) -> dict[str, Any]:
    """A lever that changes the market from its first year ``start`` on."""
    first = draw(start)
    return draw(
        st.sampled_from(
            [
                {"type": "export_ban", "region": "CHN", "stages": ["magnet"], "from_year": first},
                {"type": "tariff", "region": "USA", "rate": 0.5, "from_year": first},
                {"type": "export_quota", "region": "CHN", "products": ["Dy"], "tonnes": 50.0,
                 "from_year": first},
                {"type": "stockpile", "region": "USA", "product": "Dy", "action": "build",
                 "tonnes": 100.0, "from_year": first},
                {"type": "capacity_project", "region": "USA", "stage": "separation",
                 "capacity": 5000.0, "start_year": first},
                {"type": "demand_growth", "sector": "wind", "rate": 0.2, "from_year": first},
            ]
        )
    )  # fmt: skip


@SETTINGS
@given(lever=binding_nowhere())
def test_a_lever_that_binds_nowhere_changes_nothing(plain, lever) -> None:  # type: ignore[no-untyped-def]
    assert_same(plain, _frame(_scenario([lever])))


@SETTINGS
@given(lever=binding(st.integers(YEARS[1] + 1, 2045)))
def test_a_lever_after_the_last_year_changes_nothing(plain, lever) -> None:  # type: ignore[no-untyped-def]
    assert_same(plain, _frame(_scenario([lever])))


@SETTINGS
@given(lever=binding(st.integers(YEARS[0] + 2, YEARS[1])))
def test_no_lever_changes_a_year_before_its_first(plain, lever) -> None:  # type: ignore[no-untyped-def]
    first = lever.get("from_year", lever.get("start_year"))
    changed = _frame(_scenario([lever]))
    assert_same(plain, changed, before=first)
    with pytest.raises(AssertionError):
        assert_same(plain, changed)  # the lever does bind from its first year


def test_an_aluminium_quota_above_any_flow_changes_nothing() -> None:
    both = ["rare_earths", "aluminium"]
    quota = {"type": "export_quota", "pack": "aluminium", "region": "CHN", "tonnes": 1e10,
             "from_year": 2026}  # fmt: skip
    assert_same(_frame(_scenario([], both)), _frame(_scenario([quota], both)))


def _shuffled_packs(target: Path, seed: int) -> list[str]:
    """Copies of both bundled packs with the data rows of every table in another order."""
    rng = random.Random(seed)
    names = []
    for name in ("rare_earths", "aluminium"):
        shutil.copytree(BUNDLED_DIR / name, target / name)
        for table in (target / name).glob("*.csv"):
            head, *rows = table.read_text(encoding="utf-8").splitlines(keepends=True)
            rng.shuffle(rows)
            table.write_text(head + "".join(rows), encoding="utf-8")
        names.append(str(target / name))
    return names


@settings(
    max_examples=2, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 2**32 - 1))
def test_shuffled_pack_rows_give_identical_results(tmp_path_factory, seed) -> None:  # type: ignore[no-untyped-def]
    packs = _shuffled_packs(tmp_path_factory.mktemp("shuffled"), seed)
    both = ["rare_earths", "aluminium"]
    assert_same(_frame(_scenario([], both)), _frame(_scenario([], packs)))


def test_two_fresh_processes_export_identical_bytes(tmp_path: Path) -> None:
    scenario = tmp_path / "short.yaml"
    scenario.write_text(
        load_scenario("china-heavy-ree-controls-2025")
        .model_copy(update={"years": (2024, 2027), "base": None})
        .model_dump_json(by_alias=True, exclude_none=True),
        encoding="utf-8",
    )
    outputs = []
    for k in range(2):
        folder = tmp_path / f"out{k}"
        command = [sys.executable, "-c", "from mineralflow.cli import main; main()", "run",
                   str(scenario), "--no-store", "--export", str(folder),
                   "-f", "csv", "-f", "iamc", "-f", "parquet"]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, done.stderr
        outputs.append({p.name: p.read_bytes() for p in sorted(folder.iterdir())})
    assert set(outputs[0]) == {"results.csv", "results_iamc.csv", "results.parquet"}
    assert outputs[0] == outputs[1]
