"""A run's results as tidy tables with named dimensions, one documented unit per quantity.

Every table has one row per combination of its dimensions and year, a ``value`` and, where
the unit depends on the stage or sector, a ``unit`` column (the pack's unit of that stage or
sector: t REO, t metal, t magnet, t Al, ...). Dimensions hold the pack's own names
(``commodity`` is the pack name, ``stage``, ``sector`` and ``product`` as in the pack's
network); regions are ISO alpha-3 codes and ``ROW``. Region totals are not stored: they are
sums (``World`` rows appear only in the IAMC view), except the world price, which is a
use-weighted mean, and world utilisation, world output over world capacity: both are stored
as region ``World``.

Metrics, comparison and the report read these tables; the IAMC long table is built from them
at the boundary (:mod:`mineralflow.iamc`) and read back into them from the store.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import pandas as pd

WORLD = "World"
#: the ``to_stage`` of flows into final consumption, and its entry in the vocabulary
CONSUMPTION = "consumption"

#: table -> (dimensions, unit: a fixed unit, or None where a ``unit`` column carries it)
SCHEMA: dict[str, tuple[tuple[str, ...], str | None]] = {
    # output of each product, by the region and stage that made it
    "production": (("commodity", "region", "stage", "product"), None),
    # what each sector bought; what it could not get even at the demand curve's cap (rationed,
    # a physical shortage); and what it gave up because of the price, against its reference
    # demand at base-year prices
    "consumption": (("commodity", "region", "sector"), None),
    "shortage": (("commodity", "region", "sector"), None),
    "demand_reduction": (("commodity", "region", "sector"), None),
    # exports and imports of a stage's products, by region
    "trade": (("commodity", "region", "stage", "direction"), None),
    # stocks absorbed minus stocks released, by stage: the USGS reliance term
    "stock_change": (("commodity", "region", "stage"), None),
    # stock holders: the stock held at the end of the year (where the pack gives stocks a
    # level), what they released and what they absorbed in the year (disposal left out), and
    # what government stockpiles hold at the end of the year (measure "government")
    "stocks": (("commodity", "region", "stage", "measure"), None),
    # installed capacity of each stage (plants and mines that can run this year)
    "capacity": (("commodity", "region", "stage"), None),
    # output over capacity of each stage (%); region World is world output over capacity
    "utilisation": (("commodity", "region", "stage"), "%"),
    # capacity (t a year) committed in the year: expansion ordered, and announced projects
    # decided, weighted by their chance of being built; it arrives after the lead time
    "investment": (("commodity", "region", "stage"), None),
    # what price floors paid a region's producers of a product (deficiency payments)
    "payments": (("commodity", "region", "product"), "million USD"),
    # product prices; region World is the mean weighted by use (or the plain mean if unused)
    "prices": (("commodity", "region", "product"), "USD/kg"),
    # origin-traced flows from a stage (made in ``origin``) to the next stage or consumption
    # in ``region``, in the unit of ``stage``; ``to_stage`` is ``consumption`` for final use
    "flows": (("commodity", "origin", "stage", "to_stage", "region"), None),
    # of a stage's output embodied in what ``region`` consumed, the share made in ``origin``
    "dependence": (("commodity", "region", "stage", "origin"), "%"),
    # the EU supply-risk index (JRC method) of a material group
    "supply_risk": (("commodity", "region", "material"), "index"),
}


#: the vocabulary's columns (see mineralflow.iamc.vocabulary)
NAME_COLUMNS = ["commodity", "kind", "name", "label", "stage", "detail"]
NAMES = pd.DataFrame({c: pd.Series(dtype="object") for c in NAME_COLUMNS})


def empty(name: str) -> pd.DataFrame:
    """An empty table ``name`` with its columns."""
    dims, unit = SCHEMA[name]
    columns = [*dims, "year", "value"] + ([] if unit is not None else ["unit"])
    return pd.DataFrame({c: pd.Series(dtype=_dtype(c)) for c in columns})


def _dtype(column: str) -> str:
    return "int64" if column == "year" else "float64" if column == "value" else "object"


def tidy(name: str, frame: pd.DataFrame, ordered: bool = False) -> pd.DataFrame:
    """``frame`` with the columns of table ``name`` in order, sorted by dimensions and year
    (``ordered``: the caller built it in that order, so it is not sorted again)."""
    dims, unit = SCHEMA[name]
    columns = [*dims, "year", "value"] + ([] if unit is not None else ["unit"])
    if frame.empty:
        return empty(name)
    typed = frame["year"].dtype == "int64" and frame["value"].dtype == "float64"
    if ordered and typed and list(frame.columns) == columns:
        return frame
    out = frame[columns].astype({"year": "int64", "value": "float64"})
    if ordered:
        return out
    return out.iloc[row_order([out[c] for c in [*dims, "year"]])].reset_index(drop=True)


def row_order(columns: list[Any]) -> np.ndarray:
    """Positions that sort rows by ``columns``, the first one first: the order of every table.

    A lexsort of sorted factor codes, the order sort_values gives, without comparing strings.
    """
    return np.lexsort([pd.factorize(c, sort=True)[0] for c in reversed(columns)])


@dataclass(frozen=True)
class Tables:
    """All tables of a run (see :data:`SCHEMA`), and the names the IAMC view gives them."""

    production: pd.DataFrame
    consumption: pd.DataFrame
    shortage: pd.DataFrame
    demand_reduction: pd.DataFrame
    trade: pd.DataFrame
    stock_change: pd.DataFrame
    stocks: pd.DataFrame
    capacity: pd.DataFrame
    utilisation: pd.DataFrame
    investment: pd.DataFrame
    payments: pd.DataFrame
    prices: pd.DataFrame
    flows: pd.DataFrame
    dependence: pd.DataFrame
    supply_risk: pd.DataFrame
    # commodity, kind (commodity, stage, sector, product, focus), name, label, stage, detail:
    # how each name is written in IAMC variables (see mineralflow.iamc), and the region
    # the pack's report follows
    names: pd.DataFrame

    @staticmethod
    def of(names: pd.DataFrame | None = None, **parts: pd.DataFrame) -> Tables:
        """Tables from some parts; the others are empty (for metrics on partial results)."""
        unknown = sorted(set(parts) - set(SCHEMA))
        if unknown:
            raise KeyError(f"no table {unknown[0]}; tables: {', '.join(SCHEMA)}")
        tables = {
            name: tidy(name, parts[name]) if name in parts else empty(name) for name in SCHEMA
        }
        return Tables(**tables, names=NAMES if names is None else names)

    @staticmethod
    def concat(parts: list[Tables]) -> Tables:
        """The tables of several packs' runs side by side (one commodity each)."""
        merged = {
            f.name: pd.concat([getattr(p, f.name) for p in parts], ignore_index=True)
            for f in fields(Tables)
        }
        return Tables(**{k: v if k == "names" else tidy(k, v) for k, v in merged.items()})

    @property
    def commodities(self) -> list[str]:
        """Pack names, in the order the run lists them."""
        rows = self.names[self.names["kind"] == "commodity"]
        return [str(n) for n in rows["name"]]

    @property
    def years(self) -> list[int]:
        return sorted(int(y) for y in self.production["year"].unique())

    def stages(self, commodity: str) -> list[str]:
        """The stages of ``commodity`` in chain order (consumption left out)."""
        n = self.names
        rows = n[(n["commodity"] == commodity) & (n["kind"] == "stage")]
        return [str(s) for s in rows["name"] if s != CONSUMPTION]

    def focus_region(self, commodity: str) -> str | None:
        """The region a report on ``commodity`` follows (the pack's ``report.focus_region``)."""
        n = self.names
        hit = n[(n["commodity"] == commodity) & (n["kind"] == "focus")]
        return str(hit["label"].iloc[0]) if len(hit) else None

    def label(self, commodity: str, kind: str, name: str) -> str:
        """How ``name`` (a stage, sector or product of ``commodity``) reads in a report."""
        n = self.names
        hit = n[(n["commodity"] == commodity) & (n["kind"] == kind) & (n["name"] == name)]
        return str(hit["label"].iloc[0]) if len(hit) else name

    def stage_output(self) -> pd.DataFrame:
        """Production summed over products: commodity, region, stage, year, value, unit."""
        keys = ["commodity", "region", "stage", "year", "unit"]
        out = self.production.groupby(keys, sort=False)["value"].sum().reset_index()
        return out[["commodity", "region", "stage", "year", "value", "unit"]]
