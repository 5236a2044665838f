"""Breakpoints that follow the solution: every curve's blocks made fine where it is used.

A staircase with fixed edges (:class:`mineralflow.market.curves.Edges`) is off by up to half
a block wherever a curve is cut, and its blocks are wide away from the calibration point:
Ce and La, whose prices fall to a tenth of their 2024 level as their surplus grows, were
priced 27 % off at the default resolution.  Every year after the base year is therefore
solved on edges laid around the quantity each curve took (a *window*):
``steps - 2 * side`` equal blocks across the window and ``side`` blocks on each side out to
the curve's ends, so that a curve keeps its number of blocks, the LP its columns and HiGHS
its basis.  The first windows lie around what each curve took the year before (as a
fraction of its reference quantity); each pass re-centres them on the last solution and
narrows those whose quantity fell in their inner half, while a window whose quantity went
further keeps its width.  Only the last pass settles quantities and prices
(:meth:`~mineralflow.market.problem.MarketProblem.run`); the others need only quantities.
The windows follow the solution, which is unique (:mod:`mineralflow.market.ties`), so the
grids, and the results, are the same whatever lever binds nowhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from mineralflow.market.curves import FAMILY_EDGES, CurveRows, Edges, FloatArray, Grid

if TYPE_CHECKING:
    from mineralflow.market.problem import MarketProblem, RawSolution
    from mineralflow.market.session import Session

#: the centres are rounded to this many decimals (of a curve's reference quantity), so that
#: the last bits of a solution never move a grid
CENTRE_DECIMALS = 9


@dataclass(frozen=True)
class WindowSettings:
    """How the windows are laid and narrowed (numerical settings, not economic ones).

    ``half``: the first window's half-width by family, as a fraction of the curve's
    reference quantity (u0 times capacity, reference demand, base stock amount, route
    target); ``narrowing``: what each later pass divides it by; ``passes``: how many solves
    on windows follow the one on fixed edges, up to ``most_passes`` while some quantity
    still leaves the inner half of its window (a year where trade stops or starts);
    ``side``: blocks on each side of a window.
    """

    passes: int = 3
    most_passes: int = 5
    narrowing: float = 4.0
    side: int = 2
    half: tuple[tuple[str, float], ...] = (
        ("supply", 0.2),
        ("use", 0.2),
        ("absorb", 0.5),
        ("release", 0.5),
        ("route", 0.3),
    )

    def first_half(self, family: str) -> float:
        return dict(self.half)[family]


def window_grid(
    centre: FloatArray,
    top: FloatArray,
    half: FloatArray,
    steps: int,
    side: int,
    kink: FloatArray | None = None,
) -> FloatArray:
    """Edges (rows x ``steps + 1``) from 0 to ``top``, fine across ``centre +- half``.

    The window ``[centre - half, centre + half]`` is cut to ``[0, top]``; where it stops
    short of an end, ``side`` blocks (one more on the right when that makes the window's
    count odd) fill the gap.  An odd count puts the centre in the middle of a block, whose
    cost is the curve's at the centre: a solution that stays near the last one lies inside
    that block, so its price is the curve's own there, not one of two block costs at an
    edge (a degenerate dual that a co-product's price would amplify).  A ``kink`` (where a curve
    changes form, ``nan`` for none) outside the window becomes an edge of its side, so
    that no block straddles it.  Every block has a positive width where ``top`` is
    positive.
    """
    centre = np.clip(centre, 0.0, top)
    lo = np.maximum(centre - half, 0.0)
    hi = np.minimum(centre + half, top)
    left = np.where(lo > 0.0, side, 0)
    right = np.where(hi < top, side + (steps - left - side + 1) % 2, 0)
    inner = steps - left - right
    j = np.arange(steps + 1)[None, :]
    left_, inner_, right_ = left[:, None], inner[:, None], right[:, None]
    lo_, hi_, top_ = lo[:, None], hi[:, None], top[:, None]
    left_part = lo_ * j / np.maximum(left_, 1)
    inner_part = lo_ + (hi_ - lo_) * (j - left_) / inner_
    right_part = hi_ + (top_ - hi_) * (j - left_ - inner_) / np.maximum(right_, 1)
    grid = np.where(j <= left_, left_part, np.where(j <= left_ + inner_, inner_part, right_part))
    grid[:, -1] = top
    if kink is not None:
        below = (kink > 0.0) & (kink < lo) & (left > 1)
        above = (kink > hi) & (kink < top) & (right > 1)
        rows = np.flatnonzero(below | above)
        at = np.where(below[rows], 1, left[rows] + inner[rows] + 1)
        grid[rows, at] = kink[rows]
        grid = np.sort(grid, axis=1)
    return grid


def curve_ends(rows: CurveRows, edges: Edges) -> dict[str, FloatArray]:
    """Where each curve ends, as a fraction of its reference quantity: capacity for supply
    (1 / u0), the last finite edge of the fixed grid for the others (a route's open last
    block lies beyond)."""
    ends = {}
    for family, name in FAMILY_EDGES.items():
        fixed = getattr(edges, name)
        last = float(fixed[np.isfinite(fixed)][-1])
        n = len(next(iter(rows.family(family).values()), []))
        ends[family] = np.full(n, last)
    u0 = rows.supply["u0"]
    ends["supply"] = np.divide(1.0, u0, out=np.ones_like(u0), where=u0 > 0)
    return ends


def family_grid(
    family: str,
    centre: FloatArray,
    top: FloatArray,
    half: FloatArray,
    rows: CurveRows,
    edges: Edges,
) -> FloatArray:
    """The window grid of one family, with as many blocks as its fixed grid: a demand
    grid has an edge where buyers reach their price cap, a route's grid keeps an open last
    block beyond twice the window's right edge."""
    fixed = getattr(edges, FAMILY_EDGES[family])
    steps, side = len(fixed) - 1, WINDOW.side
    if family == "use":
        kink = 1.0 - np.abs(rows.use["eta"]) * (rows.use["cap"] - 1.0)
        return window_grid(
            centre, top, half, steps, side, np.where(np.isfinite(kink), kink, np.nan)
        )
    if family != "route":
        return window_grid(centre, top, half, steps, side)
    top = np.maximum(top, 2.0 * (centre + half))
    grid = window_grid(centre, top, half, steps - 1, side)
    return np.hstack([grid, np.full((len(grid), 1), np.inf)])


def next_half(previous: FloatArray, moved: FloatArray) -> FloatArray:
    """Each window's next half-width: narrowed where the quantity stayed in its inner
    half, kept where it went further."""
    return np.where(moved <= 0.5 * previous, previous / WINDOW.narrowing, previous)


def centres(taken: FloatArray, reference: FloatArray) -> FloatArray:
    """What each curve took, as a fraction of its reference quantity (0 without one)."""
    share = np.divide(taken, reference, out=np.zeros_like(taken), where=reference > 0)
    return np.asarray(np.round(share, CENTRE_DECIMALS), dtype=np.float64)


#: the settings every run uses
WINDOW = WindowSettings()


def reference_quantities(rows: CurveRows) -> dict[str, FloatArray]:
    """The quantity (t) a curve's grid is a fraction of, by family."""
    supply = rows.supply
    return {
        "supply": supply["u0"] * supply["capacity"],
        "use": rows.use["reference"],
        "absorb": rows.absorb["amount"],
        "release": rows.release["amount"],
        "route": rows.route.get("target", np.zeros(0)),
    }


#: what each curve took in a solve, as a fraction of its reference quantity, by family
Centres = dict[str, FloatArray]


def solve_on_windows(
    problem: MarketProblem,
    session: Session,
    rows: CurveRows,
    edges: Edges,
    year: int,
    push: Callable[[dict[str, Grid]], None],
    refine: bool,
    start: Centres | None = None,
) -> tuple[RawSolution, dict[str, Grid], Centres]:
    """Solve a year :data:`WINDOW` ``.passes`` times on windows, each around the last
    solution, the first around ``start`` (the year before's) or, without one, a solve on
    the fixed edges.  Without ``refine`` the year is solved on the fixed edges alone.

    ``push`` sends the curves of ``rows`` on the grids given to ``session``.  Returns the
    last solution, its grids and what each curve took in it.
    """
    passes = WINDOW.passes if refine else 0
    reference, ends = reference_quantities(rows), curve_ends(rows, edges)
    layout = problem.layout

    def taken_by(x: FloatArray) -> Centres:
        return {f: centres(layout.col(f).totals(x), reference[f]) for f in FAMILY_EDGES}

    grids: dict[str, Grid] = dict.fromkeys(FAMILY_EDGES, edges)
    seconds, iterations = 0.0, 0
    if passes == 0 or start is None:
        push(grids)
        if passes == 0:
            raw = problem.run(session, year)
            return raw, grids, taken_by(raw.x)
        x, seconds, iterations = problem.quantities(session, year)
        start = taken_by(x)
    taken = start
    half = {f: np.full(len(reference[f]), WINDOW.first_half(f)) for f in FAMILY_EDGES}
    settled = False
    for done in range(1, WINDOW.most_passes + 1):
        grids = {f: family_grid(f, taken[f], ends[f], half[f], rows, edges) for f in FAMILY_EDGES}
        push(grids)
        if (done >= passes and settled) or done == WINDOW.most_passes:
            # the last solve settles quantities and prices
            raw = problem.run(session, year)
            seconds, iterations = seconds + raw.solve_seconds, iterations + raw.iterations
            raw = replace(raw, solve_seconds=seconds, iterations=iterations)
            return raw, grids, taken_by(raw.x)
        x, more, steps = problem.quantities(session, year)
        seconds, iterations = seconds + more, iterations + steps
        now = taken_by(x)
        moved = {f: np.abs(now[f] - taken[f]) for f in FAMILY_EDGES}
        settled = all(bool((moved[f] <= 0.5 * half[f]).all()) for f in FAMILY_EDGES)
        half = {f: next_half(half[f], moved[f]) for f in FAMILY_EDGES}
        taken = now
    raise AssertionError("unreachable: the loop returns at its last pass")
