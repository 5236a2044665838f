"""Shared fixtures: copies of the bundled packs to corrupt, and a CLI runner."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from mineralflow import cli
from mineralflow.data.pack import BUNDLED_DIR


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture(autouse=True)
def _private_store(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every test records runs in a store of its own, never in the user's."""
    folder = tmp_path_factory.mktemp("store")
    monkeypatch.setenv("MINERALFLOW_STORE", str(folder / "runs"))


@pytest.fixture
def run_cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., CliResult]:
    """Run ``mineralflow ARGS`` in-process and return exit code, stdout and stderr."""

    def run(*args: str, width: int = 200) -> CliResult:
        monkeypatch.setattr(sys, "argv", ["mineralflow", *args])
        monkeypatch.setattr(cli.out, "width", width)
        code = 0
        try:
            cli.main()
        except SystemExit as exc:
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@pytest.fixture
def re_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled rare-earth pack."""
    target = tmp_path / "rare_earths"
    shutil.copytree(BUNDLED_DIR / "rare_earths", target)
    return target
