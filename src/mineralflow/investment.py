"""Capacity that answers expected profitability.

Every supply group (a region's plants or mines at one stage) forms an expectation of its
unit value added: what its outputs fetch at the region's prices, less what its inputs cost.
Expectations are adaptive (Nerlove 1958): each year they close the stage's
``expectation_weight`` share of the gap to the value added just realised.

Two kinds of investment compare that expectation with the cost of new capacity:

* **expansion** of a group's own plants: the group orders capacity, up to the stage's
  ``investment_rate`` a year, in proportion to the expected excess return on new capital,
  ``(expected value added - full cost) / capital charge``.  The full cost is the group's
  calibrated cost level (for regions without output, the entry level with its technology
  gap), which covers a normal return; the capital charge is ``capital_cost`` times
  ``capital_recovery`` per kg of output at normal utilisation;
* the **project pipeline** of the pack (``projects.csv``): each project is decided at its
  start year less the stage's lead time.  Its probability starts from its status
  (``project_status.csv``) and moves, in log-odds, by the stage's ``project_response`` times
  the change in expected return against the base year: a project in a region whose margins
  have risen by one capital charge is more likely built; public support (a share of the
  capital cost) counts as a higher return.  This is how regions without capacity enter.

New capacity runs at the stage's normal utilisation (``base_utilisation``) from the year it
arrives (:func:`utilisation`), and a project still ramping up in the base year adds the rest
of its ramp-up in the years after (:class:`Pipeline`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def expect(previous: FloatArray, realised: FloatArray, weight: FloatArray) -> FloatArray:
    """Adaptive expectations: ``previous`` moved ``weight`` of the way to ``realised``."""
    return previous + weight * (realised - previous)


def excess_return(expected: FloatArray, cost: FloatArray, charge: FloatArray) -> FloatArray:
    """Expected return on a unit of new capacity above the normal one, in capital charges:
    0 where expected value added just covers the full cost, 1 where it covers it and one
    more capital charge."""
    return (expected - cost) / charge


def expansion(capacity: FloatArray, rate: FloatArray, excess: FloatArray) -> FloatArray:
    """Capacity (t) a group orders: ``rate`` of its capacity at an excess return of one
    capital charge or more, in proportion below, none at or under a normal return."""
    return capacity * rate * np.clip(excess, 0.0, 1.0)


def project_probability(prior: FloatArray, response: FloatArray, change: FloatArray) -> FloatArray:
    """The status ``prior`` moved in log-odds by ``response * change``; 0 and 1 stay."""
    inner = (prior > 0) & (prior < 1)
    p = np.clip(prior, 1e-12, 1 - 1e-12)
    logit = np.log(p / (1 - p)) + response * change
    moved = 1.0 / (1.0 + np.exp(-np.clip(logit, -700.0, 700.0)))
    return np.where(inner, moved, prior)


@dataclass(frozen=True)
class Pipeline:
    """Announced projects, one row per group a project adds capacity to (a mine feeding
    several deposit classes is split by its region's mine feed).

    ``start`` and ``decide`` are positions in the run's years: the first year of output,
    and the year after whose solve the project is decided (at least the first).  A project
    that started in or before the first year and was still ramping up then adds the rest of
    its ramp-up in the years after.
    """

    project: tuple[str, ...]
    group: IntArray
    size: FloatArray  # t of capacity at full ramp
    start: IntArray
    decide: IntArray
    ramp: FloatArray  # years to full capacity
    prior: FloatArray  # probability before margins (status, or a scenario's)
    support: FloatArray  # share of the capital cost paid by public support

    @staticmethod
    def empty() -> Pipeline:
        ints, floats = np.zeros(0, dtype=np.int64), np.zeros(0)
        return Pipeline((), ints, floats, ints, ints, floats, floats, floats)

    def added_share(self, n_years: int) -> FloatArray:
        """(years, rows): the share of each row's capacity running in each year beyond what
        ran in the first year."""
        years = np.arange(n_years)[:, None]
        share = np.clip((years - self.start[None, :] + 1) / self.ramp[None, :], 0.0, 1.0)
        return share - share[:1]

    def capacity(self, probability: FloatArray, n_years: int, n_groups: int) -> FloatArray:
        """(years, groups): capacity (t) the rows add after the first year, weighted by
        ``probability`` (one entry per row; NaN for rows not yet decided, which add none)."""
        weight = np.where(np.isfinite(probability), probability, 0.0)
        share = self.added_share(n_years) * (self.size * weight)[None, :]
        out = np.zeros((n_years, n_groups))
        np.add.at(out.T, self.group, share.T)
        return out

    def delayed(self, rows: NDArray[np.bool_], years: int, lead: IntArray) -> Pipeline:
        """The pipeline with ``rows`` starting ``years`` later, decided ``lead`` before (never
        earlier than they were)."""
        start = np.where(rows, self.start + years, self.start)
        decide = np.where(rows, np.maximum(start - lead, self.decide), self.decide)
        return replace(self, start=start, decide=decide)


def utilisation(
    base_u0: FloatArray, base_capacity: FloatArray, capacity: FloatArray, normal: FloatArray
) -> FloatArray:
    """Each group's normal utilisation in a year: its base-year capacity at the base year's
    utilisation, capacity added since at the stage's ``normal`` one (new plants do not
    inherit the incumbents' utilisation)."""
    added = np.maximum(capacity - base_capacity, 0.0)
    kept = np.minimum(capacity, base_capacity)
    total = kept + added
    return np.divide(
        base_u0 * kept + normal * added, total, out=base_u0.astype(float), where=total > 0
    )


@dataclass(frozen=True)
class Investors:
    """What investment needs by group, in the problem's order (:meth:`of`)."""

    lead: IntArray  # years from an order to capacity
    rate: FloatArray  # largest expansion a year, a share of capacity
    normal: FloatArray  # the stage's normal utilisation (base_utilisation)
    base_capacity: FloatArray  # t
    base_u0: FloatArray  # the base year's utilisation of that capacity
    level: FloatArray  # full cost of a unit of output at normal utilisation, USD/kg
    weight: FloatArray  # expectation_weight
    charge: FloatArray  # capital charge, USD per kg of output at normal utilisation
    response: FloatArray  # project_response

    @staticmethod
    def of(groups: pd.DataFrame, params: pd.DataFrame) -> Investors:
        """From calibrated groups (stage, capacity, u0, level) and parameters by stage."""
        stage = groups["stage"]

        def by_stage(name: str) -> FloatArray:
            return stage.map(params[name]).to_numpy(float)

        normal = by_stage("base_utilisation")
        return Investors(
            lead=np.maximum(np.rint(by_stage("lead_time")), 1).astype(np.int64),
            rate=by_stage("investment_rate"),
            normal=normal,
            base_capacity=groups["capacity"].to_numpy(float),
            base_u0=groups["u0"].to_numpy(float),
            level=groups["level"].to_numpy(float),
            weight=by_stage("expectation_weight"),
            charge=by_stage("capital_cost") * by_stage("capital_recovery") / normal,
            response=by_stage("project_response"),
        )


def decide_projects(
    pipeline: Pipeline,
    decided: FloatArray,
    index: int,
    change: FloatArray,
    response: FloatArray,
) -> FloatArray:
    """Probabilities of the pipeline's rows once the projects due for a decision after the
    year ``index`` are decided: on their group's ``change`` in expected return against the
    base year (in capital charges, by group), plus their public support."""
    due = np.isnan(decided) & (pipeline.decide <= index)
    if not due.any():
        return decided
    g = pipeline.group
    moved = project_probability(pipeline.prior, response[g], change[g] + pipeline.support)
    return np.where(due, moved, decided)
