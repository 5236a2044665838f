"""Benchmark: time and memory to read large inputs, each in a fresh process.

* ``article``: ``check_text`` on a 1 MB article made of the labelled training sentences
  (tests/claims/labelled.yaml; the held-out split is not touched), against the same on 100 KB:
  ``article_ratio`` = time(1 MB) / time(100 KB) is about 10 when reading is linear. The contract
  (docs/reliability.md): 1 MB in under 5 s and 300 MB.
* ``table``: ``check_pack`` on a copy of the rare-earth pack whose production table has
  100,000 rows (the cap) and 1,000,000 rows (refused by the cap). The contract: checked in
  under 30 s and 1 GB, or refused.

Memory is the peak resident size of the process above what it held after its imports.
Run: ``.venv/bin/python benchmarks/inputs.py [--json]``; the last line is JSON with --json.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from output import emit

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable

ARTICLE = """
import resource, sys, time, yaml
from mineralflow.claims import check_text
from mineralflow.data.pack import load_pack
pack = load_pack("rare_earths")
check_text("China mined 270,000 t in 2024.", pack)
sentences = [case["text"] for case in yaml.safe_load(open(sys.argv[1], encoding="utf-8"))]
block = "\\n".join(sentences) + "\\n"
size = int(sys.argv[2])
text = (block * (size // len(block.encode()) + 1)).encode()[:size].decode("utf-8", "ignore")
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
claims = check_text(text, pack).claims
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(seconds, (peak - base) / 1024, len(claims))
"""

TABLE = """
import resource, sys, time
from mineralflow.data.pack import check_pack
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
problems = check_pack(sys.argv[1])
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(seconds, (peak - base) / 1024, len(problems))
"""


def _measure(script: str, *args: str) -> tuple[float, float, int]:
    done = subprocess.run([PYTHON, "-c", script, *args], capture_output=True, text=True, check=True)
    seconds, megabytes, count = done.stdout.split()
    return float(seconds), float(megabytes), int(count)


def _pack_with_rows(folder: Path, rows: int) -> Path:
    target = folder / f"pack-{rows}"
    shutil.copytree(ROOT / "src" / "mineralflow" / "data" / "packs" / "rare_earths", target)
    production = target / "production.csv"
    header, *lines = production.read_text(encoding="utf-8").splitlines()
    with production.open("w", encoding="utf-8") as handle:
        handle.write(header + "\n")
        for i in range(rows):
            region, stage, _year, *rest = lines[i % len(lines)].split(",")
            handle.write(",".join([region, stage, str(1000 + i % 1000), *rest]) + "\n")
    return target


def main() -> None:
    labelled = str(ROOT / "tests" / "claims" / "labelled.yaml")
    small = _measure(ARTICLE, labelled, str(100_000))
    large = _measure(ARTICLE, labelled, str(1_000_000))
    result: dict[str, object] = {
        "article_100kb_s": round(small[0], 2),
        "article_1mb_s": round(large[0], 2),
        "article_1mb_mb": round(large[1], 1),
        "article_1mb_claims": large[2],
        "article_ratio": round(large[0] / small[0], 2),
    }
    with tempfile.TemporaryDirectory() as folder:
        for rows in (100_000, 1_000_000):
            seconds, megabytes, problems = _measure(TABLE, str(_pack_with_rows(Path(folder), rows)))
            result[f"table_{rows}_s"] = round(seconds, 2)
            result[f"table_{rows}_mb"] = round(megabytes, 1)
            result[f"table_{rows}_problems"] = problems
    emit(result)


if __name__ == "__main__":
    main()
