"""Captive trade routes (``trade_contracts.csv``): a plant's feed shipped whatever the
least-cost flows would say.

A contract is a floor on one trade arc in the years of its window, in the base year's
reconciliation (so the calibrated flows and prices carry it) and as a limit row of every
scenario's plan. A scenario's ban on the route ends it in the years the ban covers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mineralflow.data.pack import Pack
from mineralflow.market.problem import MarketProblem
from mineralflow.network import NetworkError

#: limit rows of contracts are named with this prefix
PREFIX = "contract "
COLUMNS = ["exporter", "importer", "product", "start", "end", "tonnes", "arc"]


def contracts(pack: Pack, problem: MarketProblem, years: list[int]) -> pd.DataFrame:
    """The pack's contracts in force in some of ``years``, with the position of their arc:
    exporter, importer, product, start, end, tonnes, arc."""
    if "trade_contracts" not in pack.tables:
        return pd.DataFrame(columns=COLUMNS)
    table = pack.table("trade_contracts")
    table = table[(table["start"] <= max(years)) & (table["end"] >= min(years))]
    keys = pd.MultiIndex.from_arrays([table["exporter"], table["importer"], table["product"]])
    arc = problem.arcs.get_indexer(keys)
    missing = [f"{e} -> {i}, {p}" for (e, i, p), at in zip(keys, arc, strict=True) if at < 0]
    if missing:
        raise NetworkError(
            f"trade_contracts.csv of pack '{pack.name}': no trade arc {missing[0]} in the "
            "network (both regions must run the stages that make and take the product)"
        )
    return pd.DataFrame(
        {
            "exporter": table["exporter"].to_numpy(),
            "importer": table["importer"].to_numpy(),
            "product": table["product"].to_numpy(),
            "start": table["start"].astype(int).to_numpy(),
            "end": table["end"].astype(int).to_numpy(),
            "tonnes": table["value"].astype(float).to_numpy(),
            "arc": arc,
        }
    )


def floors(pack: Pack, problem: MarketProblem, year: int) -> np.ndarray:
    """t at least on each trade arc in ``year`` (0 where no contract holds)."""
    out = np.zeros(len(problem.arcs))
    table = contracts(pack, problem, [year])  # those in force in ``year``
    np.add.at(out, table["arc"].to_numpy(int), table["tonnes"].to_numpy(float))
    return out


def limit_rows(
    pack: Pack, problem: MarketProblem, years: list[int]
) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray], list[str]]:
    """(rows, lower, upper, names) of the contracts as plan limit rows over ``years``."""
    trade0 = problem.layout.col("trade").start
    rows, lower, upper, names = [], [], [], []
    span = np.asarray(years)
    for c in contracts(pack, problem, years).to_dict(orient="records"):
        row = np.zeros(problem.n_cols)
        row[trade0 + int(c["arc"])] = 1.0
        active = (c["start"] <= span) & (span <= c["end"])
        rows.append(row)
        lower.append(np.where(active, float(c["tonnes"]), -np.inf))
        upper.append(np.full(len(years), np.inf))
        names.append(f"{PREFIX}{c['exporter']} -> {c['importer']} {c['product']}")
    return rows, lower, upper, names
