"""Score the claims checker on the labelled corpus, strictly.

A found claim is matched to the labelled claim whose number it overlaps. It is **strictly
right** when commodity, region, metric, value (or bounds) and kind all equal the label's.
Precision = strictly right / claims found; recall = strictly right / claims labelled;
verdict accuracy = right verdicts among the strictly right claims. Reported in all, per
language and per failure class (recall within the class).

    python tests/claims/score_corpus.py --split dev [--show-misses]

The test split is scored only at the end of a piece of work; every score taken on it is
kept in docs/claims.md.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from corpus import LabelledClaim, LabelledText, load_corpus

from mineralflow.claims import check_text
from mineralflow.claims.claim import Claim

STRICT = ("commodity", "region", "metric", "bounds", "kind")
LANGS = {"zh": "Chinese", "zh-hant": "Chinese", "en": "English"}


def bounds(value: float | None, low: float | None, high: float | None) -> tuple[Any, Any]:
    """A claim's (low, high): a point is (v, v); an open side is None."""
    if low is None and high is None:
        return value, value
    return low, high


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=5e-3, abs_tol=1e-9)  # 2/3 read as 66.7 or 66.67


def _region(code: str | None) -> str | None:
    return "+".join(sorted(code.split("+"))) if code else code


def _per_kg(unit: str | None, pair: tuple[Any, Any]) -> tuple[Any, Any]:
    """A label's price per tonne in the reader's base unit, per kilogram (USD/t -> USD/kg)."""
    if unit and unit.endswith("/t"):
        return tuple(None if v is None else v / 1000 for v in pair)  # type: ignore[return-value]
    return pair


def commodity_of(claim: Claim) -> str:
    """The commodity a found claim is about (the checker's own word where it gives one)."""
    return str(getattr(claim, "commodity", None) or "rare_earths")


def wrong_fields(found: Claim, label: LabelledClaim) -> list[str]:
    """The strict fields on which a found claim differs from its label."""
    wrong = []
    if commodity_of(found) != label.commodity:
        wrong.append("commodity")
    if _region(found.region) != _region(label.region):
        wrong.append("region")
    if found.metric != label.metric:
        wrong.append("metric")
    mine = bounds(found.value, found.low, found.high)
    theirs = _per_kg(label.unit, bounds(label.value, label.low, label.high))
    if not all(_same(a, b) for a, b in zip(mine, theirs, strict=True)):
        wrong.append("bounds")
    if found.kind != label.kind:
        wrong.append("kind")
    return wrong


@dataclass
class Tally:
    """Counts for one group of claims (all, a language, a failure class)."""

    found: int = 0
    labelled: int = 0
    right: int = 0
    verdict_right: int = 0
    wrong: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def row(self, name: str) -> str:
        precision = self.right / self.found if self.found else float("nan")
        recall = self.right / self.labelled if self.labelled else float("nan")
        verdicts = self.verdict_right / self.right if self.right else float("nan")
        wrong = ", ".join(f"{k} {v}" for k, v in sorted(self.wrong.items())) or "-"
        return (f"| {name} | {self.labelled} | {self.found} | {self.right} | {precision:.2f} "
                f"| {recall:.2f} | {verdicts:.2f} | {wrong} |")  # fmt: skip


def match(
    text: LabelledText, found: list[Claim]
) -> list[tuple[Claim | None, LabelledClaim | None]]:
    """Pairs of a found claim and the label whose number it overlaps (one each)."""
    spans = [(text.offset(c), text.offset(c) + len(c.number), c) for c in text.claims]
    used: set[int] = set()
    pairs: list[tuple[Claim | None, LabelledClaim | None]] = []
    for claim in found:
        end = claim.start + len(claim.number_text)
        hit = next((i for i, (lo, hi, _) in enumerate(spans)
                    if i not in used and claim.start < hi and lo < end), None)  # fmt: skip
        if hit is None:
            pairs.append((claim, None))
        else:
            used.add(hit)
            pairs.append((claim, spans[hit][2]))
    pairs += [(None, c) for i, (_, _, c) in enumerate(spans) if i not in used]
    return pairs


def score(texts: list[LabelledText], show: bool = False) -> dict[str, Tally]:
    """Tallies in all, per language and per failure class."""
    tallies: dict[str, Tally] = defaultdict(Tally)
    for text in texts:
        found = check_text(text.text, today=text.date).claims
        for claim, label in match(text, found):
            groups = ["all", LANGS[text.lang]]
            if label is not None:
                groups += [f"class: {k}" for k in label.classes] or ["class: none"]
            wrong = wrong_fields(claim, label) if claim and label else []
            for group in groups:
                tally = tallies[group]
                tally.found += claim is not None
                tally.labelled += label is not None
                if claim is not None and label is not None and not wrong:
                    tally.right += 1
                    tally.verdict_right += claim.verdict == label.verdict
                for name in wrong or (["missed"] if claim is None else []):
                    tally.wrong[name] += 1
                if label is None:
                    tally.wrong["not a claim"] += 1
            if show and (wrong or claim is None or label is None):
                _show(text, claim, label, wrong)
            elif (
                show and claim is not None and label is not None and claim.verdict != label.verdict
            ):
                _show(text, claim, label, [f"verdict {claim.verdict} != {label.verdict}"])
                print(f"    note: {claim.note}")
    return tallies


def _show(text: LabelledText, claim: Claim | None, label: LabelledClaim | None,
          wrong: list[str]) -> None:  # fmt: skip
    number = claim.number_text if claim else label.number if label else ""
    what = ", ".join(wrong) if wrong else ("missed" if claim is None else "not a claim")
    print(f"{text.id} {number!r}: {what}")
    if claim is not None:
        print(f"    found: {commodity_of(claim)} {claim.region} {claim.metric} "
              f"{bounds(claim.value, claim.low, claim.high)} {claim.kind}")  # fmt: skip
    if label is not None:
        print(f"    label: {label.commodity} {label.region} {label.metric} "
              f"{bounds(label.value, label.low, label.high)} {label.kind}")  # fmt: skip
    at = claim.start if claim is not None else text.offset(label) if label is not None else 0
    print("    text: ..." + text.text[max(0, at - 90) : at + 50].replace("\n", " / ") + "...")


def table(tallies: dict[str, Tally]) -> str:
    """The scores as a markdown table."""
    head = ("| group | labelled | found | strictly right | precision | recall | verdicts "
            "| errors |\n|---|---|---|---|---|---|---|---|")  # fmt: skip
    order = ["all", "Chinese", "English", *sorted(k for k in tallies if k.startswith("class"))]
    return "\n".join([head] + [tallies[k].row(k) for k in order if k in tallies])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["dev", "test", "all"], default="dev")
    parser.add_argument("--show-misses", action="store_true")
    parser.add_argument("--ids", nargs="+", help="only these texts (of the split)")
    args = parser.parse_args()
    texts = load_corpus(None if args.split == "all" else args.split)
    if args.ids:
        texts = [t for t in texts if t.id in set(args.ids)]
    print(f"{len(texts)} texts ({args.split})")
    print(table(score(texts, args.show_misses)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
