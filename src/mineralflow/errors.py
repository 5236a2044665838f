"""Typed errors: every user mistake becomes one of these, never a traceback.

The command line catches :class:`MineralflowError`, prints its message and exits with code 2.
"""

from __future__ import annotations

from dataclasses import dataclass


class MineralflowError(Exception):
    """Base class for errors caused by user input (files, options, scenarios)."""


@dataclass(frozen=True)
class Problem:
    """One located defect in a data pack: file, CSV line, column and what is allowed."""

    file: str
    message: str
    line: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.column is not None:
            where += f", column '{self.column}'"
        return f"{where}: {self.message}"


class PackError(MineralflowError):
    """A data pack failed validation; carries every problem found."""

    def __init__(self, pack: str, problems: list[Problem]) -> None:
        self.pack = pack
        self.problems = problems
        shown = problems[:25]
        lines = [f"data pack '{pack}' is invalid ({len(problems)} problem(s)):"]
        lines += [f"  - {p}" for p in shown]
        if len(problems) > len(shown):
            lines.append(f"  ... and {len(problems) - len(shown)} more")
        super().__init__("\n".join(lines))


class SelectionError(MineralflowError):
    """A request names a table, column or value that the pack does not have."""
