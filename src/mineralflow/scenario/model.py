"""The scenario: a named question, the packs it runs on, its years and its levers."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from mineralflow.scenario.levers import Lever

#: most levers in one scenario (after inheritance)
MAX_LEVERS = 500


class Scenario(BaseModel):
    """A scenario file, after inheritance from its ``base`` has been resolved."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
    description: str = Field(min_length=1, max_length=5000)
    description_zh: str | None = Field(
        None, min_length=1, max_length=5000, description="the description in Chinese (reports)"
    )
    pack: str | list[str] = Field(
        "rare_earths",
        description="bundled pack name or folder; a list runs several packs, and levers "
        "apply to the first unless they name another",
    )
    years: tuple[int, int] = Field(description="[first, last] year reported")
    sources: list[Annotated[str, Field(max_length=2000)]] = Field(
        default_factory=list, max_length=200, description="publications behind it"
    )
    base: str | None = Field(
        None, description="scenario this one inherits (name or path); its levers come first"
    )
    base_year: int | None = Field(
        None, description="calibration year (default: the pack's, or the first year if earlier)"
    )
    seed: int = Field(
        0, ge=0, le=2**63 - 1, description="seed for any random draw (recorded with the run)"
    )
    levers: list[Lever] = Field(default_factory=list, max_length=MAX_LEVERS)
    # file and position each lever was read from (a base's levers come from the base's file)
    _origins: list[tuple[str, int]] = PrivateAttr(default_factory=list)
    _source: str = PrivateAttr("")

    def description_in(self, lang: str) -> str:
        """The description in ``lang`` ('en' or 'zh'), English where no Chinese is given."""
        return self.description_zh if lang == "zh" and self.description_zh else self.description

    def where(self, index: int | None = None, field: str | None = None) -> str:
        """'file: field 'levers[2].region'' for messages about a lever (or a top field)."""
        source = self._source or f"scenario '{self.name}'"
        if index is None:
            return f"{source}: field '{field}'"
        file, local = self._origins[index] if index < len(self._origins) else (source, index)
        path = f"levers[{local}]" + (f".{field}" if field else "")
        return f"{file}: field '{path}' ({self.levers[index].type})"

    @model_validator(mode="after")
    def _ordered(self) -> Scenario:
        start, end = self.years
        if not 1990 <= start <= end <= 2060:
            raise ValueError("years must be [start, end] with 1990 <= start <= end <= 2060")
        if self.base_year is not None and self.base_year > start:
            raise ValueError("base_year must not be after the first year")
        if isinstance(self.pack, list) and not self.pack:
            raise ValueError("pack: give at least one pack")
        twice = sorted({p for p in self.packs if self.packs.count(p) > 1})
        if twice:
            raise ValueError(f"pack: '{twice[0]}' is given twice; name each pack once")
        packs = self.packs
        for i, lever in enumerate(self.levers):
            if lever.pack is not None and lever.pack not in packs:
                raise ValueError(
                    f"levers[{i}].pack '{lever.pack}' is not a pack of this scenario "
                    f"({', '.join(packs)})"
                )
        return self

    @classmethod
    def from_yaml(cls, path: str | Path) -> Scenario:
        """A scenario file (with its ``base`` resolved), e.g. ``Scenario.from_yaml("my.yaml")``."""
        from mineralflow.scenario.loading import load_scenario, scenario_path  # noqa: PLC0415

        return load_scenario(scenario_path(Path(path).resolve()))

    @classmethod
    def from_text(cls, text: str, folder: str | Path | None = None) -> Scenario:
        """A scenario from YAML text; a relative ``base`` is looked for in ``folder``."""
        from mineralflow.scenario.loading import scenario_from_text  # noqa: PLC0415

        return scenario_from_text(text, None if folder is None else Path(folder))

    @classmethod
    def bundled(cls, name: str) -> Scenario:
        """A bundled scenario by name (``mineralflow scenario list`` shows them)."""
        from mineralflow.scenario.loading import ScenarioError, load_scenario  # noqa: PLC0415

        if "/" in name or name.endswith((".yaml", ".yml")):
            raise ScenarioError(f"'{name}' is a path; Scenario.from_yaml reads files")
        return load_scenario(name)

    @property
    def packs(self) -> list[str]:
        return [self.pack] if isinstance(self.pack, str) else list(self.pack)

    def levers_for(self, pack: str) -> list[tuple[int, Any]]:
        """(position, lever) of the levers that apply to ``pack``.

        A lever without ``pack`` applies to the scenario's first pack.
        """
        first = self.packs[0]
        return [(i, lev) for i, lev in enumerate(self.levers) if (lev.pack or first) == pack]

    def canonical(self) -> str:
        """The scenario as sorted JSON: equal text means equal inputs (for the results store)."""
        return json.dumps(
            self.model_dump(mode="json", by_alias=True, exclude_none=True), sort_keys=True
        )

    def digest(self) -> str:
        return hashlib.sha256(self.canonical().encode()).hexdigest()
