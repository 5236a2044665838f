"""Benchmark: loading and validating a pack, as a ratio to reading its CSV files raw.

The reference is ``pandas.read_csv`` of the same files in the same process, so the ratio
measures what validation costs and does not depend on the machine's speed.
Run: ``.venv/bin/python benchmarks/load.py [--json]``.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable

import pandas as pd

from mineralflow import load_pack
from mineralflow.data.pack import BUNDLED_DIR, bundled_packs


def best_of(func: Callable[[], object], repeat: int = 5) -> float:
    """Fastest wall time of ``repeat`` runs, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    results = {}
    for name in bundled_packs():
        files = sorted((BUNDLED_DIR / name).glob("*.csv"))
        raw = best_of(lambda files=files: [pd.read_csv(f, dtype=str) for f in files])
        full = best_of(lambda name=name: load_pack(name))
        rows = sum(len(t) for t in load_pack(name).tables.values())
        results[name] = {
            "rows": rows,
            "raw_read_s": round(raw, 4),
            "load_s": round(full, 4),
            "ratio": round(full / raw, 1),
        }
        if "--json" not in sys.argv:
            print(f"{name}: {rows} rows, load {full * 1000:.0f} ms = {full / raw:.1f} x raw read")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
