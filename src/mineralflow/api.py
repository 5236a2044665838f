"""The Python entry point: one way in for scripts, notebooks, the CLI and workers.

    import mineralflow as mf
    result = mf.simulate("russia-50kt")           # bundled name, file path or mf.Scenario
    table = mf.compare(mf.simulate("baseline"), result)
    mf.report(result, "report.html", base=mf.simulate("baseline"))

Runs are recorded in the results store exactly as ``mineralflow run`` records them, and a
scenario whose inputs ran before is served from the store unless ``refresh`` is set.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

import pandas as pd

from mineralflow.errors import MineralflowError
from mineralflow.scenario.execute import (
    CalibrationCache,
    PreparedRun,
    RunResult,
    execute,
    prepare,
)
from mineralflow.scenario.loading import load_scenario
from mineralflow.scenario.model import Scenario
from mineralflow.tables import Tables

if TYPE_CHECKING:
    from mineralflow.store import ResultsStore
    from mineralflow.uncertainty import Ensemble

ScenarioLike = Scenario | str | Path
StoreLike: TypeAlias = "ResultsStore | str | Path | bool | None"


def as_scenario(scenario: ScenarioLike) -> Scenario:
    """A scenario object from a bundled name, a file path or a scenario."""
    return scenario if isinstance(scenario, Scenario) else load_scenario(scenario)


def _open_store(store: StoreLike) -> tuple[ResultsStore | None, bool]:
    """(store, whether this call opened it): None/True the default file, False none."""
    if store is False:
        return None, False
    from mineralflow.store import ResultsStore  # noqa: PLC0415  (DuckDB only when a store is used)

    if isinstance(store, ResultsStore):
        return store, False
    path = None if store is None or store is True else Path(store)
    return ResultsStore(path), True


def simulate(
    scenario: ScenarioLike | PreparedRun,
    *,
    store: StoreLike = None,
    refresh: bool = False,
    cache: CalibrationCache | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> RunResult:
    """Solve a scenario, or read it from the results store if the same inputs ran before.

    ``store``: ``None`` (the default store, ``$MINERALFLOW_STORE`` or the user data folder),
    a file path, an open :class:`ResultsStore`, or ``False`` to neither read nor record.
    ``cache`` shares calibrations between calls; ``progress(pack, year, total)`` is called
    after every solved year.
    """
    prepared = scenario if isinstance(scenario, PreparedRun) else None
    spec = prepared.scenario if prepared is not None else as_scenario(scenario)  # type: ignore[arg-type]
    opened, owned = _open_store(store)
    try:
        key = None
        if opened is not None:
            from mineralflow.store import run_key  # noqa: PLC0415

            key = run_key(spec)
        if opened is not None and key is not None and not refresh and opened.has(key[0]):
            tables, frame = opened.tables(key[0])
            return RunResult(spec, tables, from_store=True, run_id=key[0], iamc=frame)
        result = execute(prepared or spec, progress=progress, cache=cache)
        if opened is not None and key is not None:
            result.run_id = opened.save(
                spec, key, result.frame, result.wall_seconds, result.tables.names
            )
        return result
    finally:
        if owned and opened is not None:
            opened.close()


def ensemble(
    scenario: ScenarioLike,
    draws: int,
    *,
    seed: int = 0,
    workers: int = 1,
    method: str = "mc",
    scheduler: str | None = None,
    store: StoreLike = None,
    refresh: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Ensemble:
    """Run up to ``draws`` members of a scenario over its packs' uncertain estimates
    (``uncertainty.csv``), placed by ``method`` (mc, sobol or morris); the same ``seed`` gives
    the same ensemble on any number of ``workers`` or on a Dask ``scheduler`` (an address,
    or ``local:K``).  With workers, call it under ``if __name__ == "__main__":`` in a script
    (worker processes are started afresh and import the script).

    The ensemble is recorded in the results store (``store`` as for :func:`simulate`) and
    served from it when the same scenario, method, draws and seed ran before, unless
    ``refresh``; a served one has its quantiles and indices, not its members' own values.
    """
    from mineralflow.uncertainty import run_ensemble  # noqa: PLC0415
    from mineralflow.uncertainty.stored import (  # noqa: PLC0415
        ensemble_key,
        load_ensemble,
        save_ensemble,
    )

    spec = as_scenario(scenario)
    opened, owned = _open_store(store)
    try:
        key = None if opened is None else ensemble_key(spec, method, draws, seed)[0]
        if opened is not None and key is not None and not refresh and opened.has(key):
            return load_ensemble(opened, key, spec)
        result = run_ensemble(spec, draws, seed=seed, workers=workers, method=method,
                              scheduler=scheduler, progress=progress)  # fmt: skip
        if opened is not None:
            save_ensemble(opened, spec, result, draws)
        return result
    finally:
        if owned and opened is not None:
            opened.close()


def _tables(run: RunResult | Tables) -> Tables:
    return run.tables if isinstance(run, RunResult) else run


def compare(
    a: RunResult | Tables,
    b: RunResult | Tables,
    *,
    years: list[int] | None = None,
    top: int = 8,
) -> pd.DataFrame:
    """The most changed shares, prices, shortages and import reliances from ``a`` to ``b``.

    One row per (group, variable, name, region, unit, year) with ``a``, ``b``, ``change`` and
    ``change_pct``; ``years`` defaults to 5-year steps.
    """
    from mineralflow.comparison import compare as compare_frames  # noqa: PLC0415

    return compare_frames(_tables(a), _tables(b), years, top)


def report(
    result: RunResult,
    out: str | Path,
    *,
    base: RunResult | None = None,
    lang: str = "en",
    ensemble: Ensemble | None = None,
) -> Path:
    """Write the self-contained HTML report of ``result`` (against ``base``) to ``out``;
    with an ``ensemble`` of the same scenario, with its ranges and fan charts."""
    from mineralflow.data.pack import load_pack  # noqa: PLC0415
    from mineralflow.files import check_target  # noqa: PLC0415
    from mineralflow.reporting import html  # noqa: PLC0415
    from mineralflow.reporting.i18n import check_language  # noqa: PLC0415

    lang = check_language(lang)
    check_target(Path(out), "report file", html.SUFFIXES)
    spec = result.scenario
    if ensemble is not None and ensemble.scenario != spec.name:
        raise MineralflowError(
            f"the ensemble is of scenario '{ensemble.scenario}', the run of '{spec.name}'; "
            "give the ensemble of the run reported"
        )
    packs = [load_pack(p) for p in spec.packs]
    document = html.build(
        spec.name,
        spec.description_in(lang),
        result.tables,
        packs,
        lang,
        base=None if base is None else base.tables,
        base_name="" if base is None else base.scenario.name,
        ensemble=ensemble,
    )
    return html.write(document, Path(out))


__all__ = [
    "CalibrationCache",
    "PreparedRun",
    "RunResult",
    "as_scenario",
    "compare",
    "prepare",
    "report",
    "simulate",
]
