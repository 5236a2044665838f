"""The results store: every run kept in one DuckDB file, and identical inputs never re-solved.

A run is identified by the hash of what determines its result: the scenario text after
inheritance, a hash of every file of each pack it uses, the code (version and a hash of the
package's source files, so that a changed model is never answered from an older run) and the
seed.  The
store keeps that text and the IAMC results, so that ``runs show`` can say exactly what was
run and ``compare`` can read two runs without solving them again.

The file lives in the user's data folder (``platformdirs``) unless ``MINERALFLOW_STORE`` or
``--store`` names another.  Writes happen in one transaction: a failed run leaves nothing.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd
import platformdirs

from mineralflow import __version__
from mineralflow.data.pack import resolve
from mineralflow.errors import MineralflowError
from mineralflow.files import STORE_ENV
from mineralflow.iamc import from_iamc
from mineralflow.scenario.model import Scenario
from mineralflow.tables import NAME_COLUMNS, NAMES, Tables

ENV = STORE_ENV
ID_LENGTH = 12

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id VARCHAR PRIMARY KEY,
    scenario VARCHAR NOT NULL,
    scenario_text VARCHAR NOT NULL,
    packs VARCHAR NOT NULL,
    pack_hash VARCHAR NOT NULL,
    code_version VARCHAR NOT NULL,
    seed BIGINT NOT NULL,
    created TIMESTAMP NOT NULL,
    wall_seconds DOUBLE NOT NULL,
    rows BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS results (
    run_id VARCHAR NOT NULL,
    model VARCHAR, scenario VARCHAR, region VARCHAR, variable VARCHAR, unit VARCHAR,
    year INTEGER, value DOUBLE
);
CREATE TABLE IF NOT EXISTS names (
    run_id VARCHAR NOT NULL,
    commodity VARCHAR, kind VARCHAR, name VARCHAR, label VARCHAR, stage VARCHAR, detail VARCHAR
);
"""


class StoreError(MineralflowError):
    """The store file cannot be used, or a run id is unknown."""


def default_path() -> Path:
    env = os.environ.get(ENV)
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir("mineralflow")) / "runs.duckdb"


def pack_hash(pack: str) -> str:
    """SHA-256 over the names and bytes of every file of a pack folder."""
    folder = resolve(pack)
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@functools.cache
def code_version() -> str:
    """The package version plus a hash of its Python source files, e.g. ``0.1.0+3f2a...``."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"


def run_key(scenario: Scenario) -> tuple[str, str]:
    """(run id, pack hash) of a scenario: equal ids mean equal results."""
    packs = "+".join(pack_hash(p) for p in scenario.packs)
    text = json.dumps([scenario.canonical(), packs, code_version(), scenario.seed])
    return hashlib.sha256(text.encode()).hexdigest()[:ID_LENGTH], packs


@dataclass
class StoredRun:
    run_id: str
    scenario: str
    scenario_text: str
    packs: str
    pack_hash: str
    code_version: str
    seed: int
    created: datetime
    wall_seconds: float
    rows: int


class ResultsStore:
    """A DuckDB file of runs; open it for the length of a command."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.con = duckdb.connect(str(self.path))
            self.con.execute(_SCHEMA)
        except (OSError, duckdb.Error) as exc:
            raise StoreError(f"results store {self.path}: cannot be opened: {exc}") from None

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> ResultsStore:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def save(
        self,
        scenario: Scenario,
        key: tuple[str, str],
        frame: pd.DataFrame,
        wall_seconds: float,
        names: pd.DataFrame | None = None,
    ) -> str:
        """Record a run under ``key`` (from :func:`run_key`), replacing one with the same id.

        ``frame`` is the IAMC table; ``names`` the vocabulary that reads it back into tables.
        """
        run_id, packs_hash = key
        table = frame.assign(run_id=run_id)[
            ["run_id", "model", "scenario", "region", "variable", "unit", "year", "value"]
        ]
        vocabulary = (NAMES if names is None else names).assign(run_id=run_id)
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            for name in ("results", "names", "runs"):
                con.execute(f"DELETE FROM {name} WHERE run_id = ?", [run_id])
            con.register("incoming", table)
            con.execute("INSERT INTO results SELECT * FROM incoming")
            con.unregister("incoming")
            con.register("incoming", vocabulary[["run_id", *NAME_COLUMNS]])
            con.execute("INSERT INTO names SELECT * FROM incoming")
            con.unregister("incoming")
            con.execute(
                "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    run_id,
                    scenario.name,
                    scenario.canonical(),
                    "+".join(scenario.packs),
                    packs_hash,
                    code_version(),
                    scenario.seed,
                    datetime.now(UTC).replace(tzinfo=None),
                    wall_seconds,
                    len(table),
                ],
            )
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        return run_id

    def has(self, run_id: str) -> bool:
        """Whether a run with this id (these exact inputs) is stored."""
        return (
            self.con.execute("SELECT 1 FROM runs WHERE run_id = ?", [run_id]).fetchone() is not None
        )

    def resolve_id(self, prefix: str) -> str:
        """The full id of the one run whose id starts with ``prefix``."""
        rows = self.con.execute(
            "SELECT run_id FROM runs WHERE starts_with(run_id, ?)", [prefix]
        ).fetchall()
        if len(rows) == 1:
            return str(rows[0][0])
        if not rows:
            raise StoreError(
                f"no run '{prefix}' in {self.path}; 'mineralflow runs list' shows the runs"
            )
        raise StoreError(f"'{prefix}' matches {len(rows)} runs; give more characters")

    def get(self, run_id: str) -> StoredRun:
        row = self.con.execute("SELECT * FROM runs WHERE run_id = ?", [run_id]).fetchone()
        if row is None:
            raise StoreError(f"no run '{run_id}' in {self.path}")
        return StoredRun(*row)

    def results(self, run_id: str) -> pd.DataFrame:
        return self.con.execute(
            "SELECT model, scenario, region, variable, unit, year, value FROM results "
            "WHERE run_id = ? ORDER BY variable, region, year",
            [run_id],
        ).df()

    def tables(self, run_id: str) -> tuple[Tables, pd.DataFrame]:
        """A stored run's tables and its IAMC table."""
        frame = self.results(run_id)
        names = self.con.execute(
            "SELECT commodity, kind, name, label, stage, detail FROM names WHERE run_id = ? "
            "ORDER BY rowid",
            [run_id],
        ).df()
        return from_iamc(frame, names), frame

    def list(self) -> pd.DataFrame:
        return self.con.execute(
            "SELECT run_id, scenario, packs, code_version, seed, created, "
            "round(wall_seconds, 2) AS wall_s, rows FROM runs ORDER BY created DESC"
        ).df()

    def delete(self, run_id: str) -> None:
        self.con.execute("BEGIN TRANSACTION")
        for name in ("results", "names", "runs"):
            self.con.execute(f"DELETE FROM {name} WHERE run_id = ?", [run_id])
        self.con.execute("COMMIT")
