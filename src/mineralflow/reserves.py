"""Government stockpiles that keep a level: purchases and sales in t or in USD a year.

A stockpile (the US National Defense Stockpile, Project Vault, China's state reserve) buys
or sells at a node each year, in tonnes or for an amount of money at the year's price, and
never sells more than it holds: what it held at the start plus what it bought.  Its trades
are fixed quantities at the node's balance, so the market's price answers them; a budget
buys less when its purchases raise the price (the year is solved again until the tonnes and
the price agree, :mod:`mineralflow.dynamics`).  A support purchase instead buys what the
market leaves at the year before's price, up to a volume a year, so the price falls below
it only once that volume is bought (what China's export licences withhold).  Its level is
reported (``Government Stock|...``).  Where exporters rather than the state hold what
licences withhold (``private``), the purchase joins the home market's stock holders, who
sell it along their supply-of-storage curves in the years after.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

#: USD/kg below which a price is taken as this for turning a budget into tonnes
LOWEST_PRICE = 0.01
#: share of the tonnes within which a budget's tonnes and the price they lead to agree
AGREE = 1e-3


@dataclass(frozen=True)
class Reserve:
    """What government stockpiles trade, by year and node, and what they hold at the start."""

    tonnes: FloatArray  # (years, nodes): t bought (+) or sold (-) a year
    usd: FloatArray  # (years, nodes): USD spent (+) or raised (-) a year
    held: FloatArray  # by node: t held at the start
    # (years, nodes): t a year at most that the stockpile buys of what the market leaves at
    # the year before's price (a support purchase: China's reserve behind its licences)
    support: FloatArray
    # (years, nodes): the support purchase is held by exporters, not by the state
    private: NDArray[np.bool_]

    @staticmethod
    def empty(n_years: int, n_nodes: int) -> Reserve:
        zeros = np.zeros((n_years, n_nodes))
        return Reserve(zeros.copy(), zeros.copy(), np.zeros(n_nodes), zeros.copy(),
                       np.zeros((n_years, n_nodes), dtype=bool))  # fmt: skip

    def copy(self) -> Reserve:
        """A copy whose arrays levers may change in place."""
        return Reserve(self.tonnes.copy(), self.usd.copy(), self.held.copy(),
                       self.support.copy(), self.private.copy())  # fmt: skip

    def support_price(self, year: int, before: FloatArray | None) -> FloatArray:
        """USD/kg at which each node's stockpile buys in the plan's year ``year`` (a
        position): the year before's price where a support purchase is in force, NaN
        elsewhere (and in the first year, which has no year before)."""
        if before is None:
            return np.full(self.support.shape[1], np.nan)
        return np.where(self.support[year] > 0.0, before, np.nan)

    def priced(self, year: int) -> bool:
        """Whether a budget is in force in the plan's year ``year`` (a position)."""
        return bool(np.any(self.usd[year] != 0.0))

    def wanted(self, year: int, prices: FloatArray | None) -> FloatArray:
        """t each node's stockpile would buy (+) or sell (-) at these prices (without
        prices, a budget's part counts nothing yet)."""
        tonnes = self.tonnes[year].copy()
        if prices is not None and self.priced(year):
            tonnes += self.usd[year] / (1000.0 * np.maximum(prices, LOWEST_PRICE))
        return tonnes


def traded(wanted: FloatArray, level: FloatArray) -> FloatArray:
    """t bought (+) or sold (-) by node: purchases as wanted, sales up to what is held."""
    return np.where(wanted >= 0.0, wanted, -np.minimum(-wanted, level))


def agree(before: FloatArray, after: FloatArray) -> bool:
    """Whether two years' tonnes agree within :data:`AGREE` of their size (or 1 kg)."""
    scale = np.maximum(np.abs(before), 1.0)
    return bool((np.abs(after - before) <= AGREE * scale).all())
