"""The validation scorecard: what passes may not fall, what fails says why, the docs agree."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from conftest import CliResult
from mineralflow.scorecard import card
from mineralflow.scorecard.check import Tolerance
from runs import result

DOCS = Path(__file__).resolve().parents[1] / "docs" / "validation.md"

#: passing checks by section when this was last raised; a change that passes fewer fails.
#: The 2025 replay passed 16 while blocks were 5 % wide: Brazil's and Madagascar's mine
#: output rose by exactly one block (5 %, the checks' threshold); on curves whose blocks
#: follow the solution they rise 4.0 % and 4.3 % and fail (docs/validation.md)
PASSING = {
    "base year": 98,
    "baseline": 2,
    "replay 2025": 14,
    "hindcast 2010-2011": 3,
    "outlooks": 1,
}


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return card.scorecard(run=result)


def test_no_section_passes_fewer_checks_than_before(table: pd.DataFrame) -> None:
    passed = table.groupby("section")["passed"].sum().to_dict()
    for section, least in PASSING.items():
        assert passed.get(section, 0) >= least, section


def test_every_failing_check_says_why_and_every_check_has_its_own_id(table: pd.DataFrame) -> None:
    failing = table[~table["passed"]]
    assert not (failing["reason"] == "no reason recorded").any(), failing["id"].tolist()
    assert (table.loc[table["passed"], "reason"] == "").all()
    assert table["id"].is_unique
    assert set(table["section"]) == set(card.SECTIONS)


def test_the_scorecard_checks_the_published_figures_it_names(table: pd.DataFrame) -> None:
    rows = table.set_index("id")
    us = rows.loc["base-year/apparent-consumption/aluminium/USA/primary/2024"]
    assert us["published"] == 5.83e6
    assert "MCS2026" in us["source"]
    nd = rows.loc["replay-2025/price/rare_earths/CHN/Nd/2025"]
    assert nd["published"] == 73
    assert nd["tolerance"] == "±20%"
    # base-year outputs are fitted: the calibration passes through them
    fitted = table[(table["section"] == "base year") & (table["metric"] == "production")]
    assert fitted[fitted["region"] != "WLD"]["passed"].all()


def test_the_docs_hold_the_table_the_scorecard_prints(table: pd.DataFrame) -> None:
    text = DOCS.read_text(encoding="utf-8")
    found = re.search(r"<!-- scorecard:start -->\n(.*)<!-- scorecard:end -->", text, re.S)
    assert found, "docs/validation.md has no scorecard section"
    assert found.group(1) == card.markdown(table), (
        "docs/validation.md is out of date: paste `mineralflow validate --markdown` there"
    )


@pytest.mark.parametrize(
    ("tolerance", "published", "model", "passes"),
    [
        (Tolerance("relative", 0.05), 100.0, 104.9, True),
        (Tolerance("relative", 0.05), 100.0, 94.0, False),
        (Tolerance("points", 3), 62.0, 64.5, True),
        (Tolerance("points", 3), 62.0, 84.0, False),
        (Tolerance("factor", 2), 10.2, 5.2, True),
        (Tolerance("factor", 2), 12.2, 2.4, False),
        (Tolerance("direction", 5), 93.0, 12.0, True),
        (Tolerance("direction", 5), 93.0, 1.25, False),
        (Tolerance("direction", 5), -50.0, 0.0, False),
        (Tolerance("max"), 25.0, 57.5, False),
        (Tolerance("min"), 95.0, 97.0, True),
        (Tolerance("below"), 0.0, -800.0, True),
        (Tolerance("relative", 0.2), 73.0, float("nan"), False),
    ],
)
def test_tolerances(tolerance: Tolerance, published: float, model: float, passes: bool) -> None:
    assert tolerance.passes(published, model) is passes


def test_validate_prints_the_scorecard_as_json(run_cli) -> None:  # type: ignore[no-untyped-def]
    got: CliResult = run_cli("validate", "--json", "--failing")
    assert got.code == 0, got.err
    doc = json.loads(got.out)
    totals = {row["section"]: row for row in doc["summary"]}
    assert set(totals) == set(card.SECTIONS)
    failed = sum(row["failed"] for row in doc["summary"])
    assert len(doc["checks"]) == failed
    assert all(not c["passed"] for c in doc["checks"])
    assert all(c["reason"] for c in doc["checks"])
