"""Tables as JSON records, for the command line's ``--json`` and the web API."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd


def json_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-safe rows: NaN and pandas NA become null, numpy scalars plain Python."""
    out = []
    for row in frame.to_dict(orient="records"):
        clean: dict[str, Any] = {}
        for key, value in row.items():
            if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
                clean[str(key)] = None
            elif hasattr(value, "item"):
                clean[str(key)] = value.item()
            else:
                clean[str(key)] = value
        out.append(clean)
    return out
