"""One row of the scorecard: a published figure, the model's value and whether they agree.

A check knows what it compares (section, metric, commodity, region, item, year), the
published value with its source and edition, the model's value and its tolerance. The
tolerances are the scorecard's own, stated with each row: they are not model parameters.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from mineralflow.data.pack import Pack

#: the scorecard's columns, in order
COLUMNS = [
    "id",
    "section",
    "metric",
    "commodity",
    "region",
    "item",
    "year",
    "published",
    "model",
    "unit",
    "tolerance",
    "passed",
    "source",
    "reason",
]


@dataclass(frozen=True)
class Tolerance:
    """How close the model must come: relative, points, factor, direction, max, min, below."""

    kind: str
    size: float = 0.0

    def passes(self, published: float, model: float) -> bool:
        """Whether ``model`` agrees with ``published`` under this tolerance."""
        if math.isnan(model) or math.isnan(published):
            return False
        if self.kind == "relative":
            return abs(model - published) <= self.size * abs(published)
        if self.kind == "points":
            return abs(model - published) <= self.size
        if self.kind == "factor":
            if published <= 0 or model <= 0:
                return False
            return max(model / published, published / model) <= self.size
        if self.kind == "direction":  # changes in %: same sign, and the model's at least size
            return model * published > 0 and abs(model) >= self.size
        if self.kind == "max":  # the model's value must not exceed the published bound
            return model <= published + 1e-9
        if self.kind == "min":  # the published value is a lower bound ("more than 95 %")
            return model >= published - 1e-9
        if self.kind == "below":  # strictly below: a net exporter's reliance is negative
            return model < published
        raise ValueError(f"unknown tolerance kind '{self.kind}'")

    def describe(self) -> str:
        """The tolerance as the scorecard prints it."""
        if self.kind == "relative":
            return f"±{self.size:.0%}"
        if self.kind == "points":
            return f"±{self.size:g} points"
        if self.kind == "factor":
            return f"within a factor {self.size:g}"
        if self.kind == "direction":
            return f"same direction, at least {self.size:g} %"
        return {"max": "at most", "min": "at least", "below": "below"}[self.kind]


@dataclass(frozen=True)
class Check:
    """One published figure against the model."""

    section: str  # base year, replay 2025, hindcast 2010-2011, outlook
    metric: str  # production, price, consumption, ...
    commodity: str
    region: str
    item: str  # stage, product or sector the figure is about
    year: int
    published: float
    model: float
    unit: str
    tolerance: Tolerance
    source: str  # publication and edition

    @property
    def id(self) -> str:
        """A stable name: the same check keeps it from run to run."""
        parts = [self.section, self.metric, self.commodity, self.region, self.item, self.year]
        return "/".join(str(p).replace(" ", "-") for p in parts)

    @property
    def passed(self) -> bool:
        return self.tolerance.passes(self.published, self.model)

    def row(self, reason: str) -> dict[str, object]:
        """The check as a scorecard row, with ``reason`` kept only where it fails."""
        out = {k: v for k, v in asdict(self).items() if k != "tolerance"}
        return {
            **out,
            "id": self.id,
            "tolerance": self.tolerance.describe(),
            "passed": self.passed,
            "reason": "" if self.passed else reason,
        }


def records(table: pd.DataFrame) -> list[dict[Any, Any]]:
    """The rows of ``table`` as dicts (column name -> value)."""
    return table.to_dict(orient="records")


def source_label(pack: Pack, source_id: str) -> str:
    """``title (edition)`` of a pack source, or the id if the pack lacks it."""
    table = pack.table("sources")
    hit = table[table["source_id"] == source_id]
    if hit.empty:
        return source_id
    row = hit.iloc[0]
    return f"{row['title']} ({row['edition']})"


def frame(checks: list[Check], reasons: dict[str, str]) -> pd.DataFrame:
    """The scorecard table: one row per check, failing ones with their documented reason."""
    rows = [c.row(reasons.get(c.id, "no reason recorded")) for c in checks]
    return pd.DataFrame(rows, columns=COLUMNS)
