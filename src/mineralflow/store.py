"""The results store: a folder of finished runs that many processes share without locks.

A run is identified by the hash of what determines its result: the scenario text after
inheritance, a hash of each pack's declared files, the code (version and a hash of the
package's source files, so that a changed model is never answered from an older run) and the
seed.  Equal ids mean equal results.

Layout (``STORE`` is ``--store``, ``$MINERALFLOW_STORE`` or the user data folder)::

    STORE/runs/<run id>/run.json          what was run, and the size and SHA-256 of each file
    STORE/runs/<run id>/results.parquet   the IAMC table
    STORE/runs/<run id>/names.parquet     the vocabulary that reads it back into tables
    STORE/.incoming/                      runs being written (one folder per writer)
    STORE/.trash/                         runs being replaced or deleted

A run is written whole into its own folder under ``.incoming`` and then renamed into
``runs/`` in one step, so readers see a finished run or none: no process ever waits for
another, and a process killed at any moment leaves every finished run complete.  Leftovers of
killed writers are removed by the next process that opens the store.  DuckDB reads the Parquet
files of all runs at once (:meth:`ResultsStore.query`).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import secrets
import shutil
import socket
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import platformdirs

from mineralflow import __version__
from mineralflow.data.pack import declared_files, resolve
from mineralflow.errors import MineralflowError
from mineralflow.files import STORE_ENV, pid_alive
from mineralflow.iamc import from_iamc
from mineralflow.scenario.model import Scenario
from mineralflow.tables import NAME_COLUMNS, NAMES, Tables

ENV = STORE_ENV
ID_LENGTH = 12
FORMAT = 2  # version of the store layout, written into every run.json
META = "run.json"
FILES = ("results.parquet", "names.parquet")
RESULT_COLUMNS = ["model", "scenario", "region", "variable", "unit", "year", "value"]
#: a writer's leftover folder is removed once its process is gone, or after this many seconds
STALE_SECONDS = 24 * 3600
_PUBLISH_TRIES = 20


class StoreError(MineralflowError):
    """The store cannot be used, a run id is unknown, or a stored run is damaged."""


def default_path() -> Path:
    env = os.environ.get(ENV)
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir("mineralflow")) / "runs"


def pack_hash(pack: str) -> str:
    """SHA-256 over the names and bytes of a pack's declared files (pack.yaml and its tables).

    Other files in the folder (notes, stray downloads) do not change a run, so they are
    neither read nor hashed.
    """
    digest = hashlib.sha256()
    for path in declared_files(resolve(pack)):
        digest.update(path.name.encode())
        with path.open("rb") as handle:
            for block in iter(functools.partial(handle.read, 1 << 20), b""):
                digest.update(block)
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


@dataclass(frozen=True)
class Extra:
    """What a run is saved with besides its results: its kind, further Parquet files (by
    file name) and details written into ``run.json``."""

    kind: str = "run"
    files: dict[str, pd.DataFrame] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)


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
    kind: str = "run"  # or "ensemble": quantiles of many members (mineralflow.uncertainty)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _host() -> str:
    """This machine's name as written in a writer's folder name (no '-', the separator)."""
    return socket.gethostname().replace("-", "_")


def _read_settled(path: Path) -> bytes:
    """A file's bytes; a refresh that replaces the run at that moment is waited out briefly."""
    for wait in (0.05, 0.2, 0.5):
        try:
            return path.read_bytes()
        except FileNotFoundError:
            time.sleep(wait)
    return path.read_bytes()


def _stored(meta: dict[str, Any]) -> StoredRun:
    """The run a ``run.json`` describes."""
    fields = {k: meta[k] for k in StoredRun.__dataclass_fields__ if k in meta}
    fields["created"] = datetime.fromisoformat(fields["created"])
    return StoredRun(**fields)


class ResultsStore:
    """A folder of runs; any number of processes may open it at once."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        if self.path.is_file():
            raise StoreError(
                f"results store {self.path} is a file; the store is a folder (a store file of "
                "an earlier mineralflow version cannot be read: give a new folder with --store "
                f"or ${ENV}, and run the scenarios again)"
            )
        self.runs_dir = self.path / "runs"
        self.incoming = self.path / ".incoming"
        self.trash = self.path / ".trash"
        try:
            for folder in (self.runs_dir, self.incoming, self.trash):
                folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"results store {self.path}: cannot be opened: {exc.strerror or exc}"
            ) from None
        self._remove_leftovers()

    def close(self) -> None:
        """Nothing is held open between calls; kept so a store works as a context manager."""

    def __enter__(self) -> ResultsStore:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # ------------------------------------------------------------------ writing
    def save(
        self,
        scenario: Scenario,
        key: tuple[str, str],
        frame: pd.DataFrame,
        wall_seconds: float,
        names: pd.DataFrame | None = None,
        extra: Extra | None = None,
    ) -> str:
        """Record a run under ``key`` (from :func:`run_key`), replacing one with the same id.

        ``frame`` is the IAMC table; ``names`` the vocabulary that reads it back into tables;
        ``extra`` the run's kind, further Parquet files and details (an ensemble's).
        """
        run_id = key[0]
        work = self.incoming / f"{run_id}-{_host()}-{os.getpid()}-{secrets.token_hex(4)}"
        try:
            work.mkdir()
            self._write_run(work, scenario, key, frame, wall_seconds, names, extra or Extra())
            self._publish(work, run_id)
        except OSError as exc:
            shutil.rmtree(work, ignore_errors=True)
            raise StoreError(
                f"results store {self.path}: run {run_id} cannot be written: {exc.strerror or exc}"
            ) from None
        return run_id

    def _write_run(
        self,
        work: Path,
        scenario: Scenario,
        key: tuple[str, str],
        frame: pd.DataFrame,
        wall_seconds: float,
        names: pd.DataFrame | None,
        extra: Extra,
    ) -> None:
        """The Parquet files, then ``run.json`` naming their sizes and digests."""
        frame[RESULT_COLUMNS].to_parquet(work / FILES[0], index=False)
        vocabulary = NAMES if names is None else names
        vocabulary[list(NAME_COLUMNS)].to_parquet(work / FILES[1], index=False)
        for name, table in extra.files.items():
            table.to_parquet(work / name, index=False)
        info = StoredRun(
            run_id=key[0],
            scenario=scenario.name,
            scenario_text=scenario.canonical(),
            packs="+".join(scenario.packs),
            pack_hash=key[1],
            code_version=code_version(),
            seed=scenario.seed,
            created=datetime.now(UTC).replace(tzinfo=None),
            wall_seconds=float(wall_seconds),
            rows=len(frame),
            kind=extra.kind,
        )
        meta: dict[str, Any] = {"format": FORMAT, **asdict(info), "details": extra.details}
        meta["created"] = info.created.isoformat()
        meta["files"] = {
            name: {"bytes": (work / name).stat().st_size, "sha256": _digest(work / name)}
            for name in (*FILES, *extra.files)
        }
        (work / META).write_text(json.dumps(meta, indent=1), encoding="utf-8")

    def _publish(self, work: Path, run_id: str) -> None:
        """Rename the finished folder into ``runs/``, moving an older copy of it aside first."""
        target = self.runs_dir / run_id
        for _ in range(_PUBLISH_TRIES):
            try:
                work.rename(target)
                break
            except OSError:
                if not target.exists():
                    raise
            self._discard(target)
        else:  # another writer keeps putting the same run in place: its copy is as good
            shutil.rmtree(work, ignore_errors=True)
        self._empty_trash()

    def _discard(self, folder: Path) -> None:
        """Move a run folder into the trash (one rename), if it is still there."""
        with contextlib.suppress(FileNotFoundError):
            folder.rename(self.trash / f"{folder.name}-{os.getpid()}-{secrets.token_hex(4)}")

    def _empty_trash(self) -> None:
        for entry in self.trash.iterdir():
            shutil.rmtree(entry, ignore_errors=True)

    def _remove_leftovers(self) -> None:
        """Folders of writers that were killed, and the trash; a live writer's folder stays."""
        host, now = _host(), time.time()
        for entry in self.incoming.iterdir():
            parts = entry.name.split("-")
            mine = len(parts) == 4 and parts[1] == host and parts[2].isdigit()
            try:
                age = now - entry.stat().st_mtime
            except FileNotFoundError:
                continue
            if (mine and not pid_alive(int(parts[2]))) or age > STALE_SECONDS:
                shutil.rmtree(entry, ignore_errors=True)
        self._empty_trash()

    def delete(self, run_id: str) -> None:
        self._discard(self.runs_dir / run_id)
        self._empty_trash()

    # ------------------------------------------------------------------ reading
    def _meta(self, run_id: str) -> dict[str, Any] | None:
        """A complete run's ``run.json``; None when the run is absent or damaged."""
        folder = self.runs_dir / run_id
        try:
            meta = json.loads((folder / META).read_text(encoding="utf-8"))
            files = meta["files"]
            for name in {*FILES, *files}:
                if (folder / name).stat().st_size != files[name]["bytes"]:
                    return None
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return meta if isinstance(meta, dict) and meta.get("format") == FORMAT else None

    def _ids(self) -> list[str]:
        try:
            return sorted(p.name for p in self.runs_dir.iterdir() if p.is_dir())
        except OSError as exc:
            raise StoreError(f"results store {self.path}: cannot be read: {exc}") from None

    def damaged(self) -> list[str]:
        """Run folders that are incomplete or unreadable (``runs repair`` removes them)."""
        return [run_id for run_id in self._ids() if self._meta(run_id) is None]

    def repair(self) -> list[str]:
        """Remove damaged run folders and every writer's leftover; return the run ids removed."""
        removed = self.damaged()
        for run_id in removed:
            self._discard(self.runs_dir / run_id)
        self._remove_leftovers()
        return removed

    def has(self, run_id: str) -> bool:
        """Whether a complete run with this id (these exact inputs) is stored."""
        return self._meta(run_id) is not None

    def resolve_id(self, prefix: str) -> str:
        """The full id of the one run whose id starts with ``prefix``."""
        matches = [r for r in self._ids() if r.startswith(prefix) and self.has(r)]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise StoreError(
                f"no run '{prefix}' in {self.path}; 'mineralflow runs list' shows the runs"
            )
        raise StoreError(f"'{prefix}' matches {len(matches)} runs; give more characters")

    def get(self, run_id: str) -> StoredRun:
        meta = self._meta(run_id)
        if meta is None:
            raise StoreError(f"no run '{run_id}' in {self.path}")
        return _stored(meta)

    def _read(self, run_id: str, name: str) -> pd.DataFrame:
        """One Parquet file of a run, checked against the digest written with it."""
        meta = self._meta(run_id)
        if meta is None:
            raise StoreError(f"no run '{run_id}' in {self.path}")
        path = self.runs_dir / run_id / name
        try:
            data = _read_settled(path)
            if hashlib.sha256(data).hexdigest() != meta["files"][name]["sha256"]:
                raise ValueError("its contents do not match the digest written with it")
            import pyarrow as pa  # noqa: PLC0415
            import pyarrow.parquet as pq  # noqa: PLC0415

            return pq.read_table(pa.BufferReader(data)).to_pandas()
        except (OSError, ValueError, KeyError) as exc:
            raise StoreError(
                f"run {run_id} in {self.path} is damaged ({name}: {exc}); "
                "'mineralflow runs repair' removes it, and running the scenario again "
                "records it anew"
            ) from None

    def results(self, run_id: str) -> pd.DataFrame:
        """A stored run's IAMC table, in the order it was written."""
        return self._read(run_id, FILES[0])

    def file(self, run_id: str, name: str) -> pd.DataFrame:
        """One of the further Parquet files a run was saved with (an ensemble's)."""
        return self._read(run_id, name)

    def details(self, run_id: str) -> dict[str, Any]:
        """What a run was saved with besides its scenario (an ensemble's method and draws)."""
        meta = self._meta(run_id)
        if meta is None:
            raise StoreError(f"no run '{run_id}' in {self.path}")
        return dict(meta.get("details") or {})

    def tables(self, run_id: str) -> tuple[Tables, pd.DataFrame]:
        """A stored run's tables and its IAMC table."""
        info = self.get(run_id)
        if info.kind != "run":
            raise StoreError(
                f"run {run_id} is an {info.kind} of '{info.scenario}', not one run: its results "
                "are quantiles of many members; compare and report need a run of the scenario"
            )
        frame = self.results(run_id)
        return from_iamc(frame, self._read(run_id, FILES[1])), frame

    def list(self) -> pd.DataFrame:
        """Complete runs, newest first."""
        metas = (self._meta(run_id) for run_id in self._ids())
        rows = [_stored(meta) for meta in metas if meta is not None]
        columns = ["run_id", "scenario", "kind", "packs", "code_version", "seed", "created"]
        table = pd.DataFrame(
            [[getattr(r, c) for c in columns] + [round(r.wall_seconds, 2)] for r in rows],
            columns=[*columns, "wall_s"],
        ).assign(rows=[r.rows for r in rows])
        return table.sort_values(["created", "run_id"], ascending=[False, True]).reset_index(
            drop=True
        )

    def query(self, sql: str) -> pd.DataFrame:
        """Run SQL (DuckDB) over every complete run: views ``runs``, ``results``, ``names``.

        ``results`` and ``names`` carry a ``run_id`` column, for example
        ``SELECT run_id, value FROM results WHERE variable = 'Price|Rare Earths|NdPr oxide'``.
        """
        import duckdb  # noqa: PLC0415

        runs = self.list()
        con = duckdb.connect()
        try:
            con.register("runs", runs)
            for view, name, columns in (
                ("results", FILES[0], RESULT_COLUMNS),
                ("names", FILES[1], list(NAME_COLUMNS)),
            ):
                paths = [str(self.runs_dir / r / name) for r in runs["run_id"]]
                if not paths:
                    con.register(view, pd.DataFrame(columns=[*columns, "run_id"]))
                    continue
                listed = ", ".join("'" + p.replace("'", "''") + "'" for p in paths)
                con.execute(
                    f"CREATE VIEW {view} AS SELECT * EXCLUDE (filename), "
                    "regexp_extract(filename, '([0-9a-f]+)[/\\\\][^/\\\\]+$', 1) AS run_id "
                    f"FROM read_parquet([{listed}], filename = true)"
                )
            return con.execute(sql).df()
        except duckdb.Error as exc:
            raise StoreError(f"query on results store {self.path} failed: {exc}") from None
        finally:
            con.close()
