"""How the benchmarks print their result: aligned ``key: value`` lines, or one JSON line."""

from __future__ import annotations

import json
import sys


def emit(result: dict[str, object]) -> None:
    """Print ``result``; with ``--json`` on the command line, as a single JSON line."""
    if "--json" in sys.argv:
        print(json.dumps(result))
        return
    width = max(len(key) for key in result)
    for key, value in result.items():
        print(f"{key:>{width}}: {value}")
