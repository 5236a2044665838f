"""Why a year's market cannot be solved: the family, region and product behind it.

Every node can dispose of surplus, so only required quantities can fail: bounds that cross,
a quota below zero, a scenario limit that must be reached, or a fixed purchase.  The checks
read the bounds the session holds; the first that explains the failure is reported.
"""

from __future__ import annotations

import numpy as np

from mineralflow.market.errors import InfeasibleError, UnboundedError
from mineralflow.market.layout import Block
from mineralflow.market.session import INF, Session

#: what a row block stands for in messages, where its entity names no product
_ROW_PRODUCT = {"export_quota": "quota products", "limit": "scenario limit"}


def name_position(block: Block, label: object, dims: dict[str, str]) -> tuple[str, str, str]:
    """(family, region, product) of an entity of ``block``, for messages."""
    if "exporter" in dims:
        region = f"{dims['exporter']}->{dims['importer']}"
    else:
        region = dims.get("region", dims.get("limit", "?"))
    product = _ROW_PRODUCT.get(block.name) or dims.get("product") or dims.get("sector")
    return block.name, region, product or str(label)


def explain_infeasible(session: Session, year: int, limit_names: list[str]) -> InfeasibleError:
    """The first required quantity that cannot hold in ``year``."""
    now, layout = session.now, session.layout
    bad = np.flatnonzero(now.upper < now.lower - 1e-12)
    if len(bad):
        family, region, product = name_position(*layout.describe(int(bad[0])))
        return InfeasibleError(
            year, family, region, product, "its upper bound is below its lower bound"
        )
    crossed = np.flatnonzero(now.row_upper < now.row_lower - 1e-12)
    if len(crossed):
        family, region, product = name_position(*layout.describe(int(crossed[0]), row=True))
        return InfeasibleError(
            year, family, region, product, "its upper limit is below its lower limit"
        )
    quota = layout.row("export_quota")
    negative = np.flatnonzero(now.row_upper[quota.span] < 0)
    if len(negative):
        region = str(quota.index[negative[0]])
        return InfeasibleError(
            year, "export_quota", region, "all quota products", "the quota is negative"
        )
    if "limit" in layout.rows:
        required = np.flatnonzero(now.row_lower[layout.row("limit").span] > -INF)
        if len(required):
            return InfeasibleError(
                year,
                "limit",
                limit_names[int(required[0])],
                "scenario limit",
                "a required quantity cannot be reached",
            )
    balance = layout.row("balance").span
    if np.any(now.row_lower[balance] != 0):
        return InfeasibleError(
            year, "balance", "stockpile", "purchases", "a fixed purchase cannot be supplied"
        )
    return InfeasibleError(year, "balance", "?", "?", "HiGHS reports no feasible allocation")


def explain_unbounded(session: Session, year: int) -> UnboundedError:
    """A column without an upper limit whose cost is negative."""
    now = session.now
    free = np.flatnonzero((now.upper >= INF) & (now.cost < 0))
    family, region, product = name_position(
        *session.layout.describe(int(free[0]) if len(free) else 0)
    )
    return UnboundedError(year, family, region, product)
