"""Runs submitted to the server: solved on worker processes, recorded once in the store.

A submission is keyed by its run id (:func:`mineralflow.store.run_key`: equal ids mean equal
results).  A scenario already in the store is answered at once; one already queued or being
solved returns that job; anything else goes to a worker process, so the server keeps
answering while HiGHS works.  Workers call :func:`mineralflow.api.simulate`, the same entry
point as the command line, on the same store.
"""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
import secrets
import threading
import time
from collections.abc import MutableMapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.managers import SyncManager
from pathlib import Path
from typing import Any

from mineralflow.errors import MineralflowError
from mineralflow.scenario.model import Scenario
from mineralflow.store import ResultsStore, run_key

#: the states of a job, in order
STATES = ("queued", "running", "done", "failed")
#: finished jobs remembered (the oldest are forgotten first; their runs stay in the store)
KEPT_JOBS = 10_000


def solve(
    scenario: Scenario, store: str | None, shared: MutableMapping[str, float], job_id: str
) -> str:
    """Solve ``scenario`` into the store (in a worker process); its run id.  The share of
    its years solved so far is kept in ``shared[job_id]`` (a manager's dict)."""
    from mineralflow.api import simulate  # noqa: PLC0415

    done: dict[str, float] = {}

    def tick(pack: str, _year: int, total: int) -> None:
        done[pack] = done.get(pack, 0.0) + 1.0 / total
        shared[job_id] = round(sum(done.values()) / len(scenario.packs), 3)

    result = simulate(scenario, store=store if store is not None else True, progress=tick)
    if result.run_id is None:
        raise MineralflowError("the run was not recorded in the store")
    return result.run_id


@dataclass
class Job:
    """One submission and what became of it."""

    job_id: str
    run_id: str
    scenario: str
    submitted: float
    state: str = "queued"
    finished: float | None = None
    error: str | None = None
    future: Future[str] | None = field(default=None, repr=False)
    progress: float = 0.0  # share of the run's years solved

    def as_json(self) -> dict[str, Any]:
        return {
            "job": self.job_id, "run_id": self.run_id, "scenario": self.scenario,
            "state": self.state, "error": self.error,
            "progress": 1.0 if self.state == "done" else self.progress,
            "seconds": round((self.finished or time.time()) - self.submitted, 3),
        }  # fmt: skip


class Jobs:
    """The server's queue of runs (``workers`` processes, started on first use)."""

    def __init__(self, store: Path | None, workers: int) -> None:
        self.store, self.workers = store, workers
        self.opened = ResultsStore(store)  # holds nothing open; made once for its checks
        self._jobs: dict[str, Job] = {}
        self._by_run: dict[str, str] = {}  # run id -> the job solving it
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        self._manager: SyncManager | None = None
        self._progress: MutableMapping[str, float] = {}

    def submit(self, scenario: Scenario) -> Job:
        """The job for ``scenario``: done at once if stored, the pending one if queued."""
        run_id = run_key(scenario)[0]
        with self._lock:
            pending = self._jobs.get(self._by_run.get(run_id, ""))
            if pending is not None and pending.state in ("queued", "running"):
                return pending
            job = Job(secrets.token_hex(8), run_id, scenario.name, time.time())
            self._remember(job)
            if self.opened.has(run_id):
                job.state, job.finished = "done", job.submitted
                return job
            pool = self._executor()
            job.future = pool.submit(solve, scenario, _text(self.store), self._progress, job.job_id)
            self._by_run[run_id] = job.job_id
        job.future.add_done_callback(functools.partial(self._finish, job))
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None or job.state not in ("queued", "running"):
            return job
        if job.future is not None and job.future.running():
            job.state = "running"
        job.progress = float(self._progress.get(job.job_id, 0.0))
        return job

    def _remember(self, job: Job) -> None:
        self._jobs[job.job_id] = job
        if len(self._jobs) > KEPT_JOBS:
            oldest = next(k for k, j in self._jobs.items() if j.state in ("done", "failed"))
            del self._jobs[oldest]

    def _finish(self, job: Job, future: Future[str]) -> None:
        error = MineralflowError("the server stopped first") if future.cancelled() else (
            future.exception()
        )  # fmt: skip
        with contextlib.suppress(Exception):  # the manager is gone once the server stops
            self._progress.pop(job.job_id, None)
        with self._lock:
            job.finished = time.time()
            if error is None:
                job.state, job.run_id = "done", future.result()
            else:
                job.state = "failed"
                job.error = str(error) if isinstance(error, MineralflowError) else (
                    f"the run failed: {type(error).__name__}: {error}"
                )  # fmt: skip

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            context = multiprocessing.get_context("spawn")  # no fork of a threaded server
            self._manager = context.Manager()  # holds each job's progress for the workers
            self._progress = self._manager.dict()
            self._pool = ProcessPoolExecutor(self.workers, mp_context=context)
        return self._pool

    def close(self) -> None:
        """Stop the workers (runs being solved are finished first)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        if self._manager is not None:
            self._manager.shutdown()
            self._manager = None


def _text(path: Path | None) -> str | None:
    return None if path is None else str(path)
