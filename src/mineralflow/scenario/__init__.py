"""Scenarios: YAML files that state a question as policy levers on a pack."""

from mineralflow.scenario.levers import LEVER_TYPES, Lever
from mineralflow.scenario.loading import (
    BUNDLED,
    ScenarioError,
    bundled_scenarios,
    load_scenario,
    read_yaml,
    scenario_path,
)
from mineralflow.scenario.model import Scenario

__all__ = [
    "BUNDLED",
    "LEVER_TYPES",
    "Lever",
    "Scenario",
    "ScenarioError",
    "bundled_scenarios",
    "load_scenario",
    "read_yaml",
    "scenario_path",
]
