"""Linear supply and demand curves, and their step approximation for the LP.

The equilibrium is a quadratic program: linear inverse demand ``P = a - b q`` and linear
marginal cost ``MC = alpha + beta q``.  HiGHS solves it far faster as a linear program in
which each curve is a staircase of blocks; the block edges are fixed fractions of a
reference quantity, with one edge exactly at the calibration point so that the base year
is reproduced exactly.  The number of blocks is the model's resolution setting (:class:`Edges`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

#: Block edges of a supply curve, as fractions of the base-year utilisation ``u0``: the curve
#: runs from zero output to full capacity (edges beyond full capacity are cut there).
SUPPLY_EDGES = np.array([0.0, 0.5, 0.8, 0.9, 0.95, 1.0, 1.05, 1.1, 1.15, 1.2, 1.3, 1.5, np.inf])

#: Block edges of a demand curve, as fractions of the reference quantity.
DEMAND_EDGES = np.array([0.0, 0.25, 0.5, 0.7, 0.85, 0.95, 1.0, 1.05, 1.15, 1.3, 1.6, 2.0])

#: Block edges of a stock (absorption or release) curve, as fractions of its base amount.
STOCK_EDGES = np.array([0.0, 0.5, 0.8, 0.95, 0.99, 1.0, 1.01, 1.05, 1.2, 1.5, 2.0, 3.0])

#: Block edges of a trade route's premium curve, as fractions of the route's base-year flow
#: (the last block is open: a route can carry any amount at its top premium).
ROUTE_EDGES = np.array([0.0, 0.5, 0.8, 0.95, 1.0, 1.05, 1.2, 1.5, 2.0, 3.0, np.inf])

#: The default resolution: each block of the edges above split in this many (see
#: docs/validation.md, convergence study)
DEFAULT_RESOLUTION = 2


def refine(edges: FloatArray, resolution: int) -> FloatArray:
    """``edges`` with every finite block split into ``resolution`` equal blocks; the edges
    themselves (the calibration point among them) are kept."""
    if resolution < 1:
        raise ValueError(f"the curve resolution must be at least 1, not {resolution}")
    finite = edges[np.isfinite(edges)]
    parts = [np.linspace(a, b, resolution, endpoint=False) for a, b in pairwise(finite)]
    return np.concatenate([*parts, [finite[-1]], edges[~np.isfinite(edges)]])


@dataclass(frozen=True)
class Edges:
    """The block edges of every curve at one resolution."""

    resolution: int = DEFAULT_RESOLUTION
    supply: FloatArray = field(init=False)
    demand: FloatArray = field(init=False)
    stock: FloatArray = field(init=False)
    route: FloatArray = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "supply", refine(SUPPLY_EDGES, self.resolution))
        object.__setattr__(self, "demand", refine(DEMAND_EDGES, self.resolution))
        object.__setattr__(self, "stock", refine(STOCK_EDGES, self.resolution))
        object.__setattr__(self, "route", refine(ROUTE_EDGES, self.resolution))


DEFAULT_EDGES = Edges()

#: The edges of one family's curves: the fractions of an :class:`Edges` family, shared by
#: every row, or a grid with one row of edges per curve (:mod:`mineralflow.market.windows`)
Grid = Edges | FloatArray


def grid_rows(edges: Grid, family: str, rows: int) -> FloatArray:
    """``edges`` of ``family`` as one row of edges per curve (``rows`` x edges)."""
    grid = getattr(edges, family) if isinstance(edges, Edges) else np.asarray(edges, float)
    return np.broadcast_to(grid, (rows, grid.shape[-1]))


def supply_blocks(
    level: FloatArray,
    u0: FloatArray,
    eps: FloatArray,
    capacity: FloatArray,
    edges: Grid = DEFAULT_EDGES,
) -> tuple[FloatArray, FloatArray]:
    """Widths (t) and unit costs (USD/kg) of the supply blocks of each group.

    The marginal cost is ``level * (1 + (u / u0 - 1) / eps)`` at utilisation ``u``, floored at
    zero: it equals ``level`` at the base-year utilisation ``u0`` and rises with slope set by
    the supply elasticity ``eps``.  Output cannot exceed capacity.  Rows are groups.
    """
    frac = grid_rows(edges, "supply", len(u0)) * u0[:, None]
    frac = np.minimum(frac, 1.0)
    widths = np.diff(frac, axis=1) * capacity[:, None]
    mid = 0.5 * (frac[:, 1:] + frac[:, :-1])
    cost = level[:, None] * (1.0 + (mid / u0[:, None] - 1.0) / eps[:, None])
    return widths, np.maximum(cost, 0.0)


def cap_blocks(widths: FloatArray, cap: FloatArray) -> FloatArray:
    """Block widths (rows: curves) cut so that each curve's total is at most ``cap``.

    The cheapest blocks are kept: a limit on quantity leaves the curve's costs unchanged.
    Curves without a limit (``inf``) keep their widths exactly.
    """
    edges = np.minimum(np.cumsum(widths, axis=1), cap[:, None])
    capped = np.diff(edges, axis=1, prepend=0.0)
    return np.where(np.isfinite(cap)[:, None], capped, widths)


def demand_blocks(
    reference: FloatArray,
    price: FloatArray,
    eta: FloatArray,
    cap: FloatArray | None = None,
    edges: Grid = DEFAULT_EDGES,
) -> tuple[FloatArray, FloatArray]:
    """Widths (t) and unit values (USD/kg) of the demand blocks of each sector.

    Inverse demand ``P = price * (1 + (1 - q / reference) / |eta|)`` passes through the
    reference point with elasticity ``eta``, and is cut at ``cap`` times ``price`` where a
    cap is given: beyond it buyers go without (lost production, deferred purchases) rather
    than bid further, so that a physical shortage shows as rationed demand, not as a price
    at the curve's choke point.  Blocks worth nothing get zero width, so that consumers
    never take free product.
    """
    grid = grid_rows(edges, "demand", len(reference))
    widths = np.diff(grid, axis=1) * reference[:, None]
    mid = 0.5 * (grid[:, 1:] + grid[:, :-1])
    value = price[:, None] * (1.0 + (1.0 - mid) / np.abs(eta)[:, None])
    if cap is not None:
        value = np.minimum(value, (price * cap)[:, None])
    widths = np.where(value > 0, widths, 0.0)
    return widths, np.maximum(value, 0.0)


def capped_steps(
    price: FloatArray, eta: FloatArray, cap: FloatArray | None, edges: Grid = DEFAULT_EDGES
) -> NDArray[np.bool_]:
    """Which demand blocks (rows: sectors) sit at the cap: what buyers there do not get is
    rationed at the cap price, a physical shortage; the other blocks answer the price."""
    _, value = demand_blocks(np.ones(len(price)), price, eta, edges=edges)
    if cap is None:
        return np.zeros(value.shape, dtype=bool)
    return value >= (price * cap)[:, None]


def stock_blocks(
    amount: FloatArray,
    price: FloatArray,
    elasticity: FloatArray,
    *,
    release: bool,
    edges: Grid = DEFAULT_EDGES,
) -> tuple[FloatArray, FloatArray]:
    """Widths and unit values (absorption) or costs (release) of stock blocks.

    Stock holders absorb unsold product, or release it, along a linear curve through the
    base-year amount and price with the given elasticity (one per row).
    """
    grid = grid_rows(edges, "stock", len(amount))
    widths = np.diff(grid, axis=1) * amount[:, None]
    mid = 0.5 * (grid[:, 1:] + grid[:, :-1])
    sign = 1.0 if release else -1.0
    value = price[:, None] * (1.0 + sign * (mid - 1.0) / np.asarray(elasticity)[:, None])
    widths = np.where(value > 0, widths, 0.0)
    return widths, np.maximum(value, 0.0)


def route_blocks(
    target: FloatArray,
    premium: FloatArray,
    price: FloatArray,
    elasticity: FloatArray,
    floor: FloatArray,
    edges: Grid = DEFAULT_EDGES,
) -> tuple[FloatArray, FloatArray]:
    """Widths (t) and unit premiums (USD/kg) of the blocks of each trade route (rows).

    The marginal premium ``premium + price * (x / target - 1) / elasticity`` passes through
    the calibrated premium at the route's base-year flow ``target``: shipping more than the
    established trade costs more (new buyers, contracts and logistics), shipping less costs
    less.  ``elasticity`` is the flow's response to the delivered price, as an Armington
    elasticity.  Premiums never fall below ``floor`` (minus the route's transport cost), so
    that no shipment is paid for its own sake.  The open last block is priced as though it
    ended at 1.5 times its lower edge.
    """
    grid = grid_rows(edges, "route", len(target))
    finite = np.where(np.isfinite(grid), grid, 1.5 * grid[:, -2:-1])
    steps = np.diff(grid, axis=1)
    widths = np.zeros(steps.shape)
    carried = target > 0  # a route without a target carries nothing
    widths[carried] = steps[carried] * target[carried, None]
    mid = 0.5 * (finite[:, 1:] + finite[:, :-1])
    value = premium[:, None] + (price / elasticity)[:, None] * (mid - 1.0)
    return widths, np.maximum(value, floor[:, None])


#: The LP's curve families, and the :class:`Edges` family their grids are drawn from
FAMILY_EDGES = {
    "supply": "supply",
    "use": "demand",
    "absorb": "stock",
    "release": "stock",
    "route": "route",
}


@dataclass(frozen=True)
class CurveRows:
    """The parameters of every curve of one market, by family (arrays, one entry per row).

    ``supply``: level, u0, eps, capacity (t) and cap (t, ``inf`` for none); ``use``:
    reference (t), price, eta and cap (a multiple of price, ``inf`` for none); ``absorb``
    and ``release``: amount (t), price, elasticity and cap (t); ``route``: target (t),
    premium, price, elasticity and floor.
    """

    supply: dict[str, FloatArray]
    use: dict[str, FloatArray]
    absorb: dict[str, FloatArray]
    release: dict[str, FloatArray]
    route: dict[str, FloatArray]

    def family(self, name: str) -> dict[str, FloatArray]:
        return dict(getattr(self, name))


def family_blocks(rows: CurveRows, name: str, grid: Grid) -> tuple[FloatArray, FloatArray]:
    """Widths (t) and unit costs (USD/kg; what buyers and stock holders value is a negative
    cost) of the blocks of one family's curves on ``grid``."""
    p = rows.family(name)
    if name == "supply":
        widths, cost = supply_blocks(p["level"], p["u0"], p["eps"], p["capacity"], grid)
        return cap_blocks(widths, p["cap"]), cost
    if name == "use":
        widths, value = demand_blocks(p["reference"], p["price"], p["eta"], p["cap"], grid)
        return widths, -value
    if name in ("absorb", "release"):
        release = name == "release"
        widths, value = stock_blocks(
            p["amount"], p["price"], p["elasticity"], release=release, edges=grid
        )
        return cap_blocks(widths, p["cap"]), value if release else -value
    widths, value = route_blocks(
        p["target"], p["premium"], p["price"], p["elasticity"], p["floor"], grid
    )
    return widths, value


def linear_supply(
    level: FloatArray, u0: FloatArray, eps: FloatArray, capacity: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Intercept and slope of the exact marginal cost ``alpha + beta q`` (before flooring)."""
    alpha = level * (1.0 - 1.0 / eps)
    beta = level / (eps * u0 * capacity)
    return alpha, beta


def linear_demand(
    reference: FloatArray, price: FloatArray, eta: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Intercept and slope of the exact inverse demand ``a - b q``."""
    a = price * (1.0 + 1.0 / np.abs(eta))
    b = price / (np.abs(eta) * reference)
    return a, b
