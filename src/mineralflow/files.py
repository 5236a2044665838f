"""Writing a user's output files whole or not at all, and the export formats' file names."""

from __future__ import annotations

from pathlib import Path

from mineralflow.errors import MineralflowError

#: Export formats: long CSV (IAMC columns), long Parquet, wide IAMC CSV and Excel (pyam's
#: layout: ``Model, Scenario, Region, Variable, Unit`` and one column per year).
FORMATS = {
    "csv": "results.csv",
    "parquet": "results.parquet",
    "iamc": "results_iamc.csv",
    "xlsx": "results.xlsx",
}

#: environment variable naming the results store file
STORE_ENV = "MINERALFLOW_STORE"


def write_text_file(text: str, target: Path, what: str, suffixes: tuple[str, ...]) -> Path:
    """Write ``text`` to ``target`` through a temporary file, so it is never half-written.

    ``what`` names the file in messages ("report file"); ``suffixes`` are the endings allowed,
    the first one named in the message.
    """
    if target.suffix.lower() not in suffixes:
        raise MineralflowError(f"{what} '{target}': give a file name ending in {suffixes[0]}")
    if target.is_dir():
        raise MineralflowError(f"{what} '{target}' is a folder; give a file name")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = target.with_name(f".{target.name}.tmp")
        temp.write_text(text, encoding="utf-8")
        temp.replace(target)
    except OSError as exc:
        raise MineralflowError(f"{what} '{target}': cannot be written: {exc}") from None
    return target
