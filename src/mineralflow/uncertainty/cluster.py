"""Ensemble members on a Dask cluster (``pip install mineralflow[cluster]``).

The same batches and the same worker function as the local processes: the scenario, its
inputs and the result rows are scattered to every worker once, each worker sets up its state
the first time a batch of this ensemble reaches it, and batches come back as arrays.
``local:K`` starts a ``LocalCluster`` of K single-threaded worker processes for the run.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import numpy as np
import pandas as pd

from mineralflow.errors import MineralflowError
from mineralflow.scenario.model import Scenario
from mineralflow.uncertainty import runner
from mineralflow.uncertainty.inputs import UncertainInput


def _batch_on_worker(
    token: str, state: tuple[Scenario, list[UncertainInput], pd.MultiIndex], rows: list[int],
    factors: np.ndarray,
) -> runner.Batch:  # fmt: skip
    """One batch on a cluster worker, its state set up once per ensemble."""
    if runner._WORKER.token != token:
        runner._init_worker(*state, token=token)
    return runner._run_batch(rows, factors)


def _client(scheduler: str, stack: ExitStack) -> Any:
    """A client of the scheduler at ``scheduler``, or of a local cluster (``local:K``)."""
    try:
        from dask.distributed import Client, LocalCluster  # noqa: PLC0415
    except ImportError:
        raise MineralflowError(
            "scheduler: Dask is not installed; install it with pip install 'mineralflow[cluster]'"
        ) from None
    if scheduler.startswith("local:"):  # K checked before any member ran (runner._check)
        count = scheduler.removeprefix("local:")
        cluster = stack.enter_context(LocalCluster(
            n_workers=int(count), threads_per_worker=1, processes=True, dashboard_address=None,
        ))  # fmt: skip
        return stack.enter_context(Client(cluster))
    try:
        return stack.enter_context(Client(scheduler, timeout="20s"))
    except OSError as exc:
        raise MineralflowError(f"scheduler: cannot reach '{scheduler}': {exc}") from None


def solve_on_cluster(
    scheduler: str,
    state: tuple[Scenario, list[UncertainInput], pd.MultiIndex],
    factors: np.ndarray,
    batches: list[list[int]],
) -> Iterator[runner.Batch]:
    """Every batch solved on the cluster, as each finishes."""
    from dask.distributed import as_completed  # noqa: PLC0415

    with ExitStack() as stack:
        client = _client(scheduler, stack)
        token = uuid.uuid4().hex
        shared = client.scatter([state], broadcast=True)[0]  # once to every worker
        futures = [
            client.submit(_batch_on_worker, token, shared, rows, factors[rows], pure=False)
            for rows in batches
        ]
        for future in as_completed(futures):
            yield future.result()
