"""Scenario files: a named question, the pack it runs on and its years.

The bundled scenarios live in ``mineralflow/scenarios``.  This module reads the fields the
market model needs; policy levers are a later extension of the same file format.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from mineralflow.errors import MineralflowError

BUNDLED = Path(__file__).parent / "scenarios"
MAX_BYTES = 1_000_000


class ScenarioError(MineralflowError):
    """A scenario file cannot be read or is invalid; the message names file and field."""


class Scenario(BaseModel):
    """A scenario: what it represents, which pack, which years."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    description: str = Field(min_length=1)
    pack: str = "rare_earths"
    years: tuple[int, int]
    base_year: int | None = None
    sources: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _ordered(self) -> Scenario:
        start, end = self.years
        if not 1990 <= start <= end <= 2060:
            raise ValueError("years must be [start, end] with 1990 <= start <= end <= 2060")
        if self.base_year is not None and self.base_year > start:
            raise ValueError("base_year must not be after the first year")
        return self


def bundled_scenarios() -> list[str]:
    return sorted(p.stem for p in BUNDLED.glob("*.yaml"))


def load_scenario(name_or_path: str | Path) -> Scenario:
    """Load a bundled scenario by name or a scenario file by path."""
    path = Path(name_or_path)
    if not path.suffix:
        bundled = BUNDLED / f"{name_or_path}.yaml"
        if not bundled.exists():
            raise ScenarioError(
                f"no bundled scenario '{name_or_path}'; bundled: {', '.join(bundled_scenarios())}"
                " (or give a path to a .yaml file)"
            )
        path = bundled
    if not path.is_file():
        raise ScenarioError(f"{path}: no such scenario file")
    if path.stat().st_size > MAX_BYTES:
        raise ScenarioError(f"{path}: larger than {MAX_BYTES} bytes; a scenario is a short file")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise ScenarioError(f"{path}: expected a mapping of fields (name, description, ...)")
    try:
        return Scenario.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise ScenarioError(f"{path}: field '{where}': {first['msg']}") from None
