"""The pack's dated trade policies (``policy_events.csv``) as yearly rates.

A tariff row sets the duty ``actor`` levies on imports from ``target`` (``WLD``: from
everyone) of the row's stage, in %, from its date on: the latest row on or before a day that
names the exporter or ``WLD`` is the duty of that day (on one date, a ``WLD`` row comes
before the rows that name countries, so an exemption can follow a general rate). A year's
rate is the mean over its days, so a duty raised in June counts for seven months.

Other kinds of event are not applied here: export quotas are in ``quotas.csv``; licences,
informal bans, agreements, targets and price floors have no volume or rate the model could
use, and scenarios state them as levers.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from mineralflow.data.pack import Pack
from mineralflow.network import AGGREGATES

TARIFF = "tariff"


def _day(text: str) -> date:
    """The first day a date of policy_events.csv covers ('2025', '2025-06', '2025-06-04')."""
    parts = [int(p) for p in str(text).split("-")]
    return date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


def _events(pack: Pack) -> pd.DataFrame:
    """The tariff rows: day, importer, exporter (or WLD), stage, rate (a share)."""
    if "policy_events" not in pack.tables:
        return pd.DataFrame(columns=["day", "importer", "exporter", "stage", "rate", "general"])
    table = pack.table("policy_events")
    rows = table[table["kind"] == TARIFF]
    return pd.DataFrame(
        {
            "day": [_day(d) for d in rows["date"]],
            "importer": rows["actor"].astype(str).to_numpy(),
            "exporter": rows["target"].astype(str).to_numpy(),
            "stage": rows["stage"].astype(str).to_numpy(),
            "rate": rows["value"].astype(float).to_numpy() / 100.0,
            "general": (rows["target"].isin(AGGREGATES)).to_numpy(),
        }
    ).sort_values(["day", "general"], ascending=[True, False], kind="stable")


def _year_rate(steps: list[tuple[date, float]], year: int) -> float:
    """Mean of a step function of days (``steps`` sorted by day) over ``year``."""
    start, end = date(year, 1, 1), date(year + 1, 1, 1)
    rate, total, at = 0.0, 0.0, start
    for day, value in steps:
        if day >= end:
            break
        if day > at:
            total += rate * (day - at).days
            at = day
        rate = value
    total += rate * (end - at).days
    return total / (end - start).days


def tariff_rates(pack: Pack, years: list[int], exporters: list[str]) -> pd.DataFrame:
    """Yearly mean duty (a share) by importer, exporter, stage and year; zero rows left out."""
    events = _events(pack)
    out = []
    for (importer, stage), rows in events.groupby(["importer", "stage"], sort=True):
        for exporter in exporters:
            if exporter == importer:
                continue
            mine = rows[(rows["exporter"] == exporter) | rows["general"]]
            steps = list(zip(mine["day"], mine["rate"], strict=True))
            for year in years:
                rate = _year_rate(steps, year)
                if rate > 0:
                    out.append((importer, exporter, stage, year, rate))
    return pd.DataFrame(out, columns=["importer", "exporter", "stage", "year", "rate"])


def tariff_costs(
    pack: Pack, arcs: pd.MultiIndex, stage_of: pd.Series, price: pd.Series, years: list[int]
) -> np.ndarray:
    """(years, arcs) USD/kg of duty on each trade arc (exporter, importer, product): the
    yearly rate times the product's base-year reference price."""
    exporters = sorted(set(arcs.get_level_values(0)))
    rates = tariff_rates(pack, years, exporters)
    out = np.zeros((len(years), len(arcs)))
    if rates.empty:
        return out
    products = arcs.get_level_values(2)
    key = pd.MultiIndex.from_arrays(
        [arcs.get_level_values(1), arcs.get_level_values(0), stage_of.reindex(products).to_numpy()]
    )
    unit_price = price.reindex(products).to_numpy(float)
    for i, year in enumerate(years):
        part = rates[rates["year"] == year].set_index(["importer", "exporter", "stage"])["rate"]
        out[i] = part.reindex(key).fillna(0.0).to_numpy() * np.nan_to_num(unit_price)
    return out
