"""The labelled corpus of texts for the claims reader: load, check, count.

Run ``python tests/claims/corpus.py`` to check every text and print the counts.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections import Counter
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

CORPUS = Path(__file__).parent / "corpus"
TEXTS = CORPUS / "texts"
SPLIT = CORPUS / "split.yaml"

Metric = Literal[
    "production",
    "capacity",
    "reserves",
    "quota",
    "exports",
    "imports",
    "consumption",
    "stocks",
    "share",
    "rank",
    "growth",
    "price",
    "price_floor",
    "tariff",
    "investment",
    "value",
    "count",
    "net_import_reliance",
    "technology_gap",
    "other",
]
Stage = Literal[
    "mining", "separation", "metal", "magnet", "bauxite", "alumina", "primary", "secondary"
]
FailureClass = Literal[
    "numbers", "respectively", "metric", "region", "plan", "commodity", "year", "verdict"
]
Verdict = Literal["consistent", "outdated", "inconsistent", "unverifiable", "plan"]


class Reference(BaseModel):
    """The pack figure a labelled verdict rests on."""

    model_config = ConfigDict(extra="forbid")
    source_id: str
    year: int
    value: float


class LabelledClaim(BaseModel):
    """One claim as a careful reader labels it (see corpus/README.md)."""

    model_config = ConfigDict(extra="forbid")
    number: str = Field(min_length=1)
    nth: int = Field(default=1, ge=1)
    commodity: Literal["rare_earths", "aluminium", "other"]
    region: str | None = None
    partner: str | None = None
    metric: Metric
    basis: str | None = None
    stage: Stage | None = None
    value: float | None = None
    low: float | None = None
    high: float | None = None
    unit: str
    year: int | None = None
    period: str | None = None
    kind: Literal["fact", "plan"]
    verdict: Verdict
    ref: Reference | None = None
    classes: list[FailureClass] = Field(default_factory=list)
    note: str | None = None

    @model_validator(mode="after")
    def _bounded(self) -> LabelledClaim:
        if self.value is None and self.low is None and self.high is None:
            raise ValueError("a claim needs value, or low and/or high")
        if self.kind == "plan" and self.verdict != "plan":
            raise ValueError("a plan's verdict is 'plan'")
        return self


class LabelledText(BaseModel):
    """A text of the corpus with every claim in it."""

    model_config = ConfigDict(extra="forbid")
    id: str
    lang: Literal["zh", "zh-hant", "en"]
    date: dt.date
    title: str
    modelled_on: list[str] = Field(min_length=1)
    text: str
    claims: list[LabelledClaim]

    @model_validator(mode="after")
    def _anchored(self) -> LabelledText:
        for i, claim in enumerate(self.claims):
            count = self.text.count(claim.number)
            if count < claim.nth:
                raise ValueError(f"claims[{i}]: {claim.number!r} occurs {count} times in the text")
        return self

    def offset(self, claim: LabelledClaim) -> int:
        """Where the claim's number starts in the text."""
        at = -1
        for _ in range(claim.nth):
            at = self.text.index(claim.number, at + 1)
        return at


def load_text(path: Path) -> LabelledText:
    """One labelled text; the error names the file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    try:
        text = LabelledText.model_validate(data)
    except ValidationError as error:
        raise ValueError(f"{path.name}: {error}") from None
    if text.id != path.stem:
        raise ValueError(f"{path.name}: id {text.id!r} differs from the file name")
    return text


def load_corpus(split: str | None = None) -> list[LabelledText]:
    """Every text, or those of one split (``dev`` or ``test``), in id order."""
    texts = [load_text(path) for path in sorted(TEXTS.glob("*.yaml"))]
    if split is None:
        return texts
    assigned = yaml.safe_load(SPLIT.read_text(encoding="utf-8"))
    return [text for text in texts if assigned.get(text.id) == split]


def _duplicates(texts: list[LabelledText]) -> list[str]:
    problems = []
    for text in texts:
        seen = Counter((c.number, c.nth) for c in text.claims)
        for (number, nth), n in seen.items():
            if n > 1:
                problems.append(f"{text.id}: {number!r} (nth {nth}) is labelled {n} times")
    return problems


def main() -> int:
    """Check every text and print counts by language, commodity and class."""
    try:
        texts = load_corpus()
    except ValueError as error:
        print(error)
        return 1
    claims = [(t, c) for t in texts for c in t.claims]
    print(f"{len(texts)} texts, {len(claims)} claims")
    print("texts by lang:", dict(Counter(t.lang for t in texts)))
    print("claims by lang:", dict(Counter(t.lang for t, _ in claims)))
    print("claims by commodity:", dict(Counter(c.commodity for _, c in claims)))
    print("claims by class:", dict(Counter(k for _, c in claims for k in c.classes)))
    print("claims by verdict:", dict(Counter(c.verdict for _, c in claims)))
    problems = _duplicates(texts)
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
