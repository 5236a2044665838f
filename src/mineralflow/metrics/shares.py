"""Market shares of regions in a stage's output, against the published world total."""

from __future__ import annotations

import pandas as pd

from mineralflow.data.pack import Pack
from mineralflow.errors import SelectionError

WORLD = "WLD"


def stage_shares(pack: Pack, stage: str, year: int, *, edition: str | None = None) -> pd.DataFrame:
    """Output and share of world output for each region in one stage and year.

    The denominator is the published world total (region ``WLD``) where the pack has one,
    otherwise the sum over regions.  Without ``edition``, the edition of the latest world total
    is used for every region, so that numerator and denominator never mix editions.  Returns
    columns region, value, unit, share, edition, source_id, sorted by value, without the world.
    """
    rows = _rows(pack, stage, year, edition)
    if rows.empty:
        years = sorted(pack.select("production", stage=stage)["year"].unique())
        raise SelectionError(
            f"no {stage} production for {year} in pack '{pack.name}'"
            + (f"; years with data: {years[0]}-{years[-1]}" if years else "")
        )
    regions = rows[rows["region"] != WORLD].copy()
    total = _total(rows)
    regions["share"] = regions["value"] / total if total > 0 else float("nan")
    columns = ["region", "value", "unit", "share", "edition", "source_id"]
    return regions.sort_values("value", ascending=False)[columns].reset_index(drop=True)


def world_total(pack: Pack, stage: str, year: int, *, edition: str | None = None) -> float:
    """The published world total of a stage's output (sum over regions when none is published)."""
    return _total(_rows(pack, stage, year, edition))


def _total(rows: pd.DataFrame) -> float:
    """The world row's value, or the sum over regions where no world total is published."""
    world = rows[rows["region"] == WORLD]
    return float(world["value"].iloc[0]) if len(world) else float(rows["value"].sum())


def _rows(pack: Pack, stage: str, year: int, edition: str | None) -> pd.DataFrame:
    rows = pack.select("production", stage=stage, year=year, edition=edition)
    world = rows[rows["region"] == WORLD]
    if edition is None and len(world):
        rows = pack.select(
            "production", stage=stage, year=year, edition=str(world["edition"].iloc[0])
        )
    return rows
