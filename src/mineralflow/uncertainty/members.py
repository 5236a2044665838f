"""One member of an ensemble: the packs with a draw's factors applied, solved as a run.

A member changes only pack tables (parameters, elasticities, deposits' compositions and
projects' statuses), so it is the scenario itself on copies of its packs held in memory:
nothing is written to disk.  A pack that no
input touches keeps its own calibration, and so does one whose inputs change only what the
calibration does not read (:data:`AFTER_CALIBRATION`); the others are calibrated again.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from mineralflow.data.pack import Pack
from mineralflow.data.schema import ELASTICITY_INPUTS, HEAVY_SHARE_INPUT, PROJECT_INPUT
from mineralflow.data.validate import SHARE_PARAMETERS
from mineralflow.iamc import COLUMNS
from mineralflow.market.calibration import AFTER_CALIBRATION
from mineralflow.market.session import highs_seconds
from mineralflow.network import parameter_table
from mineralflow.scenario.execute import (
    CalibrationCache,
    PreparedPack,
    PreparedRun,
    RunResult,
    execute,
    prepare_calibrated,
    prepare_pack,
)
from mineralflow.scenario.model import Scenario
from mineralflow.uncertainty.inputs import UncertainInput

#: the columns that identify one result value
KEY = [c for c in COLUMNS if c != "value"]


def _scaled(table: pd.DataFrame, rows: pd.Series, scope: str, factor: float) -> None:
    """``value`` of ``rows`` (narrowed to ``scope`` unless 'all') times ``factor``, in place."""
    if scope != "all":
        rows = rows & (table["scope"] == scope)
    table.loc[rows, "value"] = table.loc[rows, "value"].astype(float) * factor


def member_pack(pack: Pack, inputs: list[UncertainInput], factors: np.ndarray) -> Pack:
    """A copy of ``pack`` with a member's inputs applied: parameters.csv and elasticities.csv
    values times their factors (shares kept at most 1), deposits' heavy shares, projects
    built or not."""
    params = pack.tables["parameters"].copy()
    elasticities = pack.tables["elasticities"].copy() if "elasticities" in pack.tables else None
    built = {i.scope: f > 0.5 for i, f in zip(inputs, factors, strict=True)
             if i.parameter == PROJECT_INPUT}  # fmt: skip
    composition = None
    for item, factor in zip(inputs, factors, strict=True):
        if item.parameter == PROJECT_INPUT:
            continue
        if item.parameter == HEAVY_SHARE_INPUT:
            composition = _heavier(pack, composition, item.scope, float(factor))
            continue
        if item.parameter in ELASTICITY_INPUTS and elasticities is not None:
            kind, horizon = ELASTICITY_INPUTS[item.parameter]
            rows = elasticities["kind"] == kind
            if horizon is not None:
                rows &= elasticities["horizon"] == horizon
            _scaled(elasticities, rows, item.scope, float(factor))
        else:
            _scaled(params, params["parameter"] == item.parameter, item.scope, float(factor))
    shares = params["parameter"].isin(SHARE_PARAMETERS)
    params.loc[shares, "value"] = params.loc[shares, "value"].astype(float).clip(upper=1.0)
    tables = {**pack.tables, "parameters": params}
    if elasticities is not None:
        tables["elasticities"] = elasticities
    if built:
        tables.update(_drawn_projects(pack, built))
    if composition is not None:
        tables["deposit_composition"] = composition
    return Pack(pack.path, pack.manifest, tables)


#: the most of a deposit that its heavy elements may make up after a factor
MOST_HEAVY = 0.95


def _heavier(
    pack: Pack, composition: pd.DataFrame | None, deposit: str, factor: float
) -> pd.DataFrame:
    """deposit_composition.csv with the heavy elements' shares of ``deposit`` (or of every
    one, 'all') times ``factor`` and the light ones scaled to keep each deposit's sum."""
    table = (pack.tables["deposit_composition"] if composition is None else composition).copy()
    groups = pack.tables["elements"].set_index("symbol")["group"]
    heavy = table["element"].map(groups).eq("heavy").to_numpy()
    share = table["share"].to_numpy(float, copy=True)
    for name in sorted(set(table["deposit"])) if deposit == "all" else [deposit]:
        rows = (table["deposit"] == name).to_numpy()
        total, part = share[rows].sum(), share[rows & heavy].sum()
        if part <= 0 or part >= total:
            continue
        new_part = min(part * factor, MOST_HEAVY * total)
        share[rows & heavy] *= new_part / part
        share[rows & ~heavy] *= (total - new_part) / (total - part)
    table["share"] = share
    return table


def _drawn_projects(pack: Pack, built: dict[str, bool]) -> dict[str, pd.DataFrame]:
    """projects.csv and project_status.csv where each drawn project is built for certain
    (a status of chance 1, decided as its own) or not at all (chance 0).  No project is
    removed: the network keeps the regions its projects bring."""
    projects, statuses = pack.tables["projects"].copy(), pack.tables["project_status"]
    decided = dict(zip(statuses["status"], statuses["decided"], strict=True))
    drawn = projects["project"].map(built)
    goes, not_built = drawn.eq(True).to_numpy(), drawn.eq(False).to_numpy()
    projects.loc[goes, "status"] = "drawn-" + projects.loc[goes, "status"].map(decided).astype(str)
    projects.loc[not_built, "status"] = "drawn-out"
    extra = pd.DataFrame(
        {
            "status": ["drawn-yes", "drawn-no", "drawn-out"],
            "probability": [1.0, 1.0, 0.0],
            "decided": ["yes", "no", "yes"],
        }
    )
    extra = extra.reindex(columns=statuses.columns)  # fmt: skip
    return {"projects": projects, "project_status": pd.concat([statuses, extra], ignore_index=True)}


class MemberRunner:
    """Solves members of one scenario: its packs loaded once, their own calibrations kept
    between members."""

    def __init__(
        self, scenario: Scenario, packs: dict[str, Pack], inputs: list[UncertainInput]
    ) -> None:
        self.scenario, self.packs, self.inputs = scenario, packs, inputs
        self.kept = CalibrationCache(keep=len(packs))  # the packs' own calibrations
        self.own: dict[str, PreparedPack] = {}  # each pack as the scenario has it
        self.recalibrate = False  # calibrate every changed pack again (to check the shortcut)
        self.solver_seconds = 0.0  # HiGHS time of the last member: calibration and years

    def central(self) -> RunResult:
        """The run with the packs' own estimates, on the calibrations members keep."""
        parts = [self._own(key, pack) for key, pack in self.packs.items()]
        return execute(PreparedRun(self.scenario, parts))

    def _own(self, key: str, pack: Pack) -> PreparedPack:
        """Pack ``key`` as the scenario has it, prepared once."""
        own = self.own.get(key)
        if own is None:
            own = self.own[key] = prepare_pack(self.scenario, key, self.kept, pack)
        return own

    def frame(self, factors: np.ndarray) -> pd.DataFrame:
        """The member's IAMC results."""
        in_highs = highs_seconds()
        parts = [self._prepared(key, pack, factors) for key, pack in self.packs.items()]
        result = execute(PreparedRun(self.scenario, parts))
        self.solver_seconds = highs_seconds() - in_highs
        return result.frame

    def _prepared(self, key: str, pack: Pack, factors: np.ndarray) -> PreparedPack:
        """Pack ``key`` with the member's factors: on the pack's own calibration where they
        change only what the calibration does not read, calibrated again otherwise."""
        mine = [j for j, item in enumerate(self.inputs) if item.pack == key]
        if not mine:
            return self._own(key, pack)
        changed = member_pack(pack, [self.inputs[j] for j in mine], factors[mine])
        if self.recalibrate or any(self.inputs[j].parameter not in AFTER_CALIBRATION for j in mine):
            return prepare_pack(self.scenario, key, CalibrationCache(keep=1), changed)
        own = self._own(key, pack)  # prepared once, on the first member that takes the shortcut
        stages = list(own.calibration.stage_params.index)
        cal = replace(own.calibration, stage_params=parameter_table(changed, stages))
        return prepare_calibrated(self.scenario, key, changed, cal)

    def row_values(self, factors: np.ndarray, index: pd.MultiIndex) -> np.ndarray:
        """The member's result values in the order of ``index`` (NaN where it has none)."""
        frame = self.frame(factors)
        return frame.set_index(KEY)["value"].reindex(index).to_numpy(float)
