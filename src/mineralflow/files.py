"""The user's files: read only inside their folder, written whole or not at all.

Reading goes through :func:`read_file`: it refuses a path or link that leads outside the
folder it belongs to, refuses files above a size cap before reading them, and turns every
operating-system error into one message naming the file.  Writing goes through
:func:`write_files`: each file is written under a temporary name and renamed when complete,
temporary files of a killed earlier process are removed, and spreadsheet-dangerous text is
neutralised in exports (:func:`neutralise`).
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterable
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

#: environment variable naming the results store folder
STORE_ENV = "MINERALFLOW_STORE"

#: a cell starting with one of these is read as a formula by spreadsheet programs (OWASP)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_TEMP = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.tmp$")


class InputFileError(MineralflowError):
    """A file named by the user (or one its inputs point to) cannot be read."""


class OutputFileError(MineralflowError):
    """An output file cannot be written; nothing was written under its name."""


def inside(path: Path, root: Path) -> bool:
    """Whether ``path``, with every link and ``..`` followed, lies inside ``root``."""
    try:
        return path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # a link loop
        return False


def read_file(path: Path, what: str, *, limit: int, root: Path | None = None) -> bytes:
    """The bytes of ``path`` (``what`` names it in messages), at most ``limit`` of them.

    With ``root``, a path or link leading outside that folder is refused before anything is
    opened, so no other file's content can reach a message.
    """
    if root is not None and not inside(path, root):
        raise InputFileError(
            f"{what} {path}: leads outside {root} (through '..' or a link); only files inside "
            "that folder are read: copy the file into it"
        )
    try:
        if path.is_dir():
            raise InputFileError(f"{what} {path}: is a folder; give a file")
        size = path.stat().st_size
        if size > limit:
            raise InputFileError(f"{what} {path}: is {size:,} bytes; the limit is {limit:,} bytes")
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except FileNotFoundError:
        raise InputFileError(f"{what} {path}: no such file") from None
    except OSError as exc:
        raise InputFileError(f"{what} {path}: cannot be read: {exc.strerror or exc}") from None
    if len(data) > limit:  # the file grew while it was read
        raise InputFileError(f"{what} {path}: is larger than the limit of {limit:,} bytes")
    return data


def neutralise(text: str) -> str:
    """Text a spreadsheet would run as a formula gets a leading apostrophe (OWASP rule)."""
    return "'" + text if text.startswith(FORMULA_START) else text


def pid_alive(pid: int) -> bool:
    """Whether a process of this machine with that id is running (its leftovers are kept)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temporaries(folder: Path) -> None:
    """Temporary files that a killed process left in ``folder`` (live writers' are kept)."""
    with contextlib.suppress(OSError):
        for entry in folder.iterdir():
            found = _TEMP.match(entry.name)
            if found and entry.is_file() and not pid_alive(int(found["pid"])):
                entry.unlink(missing_ok=True)


def _temporary(target: Path) -> Path:
    return target.with_name(f".{target.name}.{os.getpid()}.tmp")


def write_files(
    folder: Path, writers: dict[str, Callable[[Path], None]], what: str = "output"
) -> list[Path]:
    """Write ``folder/name`` for each ``name: write(path)``, every file whole or none at all.

    All files are written under temporary names first; only when every one is complete are
    they renamed into place, so a failure (or a kill) leaves no file half-written under a
    real name.
    """
    check_folder(folder, what)
    temps: dict[Path, Path] = {}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(folder)
        for name, write in writers.items():
            target = folder / name
            if target.is_dir():
                raise OutputFileError(f"{what} '{target}' is a folder; remove it or choose another")
            temps[target] = _temporary(target)
            write(temps[target])
        for target, temp in temps.items():
            temp.replace(target)
    except OSError as exc:
        raise OutputFileError(
            f"{what} in '{folder}': cannot be written: {exc.strerror or exc}"
        ) from None
    finally:
        for temp in temps.values():
            temp.unlink(missing_ok=True)
    return list(temps)


def remove_files(folder: Path, names: Iterable[str]) -> list[Path]:
    """Delete ``folder/name`` for each name that exists; the paths removed."""
    removed = []
    for name in names:
        path = folder / name
        if path.is_file():
            try:
                path.unlink()
            except OSError as exc:
                raise OutputFileError(
                    f"'{path}' from an earlier export cannot be removed: {exc.strerror or exc}"
                ) from None
            removed.append(path)
    return removed


def check_folder(folder: Path, what: str) -> Path:
    """Refuse an output folder that cannot be one, before any work is done for it."""
    if folder.exists() and not folder.is_dir():
        raise OutputFileError(f"{what} folder '{folder}' is a file; give a folder")
    for parent in folder.parents:
        if parent.exists():
            if not parent.is_dir():
                raise OutputFileError(f"{what} folder '{folder}': '{parent}' is a file")
            break
    return folder


def check_target(target: Path, what: str, suffixes: tuple[str, ...]) -> Path:
    """Refuse an output file name that cannot be written, before any work is done for it."""
    if target.suffix.lower() not in suffixes:
        raise OutputFileError(f"{what} '{target}': give a file name ending in {suffixes[0]}")
    if target.is_dir():
        raise OutputFileError(f"{what} '{target}' is a folder; give a file name")
    check_folder(target.parent, what)
    return target


def write_text_file(text: str, target: Path, what: str, suffixes: tuple[str, ...]) -> Path:
    """Write ``text`` to ``target`` through a temporary file, so it is never half-written.

    ``what`` names the file in messages ("report file"); ``suffixes`` are the endings allowed,
    the first one named in the message.
    """
    check_target(target, what, suffixes)

    def write(path: Path) -> None:
        path.write_text(text, encoding="utf-8")

    return write_files(target.parent, {target.name: write}, what)[0]
