"""Extraterritorial licensing: exports of products made abroad with the controller's material."""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import pytest

from mineralflow.dynamics import Run
from mineralflow.extraterritorial import RULE
from mineralflow.metrics.origins import TraceLayout
from mineralflow.scenario import Scenario
from mineralflow.scenario.execute import execute, prepare
from mineralflow.scenario.loading import ScenarioError
from runs import rare_earth_scenario

HEAVY = ["Sm", "Gd", "Tb", "Dy", "Y", "Eu", "other"]


def _scenario(**rule: Any) -> Scenario:
    levers = []
    if rule:
        levers.append(
            {"type": "extraterritorial_licensing", "region": "CHN", "elements": HEAVY,
             "from_year": 2025, **rule}
        )  # fmt: skip
    return rare_earth_scenario(
        "rule", "China's licences reach products made abroad from 2025", levers
    )


@cache
def _run(**rule: Any) -> Run:
    return execute(_scenario(**rule)).runs["rare_earths"]


def _rows(run: Run, year: int) -> list[tuple[str, float, float, float]]:
    """(name, exports reached, supply, share shippable) of every rule row in ``year``."""
    lay = run.problem.layout
    matrix = run.problem.matrix.tocsr()
    start = lay.row("limit").start
    x = run.raw[year].x
    out = []
    names = [n for n in run.problem.limit_names if n.startswith(RULE)]
    for name, factor in zip(names, run.rule_factors[year], strict=True):
        row = matrix[start + run.problem.limit_names.index(name)]
        values = row.data * x[row.indices]
        exports, supply = values[row.data > 0].sum(), -values[row.data < 0].sum()
        out.append((name, float(exports), float(supply), float(factor)))
    return out


def test_reached_exports_stay_within_the_uncovered_share_of_supply() -> None:
    run = _run(approved=0.0)
    assert all((run.rule_factors[2024] == 1.0).tolist())  # before the rule is in force
    rows = _rows(run, 2026)
    assert rows
    assert any(f < 0.9 for *_, f in rows)
    for name, exports, supply, factor in rows:
        assert 0.0 <= factor <= 1.0, name
        assert exports <= factor * supply + 1e-3, name


def test_the_controllers_own_exports_are_not_rows_of_the_rule() -> None:
    names = [n for n in _run(approved=0.0).problem.limit_names if n.startswith(RULE)]
    assert names
    assert not any(n.split(") ")[1].startswith("CHN ") for n in names)


def test_the_strict_reading_ships_only_the_approved_share_of_a_covered_plant() -> None:
    run = _run(approved=0.25, kept_apart=False)
    rows = _rows(run, 2026)
    # a plant over the threshold ships the approved share of its supply; one that sheds its
    # covered inputs when restricted settles between the two readings of its flows
    assert all(0.25 - 1e-12 <= f <= 1.0 for *_, f in rows)
    assert any(f == pytest.approx(0.25) for *_, f in rows)
    for name, exports, supply, factor in rows:
        assert exports <= factor * supply + 1e-3, name


def test_a_rule_that_approves_everything_changes_nothing() -> None:
    free, everything = _run(), _run(approved=1.0)
    assert not [n for n in everything.problem.limit_names if n.startswith(RULE)]
    for year in free.years:
        assert np.array_equal(free.raw[year].x, everything.raw[year].x)


def test_covered_shares_are_shares_and_the_controllers_material_is_covered() -> None:
    plan = prepare(_scenario(approved=0.0)).packs[0].plan
    run = _run(approved=0.0)
    tracer = TraceLayout(run.network, run.problem)
    covered = plan.rules.covered(tracer, run.raw[2025].x)
    assert covered.shape == (1, len(run.problem.nodes))
    assert ((covered >= 0.0) & (covered <= 1.0)).all()
    # what China makes is covered whole; its pools also hold a little imported material
    assert (covered[0][plan.rules.sources[0]] > 0.99).all()
    # a node fed by nothing covered covers nothing: Australia's concentrate
    at = run.problem.nodes.get_loc(("AUS", "concentrate|mount_weld"))
    assert covered[0, at] == 0.0


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"exempt": ["XYZ"]}, "exempt[0]"),
        (
            {
                "elements": [],
                "products": ["concentrate|mountain_pass"],
                "exempt": ["AUS", "EST", "FRA", "LAO", "MYS", "ROW", "RUS", "ZAF"],
            },
            "reaches no trade",
        ),
        ({"approved": 1.5}, "less than or equal to 1"),
    ],
)
def test_mistakes_name_the_field(rule: dict[str, Any], expected: str) -> None:
    with pytest.raises((ScenarioError, ValueError)) as caught:
        execute(_scenario(**rule))
    assert expected in str(caught.value)
