"""Price floors paid as deficiency payments: a government guarantees a region's producers of
a product a price and pays them the difference when the market pays less.

This is how the US Department of Defense's floor for MP Materials' NdPr oxide works
(110 USD/kg for ten years from the fourth quarter of 2025): the producer sells at the market
price and receives ``floor - price`` per kg from the government.  The producers then supply
as if the price were the floor, and the market price follows from the rest of the market.

In the year LP the payment is a subsidy on the activity of the processes that make the
product in the region, ``share * max(floor - price, 0)`` per kg of the product; as the
price depends on the subsidy, each year is solved again with the subsidy of the last
solve's price until the two agree (:mod:`mineralflow.dynamics`).  A floor below the market
price pays nothing and changes nothing.  The payments are reported (``Price Floor Payment|...``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

#: solves of a year at most, each with the subsidy of the last one's price
ROUNDS = 6
#: share of the floor within which the subsidy solved with and the one its price implies
#: agree: the windows' resolution moves a price by about that much from one solve to the next
AGREE = 1e-3


@dataclass(frozen=True)
class Floors:
    """The price floors of a plan: one entry per floor."""

    region: tuple[str, ...]
    product: tuple[str, ...]
    node: NDArray[np.int64]  # ordinal of each floor's (region, product) node
    price: FloatArray  # (years, floors): the guaranteed price, USD/kg; NaN where not in force
    share: FloatArray  # by floor: share of the region's output of the product covered
    weights: sp.csr_matrix  # (floors, processes): t of the product per t of activity

    @staticmethod
    def empty(n_years: int, n_processes: int) -> Floors:
        none = np.zeros(0, dtype=np.int64)
        return Floors((), (), none, np.zeros((n_years, 0)), np.zeros(0),
                      sp.csr_matrix((0, n_processes)))  # fmt: skip

    def in_force(self, year: int) -> bool:
        """Whether a floor is in force in the plan's year ``year`` (a position)."""
        return bool(np.isfinite(self.price[year]).any())

    def subsidy(self, year: int, prices: FloatArray) -> FloatArray:
        """USD per kg of the product that each floor pays at these node prices."""
        floor = self.price[year]
        gap = np.where(np.isfinite(floor), floor - prices[self.node], 0.0)
        return self.share * np.maximum(gap, 0.0)

    def per_activity(self, subsidy: FloatArray) -> FloatArray:
        """USD per kg of each process's activity that the floors pay."""
        return np.asarray(self.weights.T @ subsidy).ravel()

    def agrees(self, year: int, before: FloatArray, after: FloatArray) -> bool:
        """Whether two subsidies agree within :data:`AGREE` of the floors of ``year``."""
        tolerance = AGREE * np.nan_to_num(self.price[year])
        return bool((np.abs(after - before) <= tolerance).all())

    def payments(self, subsidy: FloatArray, activity: FloatArray) -> FloatArray:
        """Million USD each floor pays for the year: its subsidy on the product made (t)."""
        made = np.asarray(self.weights @ activity).ravel()
        return subsidy * made * 1000.0 / 1e6
