"""Turn the plans found in a text into a scenario YAML, for the analyst to edit and run.

Plans become levers: a tonnage target of output becomes a ``capacity_target`` in tonnes, a
multiple (翻一番, "double") a ``capacity_target`` with ``multiple``, a target share of world
output a ``capacity_target`` of that share of today's world output, a new plant with a
capacity a ``capacity_project``.  A plan with no year gets 2030 and says so.  Plans that name
no quantity (a plant "in 2028", a sum of money) are listed as comments.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from mineralflow.claims.check import CheckedText, commodity_key
from mineralflow.claims.claim import Claim
from mineralflow.claims.judge import Judge
from mineralflow.data.pack import Pack
from mineralflow.files import write_text_file

DEFAULT_YEAR = 2030


def _lever(claim: Claim, judge: Judge, stages: list[str]) -> tuple[dict[str, Any] | None, str]:
    """The lever for one plan, or None with the reason it stays a comment."""
    if claim.region is None or len(claim.region) != 3 or claim.region == "WLD":
        return None, "no country named"
    year = claim.year or DEFAULT_YEAR
    assumed = "" if claim.year else f"; year not stated, {DEFAULT_YEAR} assumed"
    stage = claim.stage if claim.stage in stages else stages[0]
    quote = re.sub(r"\s+", " ", claim.quote)[:160]
    note = f'"{quote}" ({claim.number_text}){assumed}'
    target = claim.high if claim.high is not None else claim.value
    if claim.metric in ("production", "growth") and claim.unit == "t" and target:
        return {
            "type": "capacity_target", "region": claim.region, "stage": stage,
            "tonnes": float(target), "year": year, "note": note,
        }, ""  # fmt: skip
    if claim.metric == "growth" and claim.unit == "x" and claim.value:
        return {
            "type": "capacity_target", "region": claim.region, "stage": stage,
            "multiple": float(claim.value), "year": year, "note": note,
        }, ""  # fmt: skip
    if claim.metric == "share" and claim.unit == "%" and target and claim.basis == "production":
        world = judge.production[
            (judge.production["region"] == "WLD") & (judge.production["stage"] == stage)
        ]
        if world.empty:
            return None, f"no world {stage} output in the pack to turn the share into tonnes"
        latest = world.sort_values(["year", "published"]).iloc[-1]
        tonnes = round(float(target) / 100 * float(latest["value"]))
        note += (
            f"; {target:g} % of world {stage} output in {int(latest['year'])} "
            f"({latest['value']:,.0f} t, {latest['edition']})"
        )
        return {
            "type": "capacity_target", "region": claim.region, "stage": stage,
            "tonnes": float(tonnes), "year": year, "note": note,
        }, ""  # fmt: skip
    if claim.metric == "capacity" and claim.unit == "t" and target:
        return {
            "type": "capacity_project", "name": f"{claim.region} {stage} plan",
            "region": claim.region, "stage": stage, "capacity": float(target),
            "start_year": year, "ramp_years": 3, "note": note,
        }, ""  # fmt: skip
    if claim.metric == "capacity" and claim.value is None:
        return None, "a plant with a year but no capacity: add a capacity_project"
    return None, f"{claim.metric} in {claim.unit or 'no unit'} has no lever"


def draft_scenario(checked: CheckedText, pack: Pack, name: str, source: str) -> str:
    """The scenario YAML text (levers from the plans, the rest as comments)."""
    judge = Judge(pack)
    stages = judge.stages
    levers: list[dict[str, Any]] = []
    comments: list[str] = []
    seen: set[tuple[Any, ...]] = set()
    commodity = commodity_key(pack)
    for i, claim in enumerate(checked.claims):
        if claim.kind != "plan" or claim.commodity != commodity:
            continue  # a plan for another commodity belongs in a scenario of that pack
        lever, reason = _lever(claim, judge, stages)
        if lever is None:
            what = f"{claim.number_text} ({claim.region or 'no region'}, {claim.metric})"
            comments.append(f"#{i} {what}: {reason}")
            if claim.metric == "capacity" and claim.region and claim.year:
                comments += [
                    "  - type: capacity_project",
                    f"    region: {claim.region}",
                    f"    stage: {claim.stage if claim.stage in stages else stages[0]}",
                    f"    start_year: {claim.year}",
                    "    capacity: ...  # not stated in the text",
                ]
            continue
        key = tuple(sorted((k, v) for k, v in lever.items() if k != "note"))
        if key not in seen:
            seen.add(key)
            levers.append(lever)
    written = checked.date.isoformat() if checked.date else "undated"
    body: dict[str, Any] = {
        "name": name,
        "description": (
            f"Draft from the plans in {source} ({written}), read by 'mineralflow claims "
            "scenario'. Check each lever against the text before you run it."
        ),
        "base": "baseline",
        "levers": levers,
        "sources": [f"{source} ({written})"],
    }
    header = [
        f"# Draft scenario from {source}, made {date.today().isoformat()}.",
        "# Each lever's note quotes the sentence it came from. Edit, then run with",
        f"#   mineralflow run {name}.yaml",
    ]
    if not levers:
        header.append("# No plan with a quantity was found; add levers by hand.")
    if comments:
        header.append("# Plans without a lever:")
        header += [f"#   {c}" for c in comments]
    text = yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=100)
    return "\n".join(header) + "\n" + text


def write_draft(text: str, target: Path) -> Path:
    """Write the draft through a temporary file (never half-written); .yaml or .yml only."""
    return write_text_file(text, target, "scenario file", (".yaml", ".yml"))
