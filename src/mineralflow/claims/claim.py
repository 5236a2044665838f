"""A quantitative claim read from text, and the verdict on it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Verdict = Literal["consistent", "inconsistent", "outdated", "unverifiable", "plan"]
VERDICTS: tuple[str, ...] = ("consistent", "inconsistent", "outdated", "unverifiable", "plan")

# metric -> what it measures (for docs and the JSON output's readers)
METRICS: dict[str, str] = {
    "production": "output of a stage, t a year",
    "reserves": "reserves, t REO",
    "capacity": "capacity of a stage, t a year",
    "quota": "a government production or export quota, t",
    "exports": "exports, t",
    "imports": "imports, t",
    "share": "a region's share of world production (or of the basis named), %",
    "rank": "a region's rank among countries (1 = largest)",
    "growth": "a change, % or x",
    "price": "price, currency per kg",
    "investment": "money invested or pledged",
    "value": "a money value (of resources, output or trade)",
    "technology_gap": "how far a region's technology lags another's, years",
}


@dataclass(frozen=True)
class Reference:
    """The figure a claim is held against: value, unit, publication and edition."""

    value: float
    unit: str
    source: str
    source_id: str
    edition: str | None
    year: int | None
    basis: str


@dataclass
class Claim:
    """One figure in a text with what it is about, as the rules read it.

    ``low``/``high`` bound the claimed value: equal for a point, open (None) on one side for
    "more than" or "不到"; ``qualifier`` says which ("=", "~", ">", "<", "range").
    """

    quote: str
    number_text: str
    sentence: int
    lang: str
    region: str | None
    metric: str
    unit: str
    value: float | None
    low: float | None
    high: float | None
    qualifier: str
    kind: Literal["fact", "plan"]
    year: int | None
    year_basis: str
    stage: str | None = None
    basis: str | None = None
    other_region: str | None = None
    verdict: Verdict = "unverifiable"
    reference: Reference | None = None
    tolerance: str = ""
    note: str = ""
    conflicts: list[int] = field(default_factory=list)
    start: int = -1  # where the number starts in the text read (characters)
    commodity: str = "rare_earths"  # rare_earths, aluminium or other (no pack)
    period: str = "year"  # "year", or "part of the year" for a month, a quarter, ten months
    entity: bool = False  # the figure is one plant's or one company's, not a region's total
    product: str | None = None  # what a price, or a change of price, is of (Dy, aluminium)

    def as_json(self, index: int) -> dict[str, Any]:
        """The JSON object of ``claims check --json`` (base units: t, USD; shares in %)."""
        ref = asdict(self.reference) if self.reference is not None else None
        return {
            "id": index,
            "quote": self.quote,
            "number": self.number_text,
            "region": self.region,
            "metric": self.metric,
            "stage": self.stage,
            "basis": self.basis,
            "value": self.value,
            "low": self.low,
            "high": self.high,
            "qualifier": self.qualifier,
            "unit": self.unit,
            "year": self.year,
            "year_basis": self.year_basis,
            "kind": self.kind,
            "verdict": self.verdict,
            "reference": ref,
            "tolerance": self.tolerance,
            "note": self.note,
            "conflicts_with": self.conflicts,
            "lang": self.lang,
            "commodity": self.commodity,
            "period": self.period,
            "entity": self.entity,
            "product": self.product,
        }
