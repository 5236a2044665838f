"""Data packs: a folder of CSV tables plus ``pack.yaml``, loaded and validated as one object.

A pack is either one of the bundled packs (``rare_earths``, ``aluminium``) or any folder a user
points at; both go through the same validation.  ``Pack.select`` is the one way to read a table:
it joins each row's edition from ``sources.csv`` and, by default, keeps the latest edition of
every figure (USGS revises figures between editions).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mineralflow.data import validate
from mineralflow.data.schema import TABLES, TABLES_BY_NAME
from mineralflow.errors import PackError, Problem, SelectionError
from mineralflow.files import InputFileError, read_file
from mineralflow.yamltext import load_yaml

BUNDLED_DIR = Path(__file__).parent / "packs"
MANIFEST = "pack.yaml"
MAX_MANIFEST_BYTES = 64_000


class ReportSettings(BaseModel):
    """What a run's report leads with for this pack (``report:`` in ``pack.yaml``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    focus_region: str | None = Field(
        default=None,
        description="region whose shares and dependence the headlines follow (ISO code)",
    )
    key_stages: list[str] = Field(
        default_factory=list, description="stages whose focus-region share the headlines give"
    )
    key_prices: list[str] = Field(
        default_factory=list, description="products whose world price the headlines give"
    )
    price_chart: list[str] = Field(
        default_factory=list, description="products whose world price the price chart draws"
    )
    concentration_stage: str | None = Field(
        default=None, description="stage whose HHI the headlines state"
    )
    dependence_stages: list[str] = Field(
        default_factory=list, description="stages of the dependence charts and sentences"
    )
    consumers: list[str] = Field(
        default_factory=list, description="consuming regions of the dependence charts"
    )
    share_maps: list[str] = Field(
        default_factory=list, description="stages drawn on a world map of shares"
    )


class Manifest(BaseModel):
    """Contents of ``pack.yaml``: what the pack is about."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    title: str
    commodity: str
    version: str
    base_year: int = Field(ge=1990, le=2060)
    description: str
    report: ReportSettings = ReportSettings()


def bundled_packs() -> list[str]:
    """Names of the packs shipped with mineralflow."""
    return sorted(p.name for p in BUNDLED_DIR.iterdir() if (p / MANIFEST).is_file())


def declared_files(folder: Path) -> list[Path]:
    """The files a pack consists of: ``pack.yaml`` and each schema table present, by name."""
    names = [MANIFEST, *sorted(f"{spec.name}.csv" for spec in TABLES)]
    return [folder / name for name in names if (folder / name).is_file()]


def resolve(pack: str | Path) -> Path:
    """Turn a bundled pack name or a folder path into the pack's folder.

    A bare name (no folder separator) always means a bundled pack, even where a folder of that
    name exists here; a folder is used only when given as a path (``./mypack``).
    """
    if not isinstance(pack, (str, Path)) or not str(pack).strip():
        raise SelectionError(
            f"no data pack {pack!r}: give a bundled pack ({', '.join(bundled_packs())}) or a "
            f"folder path that holds {MANIFEST} and CSV tables"
        )
    text = str(pack)
    path = Path(text)
    names = bundled_packs()
    if isinstance(pack, str) and "/" not in text and "\\" not in text and text not in (".", ".."):
        if text in names:
            return BUNDLED_DIR / text
        local = f"; a folder '{text}' is here: give it as ./{text}" if path.is_dir() else ""
        raise SelectionError(
            f"no data pack '{text}'{validate.suggest(text, names)}; bundled packs: "
            f"{', '.join(names)}{local}"
        )
    if path.is_dir():
        return path
    raise SelectionError(
        f"no data pack folder '{pack}': give a bundled pack ({', '.join(names)}) or a folder "
        f"that holds {MANIFEST} and CSV tables"
    )


def _read_manifest(folder: Path, problems: list[Problem]) -> Manifest | None:
    path = folder / MANIFEST
    if not path.is_file():
        problems.append(
            Problem(
                MANIFEST,
                f"is missing in {folder}; a pack folder needs it "
                "(fields: name, title, commodity, version, base_year, description)",
            )
        )
        return None
    try:
        text = read_file(path, MANIFEST, limit=MAX_MANIFEST_BYTES, root=folder).decode("utf-8")
        data = load_yaml(text)
    except InputFileError as exc:
        problems.append(Problem(MANIFEST, str(exc).removeprefix(f"{MANIFEST} {path}: ")))
        return None
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        problems.append(Problem(MANIFEST, f"is not valid UTF-8 YAML: {exc}"))
        return None
    try:
        return Manifest.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"]) or "(top level)"
            problems.append(Problem(MANIFEST, f"field '{field}': {err['msg']}"))
        return None


def _collect(folder: Path) -> tuple[Manifest | None, dict[str, pd.DataFrame], list[Problem]]:
    problems: list[Problem] = []
    manifest = _read_manifest(folder, problems)
    known = set(TABLES_BY_NAME)
    for path in sorted(folder.glob("*.csv")):
        if path.stem not in known:
            problems.append(
                Problem(
                    path.name,
                    f"is not a table of the pack schema"
                    f"{validate.suggest(path.stem, known)}; tables: "
                    f"{', '.join(sorted(known))}",
                )
            )
    tables: dict[str, pd.DataFrame] = {}
    unreadable: set[str] = set()
    for spec in TABLES:
        path = folder / f"{spec.name}.csv"
        if not path.is_file():
            if spec.required:
                problems.append(
                    Problem(path.name, f"is missing; every pack needs it ({spec.description})")
                )
            continue
        raw = validate.read_csv(path, spec, problems)
        if raw is None:
            unreadable.add(spec.name)
            continue
        frame = validate.parse_table(raw, spec, problems)
        validate.check_rows(path.name, frame, spec, problems)
        tables[spec.name] = frame
    if "regions" in tables:
        validate.check_regions(tables["regions"], problems)
    validate.check_references(tables, problems, unreadable)
    validate.check_units(tables, problems)
    validate.check_parameters(tables, problems)
    validate.check_uncertainty(tables, problems)
    validate.check_policy_rates(tables, problems)
    validate.check_outlook_elements(tables, problems)
    if "sources" in tables:
        validate.check_estimates(tables, problems)
        validate.check_vintages(tables, problems)
    if manifest is not None:
        _check_report(manifest.report, tables, problems)
    return manifest, tables, problems


def _check_report(
    report: ReportSettings, tables: dict[str, pd.DataFrame], problems: list[Problem]
) -> None:
    """Every name in the ``report`` section is a stage, product or region of the pack."""
    known = {
        "stages": ("stages", "stage"),
        "products": ("products", "product"),
        "regions": ("regions", "code"),
    }
    fields = {
        "focus_region": "regions",
        "key_stages": "stages",
        "key_prices": "products",
        "price_chart": "products",
        "concentration_stage": "stages",
        "dependence_stages": "stages",
        "consumers": "regions",
        "share_maps": "stages",
    }
    for name, kind in fields.items():
        value = getattr(report, name)
        table, column = known[kind]
        if value is None or table not in tables:
            continue
        allowed = set(tables[table][column].astype(str))
        for item in [value] if isinstance(value, str) else value:
            if item not in allowed:
                problems.append(
                    Problem(
                        MANIFEST,
                        f"field 'report.{name}': '{item}' is not in {table}.csv"
                        f"{validate.suggest(item, allowed)}; {kind}: "
                        f"{', '.join(sorted(allowed)[:12])}",
                    )
                )


def check_pack(pack: str | Path) -> list[Problem]:
    """Validate a pack folder (or bundled pack name) and return every problem found."""
    return _collect(resolve(pack))[2]


@dataclass(repr=False)
class Pack:
    """A validated data pack: its manifest and one typed DataFrame per table (the rows as
    the files hold them, every column of the schema and no other)."""

    path: Path
    manifest: Manifest
    tables: dict[str, pd.DataFrame]

    @property
    def name(self) -> str:
        return self.manifest.name

    def __repr__(self) -> str:
        rows = sum(len(t) for t in self.tables.values())
        return (
            f"Pack({self.name!r}: {len(self.tables)} tables, {rows:,} rows, "
            f"base year {self.manifest.base_year}, from {str(self.path)!r})"
        )

    def table(self, name: str) -> pd.DataFrame:
        """The table as stored (all editions); treat it as read-only."""
        if name not in self.tables:
            raise SelectionError(
                f"pack '{self.name}' has no table '{name}'"
                f"{validate.suggest(name, self.tables)}; tables: {', '.join(sorted(self.tables))}"
            )
        return self.tables[name]

    def editions(self, name: str) -> list[str]:
        """Editions present in a table, oldest first."""
        frame = self._with_editions(name)
        ordered = frame.sort_values("published")["edition"]
        return list(dict.fromkeys(ordered))

    def _with_editions(self, name: str) -> pd.DataFrame:
        frame = self.table(name)
        if not TABLES_BY_NAME[name].sources:
            return frame
        sources = self.tables["sources"][["source_id", "edition", "year"]].rename(
            columns={"year": "published"}
        )
        return frame.merge(sources, on="source_id", how="left", validate="many_to_one")

    def select(
        self, name: str, *, edition: str | None = None, latest: bool = True, **filters: Any
    ) -> pd.DataFrame:
        """Rows of a table, filtered by column values.

        Parameters
        ----------
        name
            Table name, e.g. ``"production"``.
        edition
            Keep only rows from this edition (e.g. ``"MCS2025"``), to pin a published figure.
        latest
            For tables that hold several editions of a figure, keep only the latest edition of
            each figure (ignored when ``edition`` is given).
        **filters
            Column equals value, e.g. ``stage="mining", year=2024, region="CHN"``; ``None``
            means no filter.
        """
        if not isinstance(name, str) or name not in self.tables:
            self.table(str(name))  # raises: the pack has no such table
        frame = self._with_editions(name)
        spec = TABLES_BY_NAME[name]
        for column, value in filters.items():
            if value is None:
                continue
            if column not in frame.columns:
                raise SelectionError(
                    f"table '{name}' has no column '{column}' to filter on; "
                    f"columns: {', '.join(spec.column_names)}"
                )
            frame = frame[frame[column] == self._check_filter(name, column, value)]
        if edition is not None:
            available = self.editions(name)
            if edition not in available:
                raise SelectionError(
                    f"table '{name}' has no edition '{edition}'"
                    f"{validate.suggest(edition, available)}; editions: "
                    f"{', '.join(available)}"
                )
            frame = frame[frame["edition"] == edition]
        elif latest and spec.vintaged:
            frame = frame.sort_values("published", kind="stable")
            frame = frame.drop_duplicates(subset=list(spec.figure_key), keep="last")
            frame = frame.sort_index()
        return frame.reset_index(drop=True)

    def _check_filter(self, name: str, column: str, value: Any) -> Any:
        col = next(c for c in TABLES_BY_NAME[name].columns if c.name == column)
        if col.kind == "int":
            integral = isinstance(value, int) and not isinstance(value, bool)
            if isinstance(value, str) and value.strip().lstrip("+-").isdigit():
                return int(value)
            if not integral and not (isinstance(value, float) and value.is_integer()):
                raise SelectionError(f"{column} must be a whole number, not {value!r}")
            return int(value)
        if col.kind == "float":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise SelectionError(f"{column} must be a number, not {value!r}")
            return value
        if not isinstance(value, str):
            raise SelectionError(
                f"{column} is text in table '{name}'; give it as a string, not {value!r}"
            )
        if col.ref is not None and col.ref[0] in self.tables:
            known = set(self.tables[col.ref[0]][col.ref[1]].dropna())
            if value not in known:
                raise SelectionError(
                    f"unknown {column} '{value}'{validate.suggest(value, known)}"
                    f" in pack '{self.name}'; allowed: "
                    f"{', '.join(sorted(known))}"
                )
        return value


def load_pack(pack: str | Path = "rare_earths") -> Pack:
    """Load and validate a bundled pack by name, or a user's pack folder by path.

    Raises
    ------
    PackError
        With every problem found, each naming the file, line and column.
    """
    folder = resolve(pack)
    manifest, tables, problems = _collect(folder)
    if problems or manifest is None:
        raise PackError(str(folder), problems)
    # line numbers served the messages above; a loaded pack holds the schema's columns only
    plain = {name: frame.drop(columns=validate.LINE) for name, frame in tables.items()}
    return Pack(folder, manifest, plain)
