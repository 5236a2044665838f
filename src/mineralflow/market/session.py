"""One HiGHS instance holding one LP: set bounds and costs by block, re-solve warm.

A :class:`Session` keeps what it last sent to HiGHS.  ``set`` and ``set_rows`` compare the
new values with those and push only the positions that changed, so a year that changes
nothing but capacities sends only the supply bounds, and HiGHS restarts from the previous
basis.  This is the one way data reaches the solver.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import highspy
import numpy as np
from numpy.typing import NDArray

from mineralflow.market.layout import Layout

INF = highspy.kHighsInf

#: print HiGHS's own log (set by ``mineralflow --verbose``)
VERBOSE = {"on": False}

#: seconds this process has spent inside HiGHS: every solve of every session
_CLOCK = {"seconds": 0.0}


def highs_seconds() -> float:
    """Seconds spent inside HiGHS so far in this process (differences time a piece of work:
    a run's calibration, its years and their price solves together)."""
    return _CLOCK["seconds"]


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Hide what C code writes to standard output (HiGHS prints a banner when created)."""
    try:
        fd = sys.__stdout__.fileno() if sys.__stdout__ is not None else 1
        sys.stdout.flush()
        saved = os.dup(fd)
    except (OSError, ValueError, AttributeError):
        yield  # no real file descriptor (an embedded interpreter): nothing to hide
        return
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), fd)
            yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)


def new_highs() -> highspy.Highs:
    """A HiGHS instance, silent unless :data:`VERBOSE` is on; one thread, deterministic."""
    if VERBOSE["on"]:
        h = highspy.Highs()
    else:
        with _quiet_stdout():
            h = highspy.Highs()
        h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("dual_feasibility_tolerance", 1e-9)
    h.setOptionValue("primal_feasibility_tolerance", 1e-9)
    return h


@dataclass
class Arrays:
    """Bounds and costs of every column and row, and the input coefficients, as sent."""

    lower: NDArray[np.float64]
    upper: NDArray[np.float64]
    cost: NDArray[np.float64]
    row_lower: NDArray[np.float64]
    row_upper: NDArray[np.float64]

    def copy(self) -> Arrays:
        return Arrays(*(a.copy() for a in self.__dict__.values()))


class Session:
    """An LP loaded into HiGHS; ``set`` changes it in place, ``run`` re-solves warm."""

    def __init__(
        self,
        layout: Layout,
        matrix: object,
        arrays: Arrays,
        coefficients: tuple[NDArray, NDArray, NDArray],
    ) -> None:
        """Load the LP; ``coefficients`` are (rows, cols, values) of the entries that
        :meth:`set_coefficients` may change later."""
        self.layout = layout
        self.now = arrays.copy()
        self._coef_rows, self._coef_cols = coefficients[0], coefficients[1]
        self.coefficients = np.array(coefficients[2], dtype=float)
        lp = highspy.HighsLp()
        lp.num_col_ = layout.n_cols
        lp.num_row_ = layout.n_rows
        lp.col_cost_ = self.now.cost
        lp.col_lower_ = self.now.lower
        lp.col_upper_ = self.now.upper
        lp.row_lower_ = self.now.row_lower
        lp.row_upper_ = self.now.row_upper
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = matrix.indptr  # type: ignore[attr-defined]
        lp.a_matrix_.index_ = matrix.indices  # type: ignore[attr-defined]
        lp.a_matrix_.value_ = matrix.data  # type: ignore[attr-defined]
        self.highs = new_highs()
        self.highs.passModel(lp)
        self.pushed = 0  # positions sent since loading (for tests and benchmarks)
        self.iterations = 0  # simplex iterations of the last solve

    def set(
        self,
        block: str,
        *,
        lower: NDArray | None = None,
        upper: NDArray | None = None,
        cost: NDArray | None = None,
    ) -> None:
        """New bounds and/or costs for a block of columns; only changed positions are sent."""
        span = self.layout.col(block).span
        if lower is not None or upper is not None:
            lo = self.now.lower[span] if lower is None else np.asarray(lower, dtype=float)
            up = self.now.upper[span] if upper is None else np.asarray(upper, dtype=float)
            changed = np.flatnonzero((lo != self.now.lower[span]) | (up != self.now.upper[span]))
            if len(changed):
                self.now.lower[span], self.now.upper[span] = lo, up
                at = (span.start + changed).astype(np.int32)
                self.highs.changeColsBounds(len(at), at, lo[changed], up[changed])
                self.pushed += len(at)
        if cost is not None:
            new = np.asarray(cost, dtype=float)
            changed = np.flatnonzero(new != self.now.cost[span])
            if len(changed):
                self.now.cost[span] = new
                at = (span.start + changed).astype(np.int32)
                self.highs.changeColsCost(len(at), at, new[changed])
                self.pushed += len(at)

    def set_rows(
        self, block: str, *, lower: NDArray | None = None, upper: NDArray | None = None
    ) -> None:
        """New bounds for a block of rows; only changed rows are sent."""
        span = self.layout.row(block).span
        lo = self.now.row_lower[span] if lower is None else np.asarray(lower, dtype=float)
        up = self.now.row_upper[span] if upper is None else np.asarray(upper, dtype=float)
        changed = np.flatnonzero(
            (lo != self.now.row_lower[span]) | (up != self.now.row_upper[span])
        )
        if len(changed):
            self.now.row_lower[span], self.now.row_upper[span] = lo, up
            at = (span.start + changed).astype(np.int32)
            self.highs.changeRowsBounds(len(at), at, lo[changed], up[changed])  # type: ignore[attr-defined]
            self.pushed += len(at)

    def set_coefficients(self, values: NDArray) -> None:
        """New values of the changeable matrix entries; only changed entries are sent."""
        values = np.asarray(values, dtype=float)
        changed = np.flatnonzero(values != self.coefficients)
        for i in changed.tolist():
            self.highs.changeCoeff(
                int(self._coef_rows[i]), int(self._coef_cols[i]), float(values[i])
            )
        if len(changed):
            self.coefficients = values.copy()
            self.pushed += len(changed)

    def run(self) -> tuple[highspy.HighsModelStatus, float]:
        """Solve from the current basis; (model status, seconds inside HiGHS)."""
        started = time.perf_counter()
        self.highs.run()
        seconds = time.perf_counter() - started
        _CLOCK["seconds"] += seconds
        self.iterations = self._iteration_count()
        return self.highs.getModelStatus(), seconds

    def run_shifted(self, block: str, shift: NDArray) -> tuple[highspy.HighsModelStatus, float]:
        """Solve once with ``block``'s row bounds moved by ``shift``; the bounds are put back
        without solving again (the basis stays for the next solve)."""
        span = self.layout.row(block).span
        at = np.arange(span.start, span.stop, dtype=np.int32)
        lower, upper = self.now.row_lower[span], self.now.row_upper[span]
        self.highs.changeRowsBounds(len(at), at, lower + shift, upper + shift)  # type: ignore[attr-defined]
        status, seconds = self.run()
        self.highs.changeRowsBounds(len(at), at, lower, upper)  # type: ignore[attr-defined]
        return status, seconds

    def run_perturbed(self, block: str, shift: NDArray) -> tuple[highspy.HighsModelStatus, float]:
        """Solve with ``block``'s row bounds moved by ``shift``, then again without it.

        The second solve starts from the first one's basis.  A shift that makes every basic
        solution non-degenerate fixes that basis, and with it the duals; removing the shift
        keeps the basis feasible for a small enough shift, so the second solve only moves
        the quantities back.  The session's own bounds stay those without the shift.
        """
        status, first = self.run_shifted(block, shift)
        iterations = self.iterations
        if status != highspy.HighsModelStatus.kOptimal:
            return status, first
        status, second = self.run()
        self.iterations += iterations
        return status, first + second

    def _iteration_count(self) -> int:
        return int(self.highs.getInfo().simplex_iteration_count)

    def solution(self) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
        """(column values, row duals, column reduced costs) of the last solve."""
        sol = self.highs.getSolution()
        return np.asarray(sol.col_value), np.asarray(sol.row_dual), np.asarray(sol.col_dual)

    def objective(self) -> float:
        return float(self.highs.getObjectiveValue())
