"""Packs and scenarios: what a request may name, and what each holds.

A pack is a bundled name or one of the folders registered when the server started (named
by its path as registered); nothing a request sends is looked up on the file system.  Posted
scenario YAML is read by the command line's safe loader; its ``base`` must be a bundled
scenario and its packs packs of this server.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from mineralflow.data.pack import Pack, bundled_packs, load_pack
from mineralflow.errors import MineralflowError
from mineralflow.scenario.loading import (
    ScenarioError,
    bundled_scenarios,
    is_bundled_name,
    load_scenario,
    parse_yaml,
    scenario_from_text,
)
from mineralflow.scenario.model import Scenario
from mineralflow.web.errors import ApiError
from mineralflow.yamltext import field_line

#: where a posted scenario is said to be in messages (no file is read there: its base is
#: a bundled scenario)
POSTED = Path("/posted") / "<text>"


class Catalog:
    """The packs and scenarios one server offers."""

    def __init__(self, folders: tuple[Path, ...]) -> None:
        """``folders`` are named by their pack's name (pack.yaml), which no bundled pack
        may have."""
        self.folders: dict[str, Path] = {}
        for folder in folders:
            name = load_pack(folder).name
            if name in bundled_packs() or name in self.folders:
                raise MineralflowError(
                    f"pack folder {folder}: its name '{name}' is taken (bundled packs: "
                    f"{', '.join(bundled_packs())}); give its pack.yaml another name"
                )
            self.folders[name] = folder

    def pack_names(self) -> list[str]:
        return [*bundled_packs(), *self.folders]

    def pack(self, name: str) -> Pack:
        """A pack of this server by name (404 for any other)."""
        if name in bundled_packs():
            return _bundled_pack(name)
        if name in self.folders:
            return _folder_pack(self.folders[name])
        raise ApiError(404, f"no pack '{name[:80]}' on this server", "pack",
                       ", ".join(self.pack_names()))  # fmt: skip

    def pack_of_run(self, pack: str) -> Pack:
        """The pack a stored run names: bundled, or a registered folder by its path."""
        if pack in bundled_packs():
            return _bundled_pack(pack)
        for folder in self.folders.values():
            if pack == str(folder):
                return _folder_pack(folder)
        raise ApiError(409, "the run was made on a pack this server does not have", "run",
                       "runs on " + ", ".join(self.pack_names()))  # fmt: skip

    def scenario(self, name: str) -> Scenario:
        """A bundled scenario by name (404 for any other)."""
        if name not in bundled_scenarios():
            raise ApiError(404, f"no bundled scenario '{name[:80]}'", "scenario",
                           ", ".join(bundled_scenarios()))  # fmt: skip
        return _bundled_scenario(name)

    def posted(self, text: str) -> Scenario:
        """A scenario from posted YAML, checked like a file (422 with the field if not)."""
        try:
            return self._posted(text)
        except ApiError as exc:
            exc.line = field_line(text, exc.field or "")
            raise
        except ScenarioError as exc:
            message = str(exc).replace(f"{POSTED}: ", "").replace(f"{POSTED.parent}/", "")
            found = re.search(r"field '([^']+)'", message)
            field = found.group(1) if found else "body"
            raise ApiError(422, message, field, line=_error_line(text, field, message)) from None

    def _posted(self, text: str) -> Scenario:
        """The scenario in ``text``; its base bundled, its packs this server's."""
        raw = parse_yaml(text, "scenario")
        base = raw.get("base")
        if base is not None and not (isinstance(base, str) and is_bundled_name(base)):
            raise ApiError(422, "a posted scenario's base is a bundled scenario", "base",
                           ", ".join(bundled_scenarios()))  # fmt: skip
        packs = raw.get("pack", [])
        for pack in packs if isinstance(packs, list) else [packs]:
            if not isinstance(pack, str) or pack not in self.pack_names():
                raise ApiError(422, f"pack '{str(pack)[:80]}' is not a pack of this server",
                               "pack", ", ".join(self.pack_names()))  # fmt: skip
        if self.folders:
            text = yaml.safe_dump(self._with_folders(raw), allow_unicode=True, sort_keys=False)
        return scenario_from_text(text, POSTED.parent)

    def _with_folders(self, raw: dict[str, Any]) -> dict[str, Any]:
        """A posted scenario with registered packs named by their folders, as loaders
        read them (bundled names stay names)."""

        def where(name: object) -> object:
            known = isinstance(name, str) and name in self.folders
            return str(self.folders[name]) if known else name  # type: ignore[index]

        out = dict(raw)
        packs = out.get("pack")
        if packs is not None:
            out["pack"] = [where(p) for p in packs] if isinstance(packs, list) else where(packs)
        levers = out.get("levers")
        if isinstance(levers, list):
            out["levers"] = [
                {**lev, "pack": where(lev["pack"])} if isinstance(lev, dict) and "pack" in lev
                else lev
                for lev in levers
            ]  # fmt: skip
        return out


@cache
def _bundled_pack(name: str) -> Pack:
    return load_pack(name)


@cache
def _folder_pack(folder: Path) -> Pack:
    return load_pack(folder)


@cache
def _bundled_scenario(name: str) -> Scenario:
    return load_scenario(name)


def scenario_summary(spec: Scenario) -> dict[str, Any]:
    return {
        "name": spec.name, "description": spec.description,
        "description_zh": spec.description_in("zh"), "packs": spec.packs,
        "years": list(spec.years), "levers": len(spec.levers), "base": spec.base,
    }  # fmt: skip


def scenario_detail(spec: Scenario) -> dict[str, Any]:
    """A scenario after inheritance, as JSON (the fields of its YAML)."""
    fields = spec.model_dump(mode="json", by_alias=True, exclude_none=True)
    return scenario_summary(spec) | {
        "scenario": fields,
        "yaml": yaml.safe_dump(
            {k: v for k, v in fields.items() if k != "base"}, allow_unicode=True, sort_keys=False
        ),
        "lever_lines": [lev.summary() for lev in spec.levers],
    }


def pack_summary(name: str, pack: Pack) -> dict[str, Any]:
    return {
        "name": name, "title": pack.manifest.name, "base_year": pack.manifest.base_year,
        "tables": {t: len(f) for t, f in sorted(pack.tables.items())},
    }  # fmt: skip


def table_rows(pack: Pack, table: str, filters: dict[str, Any], latest: bool) -> pd.DataFrame:
    """A pack table's rows (the latest edition of each figure unless ``latest`` is off)."""
    if table not in pack.tables:
        raise ApiError(404, f"pack '{pack.name}' has no table '{table[:80]}'", "table",
                       ", ".join(sorted(pack.tables)))  # fmt: skip
    try:
        return pack.select(table, latest=latest, **{k: v for k, v in filters.items() if v})
    except MineralflowError as exc:
        raise ApiError(422, str(exc), "query") from None


def _error_line(text: str, field: str, message: str) -> int | None:
    """The line an editor marks: the field's, or the one a YAML error names."""
    if field != "body":
        return field_line(text, field)
    named = re.search(r"line (\d+)", message)
    return int(named.group(1)) if named else None
