"""Bundled scenarios run once per test session and shared by the test modules."""

from __future__ import annotations

from functools import cache

from mineralflow.scenario import load_scenario
from mineralflow.scenario.execute import RunResult, execute


@cache
def result(name: str) -> RunResult:
    """The result of a bundled scenario, solved on first use."""
    return execute(load_scenario(name))
