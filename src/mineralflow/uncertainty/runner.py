"""Running an ensemble's members, in this process or on worker processes.

The factors of every member are drawn before any member runs (:func:`draw_factors`), and
members go out in batches of consecutive draws; each worker loads the packs once (its
initializer) and returns arrays of values, never frames.  Results are put back in draw
order, so an ensemble is the same on one worker or many.  A member that cannot be solved
(its draw makes a year infeasible, or its calibration fails) is counted, with its message,
and left out of the quantiles.
"""

from __future__ import annotations

import math
import multiprocessing
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mineralflow.errors import MineralflowError
from mineralflow.scenario.execute import ScenarioError, scenario_pack
from mineralflow.scenario.model import Scenario
from mineralflow.uncertainty.design import unit_design
from mineralflow.uncertainty.inputs import UncertainInput, factors_at, uncertain_inputs
from mineralflow.uncertainty.members import KEY, MemberRunner
from mineralflow.uncertainty.summary import Ensemble

#: batches per worker: enough to keep workers busy to the end, few enough to cost little
BATCHES_PER_WORKER = 4
#: the largest number of draws and of workers an ensemble accepts
MAX_DRAWS, MAX_WORKERS = 1_000_000, 256

#: a solved batch: its draws, their values, HiGHS seconds, and the failed draws' messages
Batch = tuple[list[int], np.ndarray, np.ndarray, dict[int, str]]


@dataclass
class _Worker:
    """What a worker keeps between batches."""

    runner: MemberRunner | None = None
    index: pd.MultiIndex | None = None
    token: str = ""  # which ensemble the state is for (a cluster's workers serve many)


_WORKER = _Worker()


def _init_worker(
    scenario: Scenario, inputs: list[UncertainInput], index: pd.MultiIndex, token: str = ""
) -> None:
    """A worker's state: the scenario's packs loaded once, the result rows to return."""
    packs = {key: scenario_pack(scenario, key) for key in scenario.packs}
    _WORKER.runner, _WORKER.index = MemberRunner(scenario, packs, inputs), index
    _WORKER.token = token


def _run_batch(draws: list[int], factors: np.ndarray) -> Batch:
    """Solve the members ``draws`` (their factors in rows) in this worker."""
    runner, index = _WORKER.runner, _WORKER.index
    if runner is None or index is None:
        raise RuntimeError("an ensemble worker ran a batch before its initializer")
    values = np.full((len(draws), len(index)), np.nan)
    seconds = np.zeros(len(draws))
    failed: dict[int, str] = {}
    for row, draw in enumerate(draws):
        try:
            values[row] = runner.row_values(factors[row], index)
            seconds[row] = runner.solver_seconds
        except MineralflowError as exc:  # infeasible or uncalibrated: counted, not fatal
            failed[draw] = str(exc)
    return draws, values, seconds, failed


def _batches(draws: int, workers: int) -> Iterator[list[int]]:
    size = max(1, math.ceil(draws / (workers * BATCHES_PER_WORKER)))
    for start in range(0, draws, size):
        yield list(range(start, min(start + size, draws)))


def _check(draws: int, workers: int, scheduler: str | None) -> None:
    """Draws, workers and a local cluster's size (a method is checked by its design)."""
    if not 1 <= draws <= MAX_DRAWS:
        raise ScenarioError(f"draws: {draws} is not allowed; allowed: 1 to {MAX_DRAWS:,}")
    if not 1 <= workers <= MAX_WORKERS:
        raise ScenarioError(f"workers: {workers} is not allowed; allowed: 1 to {MAX_WORKERS}")
    count = (scheduler or "").removeprefix("local:")
    if (
        scheduler is not None
        and scheduler.startswith("local:")
        and not (count.isdigit() and 1 <= int(count) <= MAX_WORKERS)
    ):
        raise ScenarioError(
            f"scheduler: '{scheduler}' is not allowed; allowed: local:K with K from 1 to "
            f"{MAX_WORKERS}, or a scheduler address such as tcp://10.0.0.5:8786"
        )


def run_ensemble(
    scenario: Scenario,
    draws: int,
    *,
    seed: int = 0,
    workers: int = 1,
    method: str = "mc",
    scheduler: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Ensemble:
    """Run the members of ``scenario`` that ``method`` places within ``draws``
    (:mod:`.design`) over its packs' uncertain inputs.

    ``scheduler`` is a Dask scheduler's address, or ``local:K`` for a local cluster of K
    worker processes; without it members run here (``workers`` 1) or on ``workers`` local
    processes.  ``progress(done, total)`` is called as members finish.  Raises
    :class:`ScenarioError` when no pack of the scenario declares an uncertain input.
    """
    _check(draws, workers, scheduler)
    if scheduler is not None and scheduler.startswith("local:"):
        workers = int(scheduler.removeprefix("local:"))  # batches for the cluster's workers
    packs = {key: scenario_pack(scenario, key) for key in scenario.packs}
    inputs = uncertain_inputs(packs)
    if not inputs:
        raise ScenarioError(
            f"scenario '{scenario.name}': none of its packs ({', '.join(packs)}) has an "
            "uncertainty table (uncertainty.csv), so there is nothing to draw; see "
            "docs/uncertainty.md"
        )
    unit = unit_design(method, len(inputs), draws, seed)
    factors, draws = factors_at(inputs, unit), len(unit)
    runner = MemberRunner(scenario, packs, inputs)
    central_run = runner.central()
    central = central_run.frame.set_index(KEY)["value"]
    index = pd.MultiIndex.from_frame(central.index.to_frame(index=False))
    values, seconds = np.full((draws, len(index)), np.nan), np.zeros(draws)
    failed: dict[int, str] = {}
    done, started = 0, time.perf_counter()
    for rows, got, solver, lost in _solve(runner, index, factors, (workers, scheduler)):
        values[rows], seconds[rows], failed, done = got, solver, failed | lost, done + len(rows)
        if progress is not None:
            progress(done, draws)
    return Ensemble(
        scenario.name, method, seed, inputs, unit, factors, index, values,
        central.to_numpy(float), dict(sorted(failed.items())), seconds,
        time.perf_counter() - started, central_run,
    )  # fmt: skip


def _solve(
    runner: MemberRunner,
    index: pd.MultiIndex,
    factors: np.ndarray,
    how: tuple[int, str | None],
) -> Iterator[Batch]:
    """Every batch of members, solved here with ``runner`` (one worker, no scheduler), on
    worker processes, or on a Dask cluster (``how``: workers and scheduler)."""
    workers, scheduler = how
    scenario, inputs = runner.scenario, runner.inputs
    batches = list(_batches(len(factors), workers))
    if scheduler is not None:
        from mineralflow.uncertainty.cluster import solve_on_cluster  # noqa: PLC0415

        yield from solve_on_cluster(scheduler, (scenario, inputs, index), factors, batches)
        return
    if workers == 1:  # the runner that made the central run keeps its calibrations
        _WORKER.runner, _WORKER.index, _WORKER.token = runner, index, ""
        for rows in batches:
            yield _run_batch(rows, factors[rows])
        return
    context = multiprocessing.get_context("spawn")  # no fork of a threaded solver
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init_worker, initargs=(scenario, inputs, index)
    ) as pool:
        futures = [pool.submit(_run_batch, rows, factors[rows]) for rows in batches]
        for future in as_completed(futures):
            yield future.result()
