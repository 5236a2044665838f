"""How the benchmarks print their result: aligned ``key: value`` lines, one JSON line, or a
Markdown table for docs/validation.md."""

from __future__ import annotations

import json
import sys

import pandas as pd


def emit(result: dict[str, object]) -> None:
    """Print ``result``; with ``--json`` on the command line, as a single JSON line."""
    if "--json" in sys.argv:
        print(json.dumps(result))
        return
    width = max(len(key) for key in result)
    for key, value in result.items():
        print(f"{key:>{width}}: {value}")


def markdown_table(frame: pd.DataFrame) -> str:
    """``frame`` (its index left out) as a Markdown table, floats in their shortest form."""
    lines = ["| " + " | ".join(map(str, frame.columns)) + " |", "|" + "---|" * len(frame.columns)]
    for row in frame.itertuples(index=False):
        cells = [f"{v:g}" if isinstance(v, float) else str(v) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
