"""Typed failures of the market model: they name the constraint family, region and product."""

from __future__ import annotations

from mineralflow.errors import MineralflowError


class MarketError(MineralflowError):
    """The equilibrium could not be computed."""


class InfeasibleError(MarketError):
    """No allocation satisfies every constraint; names the constraint that cannot hold."""

    def __init__(self, year: int, family: str, region: str, product: str, detail: str) -> None:
        self.year, self.family, self.region, self.product = year, family, region, product
        super().__init__(
            f"the market of {year} is infeasible: {family} constraint for region {region}, "
            f"product {product}: {detail}"
        )


class UnboundedError(MarketError):
    """Welfare can grow without limit; names the unbounded variable's family, region, product."""

    def __init__(self, year: int, family: str, region: str, product: str) -> None:
        self.year, self.family, self.region, self.product = year, family, region, product
        super().__init__(
            f"the market of {year} is unbounded: {family} of {product} in region {region} has "
            "no limit and a negative cost; give it a capacity or a positive cost"
        )


class CalibrationError(MarketError):
    """The base year cannot be calibrated from the pack (a named price, cost or quantity)."""
