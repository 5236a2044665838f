"""Running a scenario: calibrate each of its packs, compile its levers, simulate, report.

Calibrations are kept for the life of the process (one per pack, base year and elasticity
override), so that comparing scenarios of one pack calibrates it once.  A scenario whose
levers cannot all hold in some year is diagnosed by leaving out one constraining lever at a
time: the message names the levers without which the year solves.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from mineralflow.data.pack import Pack, load_pack
from mineralflow.data.validate import LINE
from mineralflow.dynamics import Plan, Run, simulate
from mineralflow.errors import SelectionError
from mineralflow.market.calibration import Calibration, calibrate
from mineralflow.market.errors import InfeasibleError
from mineralflow.network import build_network
from mineralflow.results import iamc_frame
from mineralflow.scenario.compile import compile_plan
from mineralflow.scenario.levers import HARD_LEVERS, Elasticity
from mineralflow.scenario.loading import ScenarioError
from mineralflow.scenario.model import Scenario

_CALIBRATIONS: OrderedDict[tuple, Calibration] = OrderedDict()
_KEEP = 6


@dataclass
class ScenarioResult:
    """A solved scenario: one run per pack and the IAMC table of all of them."""

    scenario: Scenario
    runs: dict[str, Run]
    frame: pd.DataFrame
    wall_seconds: float = 0.0
    from_store: bool = False
    run_id: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


def with_elasticities(pack: Pack, levers: list[Elasticity]) -> Pack:
    """A copy of ``pack`` whose elasticities table carries the scenario's overrides."""
    if not levers:
        return pack
    table = pack.tables["elasticities"].copy()
    for lever in levers:
        match = (
            (table["scope"] == lever.scope)
            & (table["kind"] == lever.kind)
            & (table["horizon"] == lever.horizon)
        )
        if match.any():
            table.loc[match, "value"] = lever.value
            table.loc[match, "note"] = "scenario override"
        else:
            row = dict.fromkeys(table.columns) | {
                "scope": lever.scope,
                "kind": lever.kind,
                "horizon": lever.horizon,
                "value": lever.value,
                "source_id": "SCENARIO",
                "confidence": "E",
                "note": "scenario override",
                LINE: 0,
            }
            table = pd.concat([table, pd.DataFrame([row])], ignore_index=True)
    return Pack(pack.path, pack.manifest, {**pack.tables, "elasticities": table})


def calibration_for(pack: Pack, base: int, levers: list[Elasticity]) -> Calibration:
    key = (str(pack.path.resolve()), base, tuple(lev.model_dump_json() for lev in levers))
    cal = _CALIBRATIONS.get(key)
    if cal is None:
        cal = calibrate(pack, build_network(pack, base), base)
        _CALIBRATIONS[key] = cal
        while len(_CALIBRATIONS) > _KEEP:
            _CALIBRATIONS.popitem(last=False)
    else:
        _CALIBRATIONS.move_to_end(key)
    return cal


def pack_years(pack: Pack) -> tuple[int, int]:
    """Years a pack can run: from its earliest production year to the end of its outlook."""
    production = pack.table("production")
    first = int(production["year"].min())
    last = pack.manifest.base_year
    if "demand_growth" in pack.tables:
        last = max(last, int(pack.table("demand_growth")["end_year"].max()))
    return first, last


def _years(scenario: Scenario, pack: Pack) -> tuple[int, int]:
    first, last = scenario.years
    lo, hi = pack_years(pack)
    base = (
        scenario.base_year
        if scenario.base_year is not None
        else min(first, pack.manifest.base_year)
    )
    if last > hi:
        raise ScenarioError(
            f"{scenario.where(None, 'years')}: {last} is beyond pack '{pack.name}', whose "
            f"outlook ends in {hi} (demand_growth.csv); allowed years: {lo}-{hi}"
        )
    if base < lo or not (pack.table("production")["year"] == base).any():
        raise ScenarioError(
            f"{scenario.where(None, 'years' if scenario.base_year is None else 'base_year')}: "
            f"pack '{pack.name}' has no production data for {base} to calibrate to; "
            f"allowed years: {lo}-{hi}"
        )
    return base, last


def _prepare(
    scenario: Scenario, name: str, until: int | None = None
) -> tuple[Pack, Calibration, Plan, int]:
    """The pack (with overrides), its calibration and the compiled plan, for one pack."""
    try:
        pack = load_pack(name)
    except SelectionError as exc:
        raise ScenarioError(f"{scenario.where(None, 'pack')}: {exc}") from None
    base, last = _years(scenario, pack)
    if until is not None:
        last = until
    levers = scenario.levers_for(name)
    overrides = [lev for _, lev in levers if isinstance(lev, Elasticity)]
    pack = with_elasticities(pack, overrides)
    cal = calibration_for(pack, base, overrides)

    def base_exports() -> pd.Series:
        return simulate(pack, (base, base), base_year=base, calibration=cal).solution(base).trade

    plan = compile_plan(scenario, name, pack, cal, list(range(base, last + 1)), base_exports)
    return pack, cal, plan, last


def check_scenario(scenario: Scenario) -> None:
    """Check every lever against its pack (names, years), without solving the scenario."""
    for name in scenario.packs:
        _prepare(scenario, name)


def _simulate_pack(
    scenario: Scenario,
    name: str,
    progress: Callable[[int, int], None] | None,
    until: int | None = None,
) -> Run:
    """Simulate one pack; ``progress(year, total)`` after each of its ``total`` years."""
    pack, cal, plan, last = _prepare(scenario, name, until)
    base = cal.year
    total = last - base + 1
    return simulate(
        pack,
        (scenario.years[0], last),
        base_year=base,
        calibration=cal,
        plan=plan,
        progress=None if progress is None else (lambda year: progress(year, total)),
    )


def _conflict(scenario: Scenario, name: str, exc: InfeasibleError) -> ScenarioError:
    """Name the levers without which the failing year solves."""
    year = exc.year
    hard = [(k, lever) for k, lever in scenario.levers_for(name) if isinstance(lever, HARD_LEVERS)]
    culprits = []
    for k, lever in hard:
        trial = scenario.model_copy(
            update={"levers": [lev for j, lev in enumerate(scenario.levers) if j != k]}
        )
        try:
            _simulate_pack(trial, name, None, until=year)
        except InfeasibleError:
            continue
        culprits.append((k, lever))
    listed = culprits or hard
    names = "; ".join(f"levers[{k}] {lever.summary()}" for k, lever in listed)
    if culprits:
        why = "without any one of these the year solves"
    elif hard:
        why = "no single one of these explains it; together they cannot hold"
    else:
        why = "no lever constrains quantities; the pack's own constraints cannot hold"
    return ScenarioError(
        f"scenario '{scenario.name}' cannot be solved in {year}: its levers conflict: {names} "
        f"({why}). The market reports: {exc}"
    )


def execute(
    scenario: Scenario, progress: Callable[[str, int, int], None] | None = None
) -> ScenarioResult:
    """Run every pack of ``scenario`` and gather the results in one IAMC table.

    ``progress(pack, year, total)`` is called after each solved year of each pack.
    """
    started = time.perf_counter()
    runs: dict[str, Run] = {}
    frames = []
    for name in scenario.packs:
        tick = None if progress is None else (lambda year, total, n=name: progress(n, year, total))
        try:
            run = _simulate_pack(scenario, name, tick)
        except InfeasibleError as exc:
            raise _conflict(scenario, name, exc) from None
        runs[name] = run
        frames.append(iamc_frame(run, scenario.name, first_year=scenario.years[0]))
    frame = pd.concat(frames, ignore_index=True)
    return ScenarioResult(scenario, runs, frame, time.perf_counter() - started)
