"""Running a scenario: prepare each of its packs (calibration and plan), simulate, report.

:func:`prepare` does everything that does not depend on solving the years: it loads each
pack, calibrates it (through a :class:`CalibrationCache`, so that scenarios of one pack
calibrate it once) and compiles the levers into a plan.  The :class:`PreparedRun` it returns
is plain data (it pickles), so a worker process can receive it once and solve variants of
it.  :func:`execute` solves a prepared run into a :class:`RunResult`.

A scenario whose levers cannot all hold in some year is diagnosed by leaving out one
constraining lever at a time in that year alone: the message names the levers without which
the year solves, in time linear in the number of levers and capped.
"""

from __future__ import annotations

import functools
import time
import warnings
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from mineralflow.data.pack import Pack, load_pack
from mineralflow.dynamics import Plan, Run, simulate, state_at, year_solves
from mineralflow.errors import SelectionError
from mineralflow.iamc import to_iamc
from mineralflow.market.calibration import Calibration, calibrate
from mineralflow.market.curves import DEFAULT_EDGES, Edges
from mineralflow.market.errors import InfeasibleError
from mineralflow.network import build_network
from mineralflow.results import run_tables
from mineralflow.scenario.compile import compile_plan
from mineralflow.scenario.levers import HARD_LEVERS, Elasticity
from mineralflow.scenario.loading import ScenarioError
from mineralflow.scenario.model import Scenario
from mineralflow.tables import Tables

Progress = Callable[[str, int, int], None]


class CalibrationCache:
    """Calibrations by pack folder, base year and elasticity overrides (the newest few).

    Calibrating a pack takes about a second and is the same for every scenario of that
    pack and base year; one cache shared by the scenarios of a session calibrates it once.
    """

    def __init__(self, keep: int = 6, edges: Edges = DEFAULT_EDGES) -> None:
        self.keep = keep
        self.edges = edges  # the curves' resolution for every calibration it makes
        self._items: OrderedDict[tuple[str, int, tuple[str, ...]], Calibration] = OrderedDict()

    def get(self, pack: Pack, base: int, levers: list[Elasticity]) -> Calibration:
        key = (str(pack.path.resolve()), base, tuple(lev.model_dump_json() for lev in levers))
        cal = self._items.get(key)
        if cal is None:
            cal = calibrate(pack, build_network(pack, base), base, self.edges)
            self._items[key] = cal
            while len(self._items) > self.keep:
                self._items.popitem(last=False)
        else:
            self._items.move_to_end(key)
        return cal

    def __len__(self) -> int:
        return len(self._items)


@dataclass
class PreparedPack:
    """One pack of a scenario, ready to solve: the pack, its calibration and its plan."""

    key: str  # the pack as the scenario names it
    pack: Pack
    calibration: Calibration
    plan: Plan

    @property
    def years(self) -> list[int]:
        return self.plan.years


@dataclass
class PreparedRun:
    """A scenario with every pack prepared; plain data, so it can go to another process."""

    scenario: Scenario
    packs: list[PreparedPack]


@dataclass
class RunResult:
    """A solved (or stored) scenario: its tables and, when solved here, its runs.

    ``tables`` are the tidy results (:mod:`mineralflow.tables`); ``frame`` is their IAMC long
    table (model, scenario, region, variable, unit, year, value), built on first use.
    """

    scenario: Scenario
    tables: Tables
    runs: dict[str, Run] = field(default_factory=dict)
    wall_seconds: float = 0.0
    from_store: bool = False
    run_id: str | None = None
    iamc: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def frame(self) -> pd.DataFrame:
        """The IAMC long table (built once, then kept)."""
        if self.iamc is None:
            self.iamc = to_iamc(self.tables, self.scenario.name)
        return self.iamc

    def to_iamc(self) -> pd.DataFrame:
        """The results as an IAMC long table (a copy)."""
        return self.frame.copy()

    def as_pyam(self) -> object:
        """The results as a ``pyam.IamDataFrame`` (needs ``pip install mineralflow[pyam]``)."""
        try:
            import pyam  # noqa: PLC0415
        except ImportError:
            raise SelectionError(
                "pyam is not installed; install it with: pip install 'mineralflow[pyam]'"
            ) from None
        with warnings.catch_warnings():  # pyam's own use of deprecated pandas calls
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.simplefilter("ignore", FutureWarning)
            return pyam.IamDataFrame(self.frame)

    @property
    def solver_seconds(self) -> float:
        return sum(r.solver_seconds for r in self.runs.values())

    @property
    def years_solved(self) -> int:
        return sum(len(r.years) for r in self.runs.values())


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
            }
            table = pd.concat([table, pd.DataFrame([row])], ignore_index=True)
    return Pack(pack.path, pack.manifest, {**pack.tables, "elasticities": table})


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


def prepare_pack(
    scenario: Scenario,
    key: str,
    cache: CalibrationCache,
    pack: Pack | None = None,
    until: int | None = None,
) -> PreparedPack:
    """The pack ``key`` of ``scenario`` (with overrides), calibrated, its levers compiled;
    ``pack`` is the pack already loaded (an ensemble member's copy), or None to load it."""
    if pack is None:
        pack = scenario_pack(scenario, key)
    base, last = _years(scenario, pack)
    if until is not None:
        last = until
    levers = scenario.levers_for(key)
    overrides = [lev for _, lev in levers if isinstance(lev, Elasticity)]
    pack = with_elasticities(pack, overrides)
    cal = cache.get(pack, base, overrides)
    return PreparedPack(key, pack, cal, _plan(scenario, key, pack, cal, last))


def prepare_calibrated(
    scenario: Scenario, key: str, pack: Pack, calibration: Calibration
) -> PreparedPack:
    """The pack ``key`` of ``scenario`` on a calibration made before (an ensemble member
    that changes only what the calibration does not read), its levers compiled."""
    _, last = _years(scenario, pack)
    return PreparedPack(key, pack, calibration, _plan(scenario, key, pack, calibration, last))


def scenario_pack(scenario: Scenario, key: str) -> Pack:
    """The pack ``key`` of ``scenario``, loaded and validated."""
    try:
        return load_pack(key)
    except SelectionError as exc:
        raise ScenarioError(f"{scenario.where(None, 'pack')}: {exc}") from None


def _plan(scenario: Scenario, key: str, pack: Pack, cal: Calibration, last: int) -> Plan:
    """The levers of ``scenario`` for pack ``key`` compiled into a plan to ``last``."""
    base = cal.year

    @functools.cache
    def base_exports() -> pd.Series:
        """The base year's trade, solved once however many levers ask."""
        return simulate(pack, (base, base), base_year=base, calibration=cal).solution(base).trade

    return compile_plan(scenario, key, pack, cal, list(range(base, last + 1)), base_exports)


def prepare(scenario: Scenario, cache: CalibrationCache | None = None) -> PreparedRun:
    """Every pack of ``scenario`` calibrated and its levers compiled, nothing solved.

    Every lever is checked against its pack here, so a mistake is reported before any year
    is solved.
    """
    cache = CalibrationCache() if cache is None else cache
    return PreparedRun(scenario, [prepare_pack(scenario, key, cache) for key in scenario.packs])


def check_scenario(scenario: Scenario, cache: CalibrationCache | None = None) -> None:
    """Check every lever against its pack (names, years), without solving the scenario."""
    prepare(scenario, cache)


def _simulate_pack(part: PreparedPack, first: int, tick: Callable[[int], None] | None) -> Run:
    return simulate(
        part.pack,
        (first, part.years[-1]),
        base_year=part.calibration.year,
        calibration=part.calibration,
        plan=part.plan,
        progress=tick,
    )


#: longest time spent finding the levers behind an infeasible year (docs/reliability.md)
DIAGNOSIS_SECONDS = 30.0


def _conflict(scenario: Scenario, part: PreparedPack, exc: InfeasibleError) -> ScenarioError:
    """Name the levers without which the failing year solves.

    The years before it are solved once, with every lever; then the failing year alone is
    solved without each constraining lever in turn.  That is one year's LP per lever (time
    linear in the number of levers), stopped after :data:`DIAGNOSIS_SECONDS`.
    """
    year, key = exc.year, part.key
    started = time.perf_counter()
    hard = [(k, lever) for k, lever in scenario.levers_for(key) if isinstance(lever, HARD_LEVERS)]
    state = state_at(part.calibration, part.plan, year)
    culprits, tested = [], 0
    for k, lever in hard:
        if time.perf_counter() - started > DIAGNOSIS_SECONDS:
            break
        trial = scenario.model_copy(
            update={"levers": [lev for j, lev in enumerate(scenario.levers) if j != k]}
        )
        plan = _plan(trial, key, part.pack, part.calibration, year)
        tested += 1
        if year_solves(part.calibration, plan, state):
            culprits.append((k, lever))
    listed = culprits or hard
    names = "; ".join(f"levers[{k}] {lever.summary()}" for k, lever in listed)
    if culprits:
        why = "with the years before as they were, without any one of these the year solves"
    elif hard:
        why = "no single one of these explains it; together they cannot hold"
    else:
        why = "no lever constrains quantities; the pack's own constraints cannot hold"
    if tested < len(hard):
        why += f"; {tested} of {len(hard)} levers were tested in {DIAGNOSIS_SECONDS:.0f} s"
    return ScenarioError(
        f"scenario '{scenario.name}' cannot be solved in {year}: its levers conflict: {names} "
        f"({why}). The market reports: {exc}"
    )


def execute(
    scenario: Scenario | PreparedRun,
    progress: Progress | None = None,
    cache: CalibrationCache | None = None,
) -> RunResult:
    """Solve every pack of a scenario (or of a prepared run) into one set of tables.

    ``progress(pack, year, total)`` is called after each solved year of each pack.
    """
    started = time.perf_counter()
    cache = CalibrationCache() if cache is None else cache
    prepared = scenario if isinstance(scenario, PreparedRun) else prepare(scenario, cache)
    spec = prepared.scenario
    runs: dict[str, Run] = {}
    tables = []
    for part in prepared.packs:
        total = len(part.years)
        tick = None if progress is None else (lambda y, k=part.key, n=total: progress(k, y, n))
        try:
            run = _simulate_pack(part, spec.years[0], tick)
        except InfeasibleError as exc:
            raise _conflict(spec, part, exc) from None
        runs[part.key] = run
        tables.append(run_tables(run, first_year=spec.years[0]))
    return RunResult(spec, Tables.concat(tables), runs, time.perf_counter() - started)
