"""Bundled scenarios run once per test session and shared by the test modules."""

from __future__ import annotations

from functools import cache
from typing import Any

from mineralflow.scenario import Scenario, load_scenario
from mineralflow.scenario.execute import RunResult, execute


@cache
def result(name: str) -> RunResult:
    """The result of a bundled scenario, solved on first use."""
    return execute(load_scenario(name))


def rare_earth_scenario(
    name: str, description: str, levers: list[dict[str, Any]], years: tuple[int, int] = (2024, 2026)
) -> Scenario:
    """A scenario of the rare-earth pack alone with ``levers``, for tests of one lever."""
    return Scenario.model_validate(
        {
            "name": name,
            "description": description,
            "pack": "rare_earths",
            "years": list(years),
            "levers": levers,
        }
    )
