"""Every script in examples/ runs as a user would run it and prints what it promises."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

import mineralflow as mf

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("*.py"))


def test_there_are_examples() -> None:
    assert EXAMPLES


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs(script: Path, tmp_path: Path) -> None:
    env = {**os.environ, "MINERALFLOW_STORE": str(tmp_path / "runs")}
    done = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "Running HiGHS" not in done.stdout  # the solver stays quiet
    written = list((tmp_path / "out").iterdir())
    assert written, "the example wrote nothing"
    if script.stem == "russia_50kt":
        assert "Share|Rare Earths|Mining RUS 2030" in done.stdout
        assert (tmp_path / "out" / "russia-50kt.html").stat().st_size > 100_000


KEY = ["variable", "region", "year"]


def test_python_entry_point_records_runs_like_the_cli(tmp_path: Path) -> None:
    store = tmp_path / "runs"
    text = "name: short\ndescription: two years\nbase: hindcast-2010\nyears: [2009, 2010]\n"
    first = mf.simulate(mf.Scenario.from_text(text), store=store)
    assert not first.from_store
    assert first.run_id
    again = mf.simulate(mf.Scenario.from_text(text), store=store)
    assert again.from_store
    assert again.run_id == first.run_id
    fresh = first.frame.sort_values(KEY, ignore_index=True)
    stored = again.frame.sort_values(KEY, ignore_index=True)
    assert (fresh[KEY].astype(str).to_numpy() == stored[KEY].astype(str).to_numpy()).all()
    assert (fresh["value"] - stored["value"]).abs().max() < 1e-9


def test_a_prepared_run_solves_the_same_after_pickling() -> None:
    scenario = mf.Scenario.bundled("hindcast-2010")
    prepared = mf.prepare(scenario)
    here = mf.simulate(prepared, store=False)
    there = mf.simulate(pickle.loads(pickle.dumps(prepared)), store=False)
    assert here.frame.equals(there.frame)
    with pytest.raises(mf.ScenarioError, match="no bundled scenario"):
        mf.Scenario.bundled("hindcast-2100")


def test_results_open_in_pyam_where_it_is_installed() -> None:
    pyam = pytest.importorskip("pyam")
    result = mf.simulate("hindcast-2010", store=False)
    frame = result.as_pyam()
    assert isinstance(frame, pyam.IamDataFrame)
    assert "Production|Rare Earths|Mining" in frame.variable


def test_public_functions_are_not_shadowed_by_submodules() -> None:
    """Importing every submodule (as the CLI and tests do) leaves mf.compare a function."""
    import pkgutil  # noqa: PLC0415
    from importlib import import_module  # noqa: PLC0415

    for info in pkgutil.walk_packages(mf.__path__, "mineralflow."):
        import_module(info.name)
    for name in mf.__all__:
        assert not isinstance(getattr(mf, name), type(mf)), name
