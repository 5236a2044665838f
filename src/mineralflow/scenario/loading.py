"""Reading scenario files: safe YAML, inheritance from a base, readable messages.

YAML is parsed with PyYAML's safe loader (no tag runs code), with caps on file size, alias
use and nesting, and duplicate keys are refused rather than silently overwritten.  A scenario
with ``base`` starts from that scenario: its fields are the base's, overridden by its own,
and its levers come after the base's.  Every mistake is one :class:`ScenarioError` naming
the file, the field path (``levers[2].region``) and what is allowed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from mineralflow.data.validate import suggest
from mineralflow.errors import MineralflowError
from mineralflow.files import InputFileError, inside, read_file
from mineralflow.scenario.levers import LEVER_TYPES
from mineralflow.scenario.model import Scenario
from mineralflow.yamltext import load_yaml

BUNDLED = Path(__file__).parent.parent / "scenarios"
MAX_BYTES = 256_000
MAX_BASES = 10
REGION_FIELDS = {"region", "to", "from", "from_"}


class ScenarioError(MineralflowError):
    """A scenario file cannot be read or is invalid; the message names file and field."""


def bundled_scenarios() -> list[str]:
    return sorted(p.stem for p in BUNDLED.glob("*.yaml"))


def is_bundled_name(text: str) -> bool:
    """Whether ``text`` names a bundled scenario (no folder, no .yaml ending) or a file."""
    return Path(text).suffix.lower() not in (".yaml", ".yml") and "/" not in text


def scenario_path(name_or_path: str | Path, relative_to: Path | None = None) -> Path:
    """The file of a bundled scenario name or a path (relative paths from ``relative_to``)."""
    text = str(name_or_path)
    path = Path(text)
    if is_bundled_name(text):
        bundled = BUNDLED / f"{text}.yaml"
        if bundled.exists():
            return bundled
        names = bundled_scenarios()
        raise ScenarioError(
            f"no bundled scenario '{text}'{suggest(text, names)}; bundled: {', '.join(names)}"
            " (or give a path to a .yaml file)"
        )
    if relative_to is not None and not path.is_absolute():
        path = relative_to / path
    if not path.is_file():
        raise ScenarioError(f"{path}: no such scenario file")
    return path


def read_yaml(path: Path, root: Path | None = None) -> dict[str, Any]:
    """The mapping in a scenario file, read safely (only inside ``root`` when given)."""
    try:
        data = read_file(path, "scenario file", limit=MAX_BYTES, root=root)
        text = data.decode("utf-8-sig")
    except InputFileError as exc:
        raise ScenarioError(str(exc).removeprefix("scenario file ")) from None
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            f"{path}: not UTF-8 text (byte {exc.start}); save the scenario as UTF-8"
        ) from None
    return parse_yaml(text, str(path))


def parse_yaml(text: str, where: str) -> dict[str, Any]:
    """The mapping in a scenario's text (``where`` names it in messages), read safely."""
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise ScenarioError(f"{where}: larger than {MAX_BYTES} bytes; a scenario is short")
    try:
        raw = load_yaml(text)
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{where}: not valid YAML: {exc}") from None
    if raw is None:
        raise ScenarioError(f"{where}: the file is empty; a scenario needs name, years, ...")
    if not isinstance(raw, dict):
        raise ScenarioError(
            f"{where}: expected a mapping of fields (name, description, pack, years, levers), "
            f"not a {type(raw).__name__}"
        )
    bad_keys = [k for k in raw if not isinstance(k, str)]
    if bad_keys:
        raise ScenarioError(f"{where}: field names must be text, not {bad_keys[0]!r}")
    return raw


def _merge(
    raw: dict[str, Any], path: Path, chain: tuple[Path, ...]
) -> tuple[dict[str, Any], list[tuple[Path, int]]]:
    """The fields of ``raw`` (read from ``path``) over its base's, and every lever's origin.

    A relative ``base`` is found next to ``path``.
    """
    levers = raw.get("levers", [])
    if levers is None:
        levers = []
    if not isinstance(levers, list):
        raise ScenarioError(f"{path}: field 'levers': expected a list of levers")
    origins = [(path, i) for i in range(len(levers))]
    base = raw.get("base")
    if base is None:
        return raw, origins
    if not isinstance(base, str):
        raise ScenarioError(f"{path}: field 'base': expected a scenario name or file path")
    bundled = is_bundled_name(base)
    if not bundled and not inside(path.parent / base, path.parent):  # before it is looked for
        raise ScenarioError(
            f"{path}: field 'base': '{base}' leads outside the scenario's folder "
            f"{path.parent} (through '..', an absolute path or a link); a base is a bundled "
            "scenario or a file in the same folder or below it"
        )
    try:
        base_path = scenario_path(base, relative_to=path.parent).resolve()
    except ScenarioError as exc:
        raise ScenarioError(f"{path}: field 'base': {exc}") from None
    root = BUNDLED if bundled else path.parent
    if base_path in chain or base_path == path.resolve():
        raise ScenarioError(f"{path}: field 'base': '{base}' inherits from itself in a cycle")
    if len(chain) >= MAX_BASES:
        raise ScenarioError(f"{path}: field 'base': more than {MAX_BASES} levels of inheritance")
    parent, parent_origins = _merge(read_yaml(base_path, root), base_path, (*chain, path.resolve()))
    merged = {**parent, **{k: v for k, v in raw.items() if k != "levers"}}
    if "description" in raw and "description_zh" not in raw:
        merged.pop("description_zh", None)  # the base's Chinese describes the base
    merged["levers"] = list(parent.get("levers") or []) + levers
    return merged, parent_origins + origins


def load_scenario(name_or_path: str | Path) -> Scenario:
    """Load a bundled scenario by name or a scenario file by path, with its bases."""
    path = scenario_path(name_or_path)
    return _validated(*_merge(read_yaml(path), path, ()), path)


def scenario_from_text(text: str, folder: Path | None = None) -> Scenario:
    """A scenario from YAML text; a relative ``base`` is found in ``folder`` (default: here)."""
    where = (folder or Path.cwd()) / "<text>"
    return _validated(*_merge(parse_yaml(text, "scenario text"), where, ()), where)


def _validated(raw: dict[str, Any], origins: list[tuple[Path, int]], path: Path) -> Scenario:
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        lines = [_describe(err, path, origins) for err in exc.errors()]
        head = (
            lines[0] if len(lines) == 1 else f"{len(lines)} problems:\n  - " + "\n  - ".join(lines)
        )
        raise ScenarioError(head) from None
    scenario._source = str(path)
    scenario._origins = [(str(file), i) for file, i in origins]
    return scenario


def _path_text(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _describe(err: ErrorDetails, path: Path, origins: list[tuple[Path, int]]) -> str:
    loc = tuple(err["loc"])
    where = path
    model_fields: set[str] = set(Scenario.model_fields)
    if len(loc) >= 2 and loc[0] == "levers" and isinstance(loc[1], int):
        index = loc[1]
        if index < len(origins):
            where, local = origins[index]
            loc = ("levers", local, *loc[2:])
        if len(loc) > 2 and loc[2] in LEVER_TYPES:
            model = LEVER_TYPES[str(loc[2])]
            model_fields = {f.alias or name for name, f in model.model_fields.items()}
            loc = loc[:2] + loc[3:]
    kind = err["type"]
    field = _path_text(loc)
    value = err.get("input")
    if kind == "union_tag_invalid":
        tag = str(err.get("ctx", {}).get("tag", value))
        return (
            f"{where}: field '{field}.type': unknown lever type '{tag}'"
            f"{suggest(tag, LEVER_TYPES)}; allowed: {', '.join(LEVER_TYPES)}"
        )
    if kind == "union_tag_not_found":
        return (
            f"{where}: field '{field}': a lever needs a 'type'; allowed: {', '.join(LEVER_TYPES)}"
        )
    if kind == "extra_forbidden":
        name = str(loc[-1])
        allowed = sorted(model_fields - {"type"})
        return (
            f"{where}: field '{field}' is not allowed here{suggest(name, allowed)}; "
            f"allowed: {', '.join(allowed)}"
        )
    if kind == "missing":
        return f"{where}: field '{field}' is required"
    # every pattern-checked field of a lever is a region code (or a list of them)
    if kind == "string_pattern_mismatch" and (
        str(loc[-1]) in REGION_FIELDS or (len(loc) > 1 and isinstance(loc[-1], int))
    ):
        return (
            f"{where}: field '{field}': '{value}' is not an ISO 3166 alpha-3 region code "
            "(three capital letters, e.g. CHN, USA, RUS)"
        )
    message = err["msg"].removeprefix("Value error, ")
    return f"{where}: field '{field}': {message}"
