"""mineralflow: the rare-earth and aluminium supply chains, with every figure sourced.

One entry point for every caller: ``mf.Scenario`` (from YAML, text or a bundled name) ->
``mf.prepare`` -> ``mf.simulate`` -> a ``RunResult``; ``mf.compare`` and ``mf.report`` read
results; ``mf.ensemble`` runs a scenario over its packs' uncertain estimates.  Names are
imported on first use, so that ``import mineralflow`` (and the command line's start) stays
quick.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: public name -> module that defines it
_EXPORTS = {
    "CalibrationCache": "mineralflow.api",
    "PreparedRun": "mineralflow.api",
    "RunResult": "mineralflow.api",
    "compare": "mineralflow.api",
    "ensemble": "mineralflow.api",
    "prepare": "mineralflow.api",
    "report": "mineralflow.api",
    "simulate": "mineralflow.api",
    "Pack": "mineralflow.data.pack",
    "bundled_packs": "mineralflow.data.pack",
    "check_pack": "mineralflow.data.pack",
    "load_pack": "mineralflow.data.pack",
    "MineralflowError": "mineralflow.errors",
    "PackError": "mineralflow.errors",
    "SelectionError": "mineralflow.errors",
    "Scenario": "mineralflow.scenario.model",
    "ScenarioError": "mineralflow.scenario.loading",
    "bundled_scenarios": "mineralflow.scenario.loading",
}

__all__ = [
    "CalibrationCache",
    "MineralflowError",
    "Pack",
    "PackError",
    "PreparedRun",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "SelectionError",
    "__version__",
    "bundled_packs",
    "bundled_scenarios",
    "check_pack",
    "compare",
    "ensemble",
    "load_pack",
    "prepare",
    "report",
    "simulate",
]

if TYPE_CHECKING:
    from mineralflow.api import (
        CalibrationCache,
        PreparedRun,
        RunResult,
        compare,
        ensemble,
        prepare,
        report,
        simulate,
    )
    from mineralflow.data.pack import Pack, bundled_packs, check_pack, load_pack
    from mineralflow.errors import MineralflowError, PackError, SelectionError
    from mineralflow.scenario.loading import ScenarioError, bundled_scenarios
    from mineralflow.scenario.model import Scenario


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'mineralflow' has no attribute '{name}'")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
