"""The results store: runs written whole, read back checked, shared by many processes."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from conftest import CliResult
from mineralflow.scenario.loading import load_scenario
from mineralflow.store import FILES, ResultsStore, StoreError

CLI = [sys.executable, "-c", "from mineralflow.cli import main; main()"]


def _frame(rows: int = 400, shift: float = 0.0) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "model": "mineralflow",
            "scenario": "s",
            "region": [f"R{i % 7}" for i in range(rows)],
            "variable": [f"Production|X|V{i % 11}" for i in range(rows)],
            "unit": "t",
            "year": [2024 + i % 17 for i in range(rows)],
            "value": [i * 1.5 + shift for i in range(rows)],
        }
    )


def _scenario_file(folder: Path, seed: int) -> Path:
    path = folder / f"al-{seed}.yaml"
    path.write_text(
        f"name: al-{seed}\ndescription: aluminium alone\npack: [aluminium]\n"
        f"years: [2024, 2026]\nseed: {seed}\n",
        encoding="utf-8",
    )
    return path


def _save(store: ResultsStore, run_id: str, frame: pd.DataFrame) -> None:
    scenario = load_scenario("baseline")
    store.save(scenario, (run_id, "hash"), frame, 1.0)


def test_a_saved_run_reads_back_as_written(tmp_path: Path) -> None:
    store = ResultsStore(tmp_path / "store")
    frame = _frame().sample(frac=1.0, random_state=1).reset_index(drop=True)
    _save(store, "abc123abc123", frame)
    assert store.has("abc123abc123")
    assert store.resolve_id("abc1") == "abc123abc123"
    pd.testing.assert_frame_equal(store.results("abc123abc123"), frame)  # same row order
    info = store.get("abc123abc123")
    assert (info.scenario, info.rows, info.seed) == ("baseline", 400, 0)
    listed = store.list()
    assert listed["run_id"].tolist() == ["abc123abc123"]
    counted = store.query("SELECT run_id, count(*) AS n FROM results GROUP BY run_id")
    assert counted.to_dict("records") == [{"run_id": "abc123abc123", "n": 400}]


def test_saving_the_same_id_again_replaces_the_run(tmp_path: Path) -> None:
    store = ResultsStore(tmp_path / "store")
    _save(store, "aaaa00000000", _frame())
    _save(store, "aaaa00000000", _frame(shift=1.0))
    assert store.results("aaaa00000000")["value"].iloc[0] == 1.0
    assert len(store.list()) == 1
    assert not any((tmp_path / "store" / ".trash").iterdir())


def test_a_damaged_run_is_named_and_repair_removes_it(
    tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    store = ResultsStore(tmp_path / "store")
    _save(store, "bbbb00000000", _frame())
    _save(store, "cccc00000000", _frame())
    truncated = tmp_path / "store" / "runs" / "bbbb00000000" / FILES[0]
    truncated.write_bytes(truncated.read_bytes()[:100])
    flipped = tmp_path / "store" / "runs" / "cccc00000000" / FILES[0]
    data = bytearray(flipped.read_bytes())
    data[len(data) // 2] ^= 0xFF
    flipped.write_bytes(bytes(data))
    assert not store.has("bbbb00000000")  # served as absent: a new run replaces it
    assert store.damaged() == ["bbbb00000000"]
    with pytest.raises(StoreError, match=r"damaged.*runs repair"):
        store.results("cccc00000000")
    listed = run_cli("runs", "list", "--store", str(tmp_path / "store"))
    assert listed.code == 0
    assert "runs repair" in listed.err
    assert store.repair() == ["bbbb00000000"]
    assert store.damaged() == []


def test_a_killed_writers_leftovers_are_removed_on_the_next_open(tmp_path: Path) -> None:
    store = ResultsStore(tmp_path / "store")
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    host = socket.gethostname().replace("-", "_")
    left = store.incoming / f"dddd00000000-{host}-{dead.stdout.strip()}-00ff00ff"
    live = store.incoming / f"eeee00000000-{host}-{os.getpid()}-00ff00ff"
    for folder in (left, live):
        folder.mkdir()
        (folder / FILES[0]).write_bytes(b"partial")
    ResultsStore(tmp_path / "store")
    assert not left.exists()
    assert live.exists()  # a writer that is still running keeps its folder


def test_a_file_given_as_the_store_gets_a_message(tmp_path: Path) -> None:
    old = tmp_path / "runs.duckdb"
    old.write_bytes(b"\0" * 64)
    with pytest.raises(StoreError, match="is a file; the store is a folder"):
        ResultsStore(old)


def test_eight_runs_at_once_on_one_store_all_succeed(tmp_path: Path) -> None:
    store = tmp_path / "shared"
    env = {**os.environ, "MINERALFLOW_STORE": str(store)}
    files = [_scenario_file(tmp_path, seed) for seed in range(8)]
    started = [
        subprocess.Popen(
            [*CLI, "run", str(f), "--refresh"],
            env=env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for f in files
    ]
    listings = []
    while any(p.poll() is None for p in started):
        listed = subprocess.run(
            [*CLI, "runs", "list"], env=env, capture_output=True, text=True, check=False
        )
        listings.append(listed.returncode)
    outcomes = [p.communicate() for p in started]
    assert [p.returncode for p in started] == [0] * 8, [err for _, err in outcomes]
    assert listings  # listing works while runs are being solved
    assert set(listings) == {0}
    opened = ResultsStore(store)
    assert sorted(opened.list()["scenario"]) == [f"al-{seed}" for seed in range(8)]
    assert opened.damaged() == []


WRITER = textwrap.dedent(
    """
    import os
    import sys
    import pandas as pd
    from mineralflow.scenario.loading import load_scenario
    from mineralflow.store import ResultsStore
    store = ResultsStore(sys.argv[1])
    frame = pd.read_parquet(sys.argv[2])
    scenario = load_scenario("baseline")
    print("ready", flush=True)
    for n in range(10_000):
        store.save(scenario, (f"{os.getpid():06x}{n:06x}", "hash"), frame, 1.0)
    """
)


def test_a_kill_at_any_moment_leaves_every_finished_run_complete(tmp_path: Path) -> None:
    store = tmp_path / "store"
    source = tmp_path / "frame.parquet"
    expected = _frame(rows=30_000)
    expected.to_parquet(source, index=False)
    chance = random.Random(20)
    checked: set[str] = set()
    for _ in range(20):
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(store), str(source)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert writer.stdout is not None
        with writer.stdout:
            assert writer.stdout.readline().strip() == "ready"
            time.sleep(chance.uniform(0.0, 0.3))
            writer.send_signal(signal.SIGKILL)
            writer.wait()
        opened = ResultsStore(store)
        assert opened.damaged() == []
        for run_id in set(opened.list()["run_id"]) - checked:
            pd.testing.assert_frame_equal(opened.results(run_id), expected)
            checked.add(run_id)
        assert {p.name for p in store.iterdir()} <= {"runs", ".incoming", ".trash"}
        assert not any(opened.incoming.iterdir())  # the killed writer's folder is gone
    assert len(checked) > 20  # the kills fell between and inside writes
