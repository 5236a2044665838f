"""Read and validate a pack folder, reporting every defect with file, line and column.

Checks run in layers: file decoding and CSV shape, then each cell against its column's rule
(:mod:`mineralflow.data.schema`), then rules across rows (duplicate keys, shares summing to 1,
units matching the stage) and across tables (references to regions, stages, sources, ...).
Nothing here writes anything.
"""

from __future__ import annotations

import csv
import difflib
import io
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import pandas as pd
import pycountry

from mineralflow.data.schema import (
    ELASTICITY_INPUTS,
    HEAVY_SHARE_INPUT,
    MODEL_PARAMETERS,
    PROJECT_INPUT,
    TABLES_BY_NAME,
    Column,
    Table,
)
from mineralflow.errors import Problem
from mineralflow.files import InputFileError, read_file

if TYPE_CHECKING:
    from _csv import Reader

LINE = "_line"  # column holding each row's line number in its CSV file
#: caps on one table (docs/reliability.md): a pack holds published figures, thousands of rows
BLANKS = " \t"  # stripped around cells; control characters stay, so that they are refused
MAX_TABLE_BYTES = 16 * 1024 * 1024
MAX_ROWS = 100_000
MAX_INT_DIGITS = 12  # years and counts; longer digit strings are refused, not converted
_INT = re.compile(r"^[+-]?\d+$")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def suggest(value: str, choices: Iterable[str]) -> str:
    """A ' (did you mean X?)' hint, or '' when nothing is close."""
    # empty cells (None) of a broken table are no suggestion
    names = [c for c in choices if isinstance(c, str)]
    match = difflib.get_close_matches(str(value), names, n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""


def _allowed_list(values: Iterable[str], limit: int = 12) -> str:
    values = sorted(set(values))
    shown = ", ".join(values[:limit])
    return shown + (f", ... ({len(values)} in all)" if len(values) > limit else "")


@dataclass
class RawTable:
    """A table read from CSV: text cells plus the line number of each row."""

    file: str
    frame: pd.DataFrame


def read_csv(path: Path, spec: Table, problems: list[Problem]) -> RawTable | None:
    """Read ``path`` as UTF-8 CSV with exactly the declared columns; None if unreadable.

    The file is read once, only if it lies inside its pack folder (no link leads out) and is
    within :data:`MAX_TABLE_BYTES`; at most :data:`MAX_ROWS` rows are read.
    """
    file = path.name
    text = _text(path, problems)
    if text is None:
        return None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        problems.append(
            Problem(file, "is empty; it needs a header line: " + ",".join(spec.column_names))
        )
        return None
    except csv.Error as exc:
        problems.append(Problem(file, f"is not valid CSV: {exc}", line=1))
        return None
    header = [h.strip(BLANKS) for h in header]
    ok = _check_header(file, header, spec, problems)
    records = _records(reader, file, len(header), problems)
    if records is None or not ok:
        return None
    rows, lines = records
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    # optional columns a file leaves out read as empty text, like empty cells
    frame = frame.reindex(columns=list(spec.column_names), fill_value="")
    frame[LINE] = lines
    return RawTable(file, frame)


def _text(path: Path, problems: list[Problem]) -> str | None:
    """The table file's text (inside its folder, within the size cap, UTF-8), or None with
    the problem recorded."""
    file = path.name
    try:
        raw = read_file(path, "table", limit=MAX_TABLE_BYTES, root=path.parent)
    except InputFileError as exc:
        problems.append(Problem(file, str(exc).removeprefix(f"table {path}: ")))
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.append(
            Problem(
                file,
                f"cannot be decoded as UTF-8 (byte 0x{raw[exc.start]:02x}"
                f" at offset {exc.start}); save the file as UTF-8 CSV",
                line=line,
            )
        )
        return None


def _records(
    reader: Reader, file: str, width: int, problems: list[Problem]
) -> tuple[list[list[str]], list[int]] | None:
    """The non-blank records after the header (cells stripped) and their line numbers;
    records of another width are problems.  None where the file is not valid CSV or has
    more than :data:`MAX_ROWS` rows."""
    rows: list[list[str]] = []
    lines: list[int] = []
    start = reader.line_num + 1
    try:
        for record in reader:
            if len(rows) >= MAX_ROWS:
                problems.append(
                    Problem(file, f"has more than {MAX_ROWS:,} rows, the limit for a table")
                )
                return None
            if not any(cell.strip(BLANKS) for cell in record):
                start = reader.line_num + 1
                continue
            if len(record) != width:
                problems.append(
                    Problem(
                        file,
                        f"has {len(record)} fields, the header has "
                        f"{width}; quote values that contain commas",
                        line=start,
                    )
                )
            else:
                rows.append([cell.strip(BLANKS) for cell in record])
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        problems.append(Problem(file, f"is not valid CSV: {exc}", line=reader.line_num))
        return None
    return rows, lines


def _check_header(file: str, header: list[str], spec: Table, problems: list[Problem]) -> bool:
    ok = True
    seen: set[str] = set()
    for name in header:
        if name in seen:
            problems.append(Problem(file, f"column '{name}' appears twice in the header", line=1))
            ok = False
        seen.add(name)
        if name not in spec.column_names:
            problems.append(
                Problem(
                    file,
                    f"unknown column '{name}'{suggest(name, spec.column_names)};"
                    f" allowed: {', '.join(spec.column_names)}",
                    line=1,
                )
            )
            ok = False
    for col in spec.columns:
        if col.name not in seen and col.required:
            problems.append(
                Problem(file, f"missing column '{col.name}' ({col.description})", line=1)
            )
            ok = False
    return ok


def shown(text: str, limit: int = 60) -> str:
    """A cell as quoted in a message: long cells are cut, so a message stays one line, and
    characters that print as nothing are written as escapes (``\\x1f``)."""
    cut = text if len(text) <= limit else f"{text[:limit]}... ({len(text):,} characters)"
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in cut)


def _parse_cell(text: str, col: Column) -> tuple[object, str | None]:
    """Convert one cell; return (value, error message or None)."""
    if text == "":
        return None, (f"is empty; expected {col.rule()}" if col.required else None)
    if col.kind == "str":
        return text, None
    if col.kind == "int":
        if not _INT.match(text) or len(text) > MAX_INT_DIGITS:
            return None, f"'{shown(text)}' is not an integer; expected {col.rule()}"
        return int(text), None
    if col.kind == "float":
        try:
            number = float(text)
        except ValueError:
            hint = " (write numbers without thousands separators)" if "," in text else ""
            return None, f"'{shown(text)}' is not a number{hint}; expected {col.rule()}"
        if not math.isfinite(number):
            return None, f"'{shown(text)}' is not a finite number; expected {col.rule()}"
        return number, None
    match = _DATE.match(text)
    if match is None:
        return None, f"'{shown(text)}' is not a date; expected {col.rule()}"
    year, month, day = (int(g) if g else 1 for g in match.groups())
    try:
        date(year, month, day)
    except ValueError:
        return None, f"'{text}' is not a calendar date; expected {col.rule()}"
    return text, None


def parse_table(raw: RawTable, spec: Table, problems: list[Problem]) -> pd.DataFrame:
    """Check every cell against its column rule and return a typed frame."""
    frame = raw.frame
    out: dict[str, list[object]] = {}
    for col in spec.columns:
        values: list[object] = []
        for text, line in zip(frame[col.name].fillna(""), frame[LINE], strict=True):
            value, error = _parse_cell(str(text), col)
            if error is None and value is not None:
                error = _check_value(value, col)
            if error is not None:
                problems.append(Problem(raw.file, error, line=int(line), column=col.name))
            values.append(value)
        out[col.name] = values
    columns: dict[str, pd.Series] = {}
    for col in spec.columns:
        values = out[col.name]
        if col.kind == "int":
            columns[col.name] = pd.Series(values, dtype="Int64")
        elif col.kind == "float":
            columns[col.name] = pd.Series(
                [float("nan") if v is None else v for v in values], dtype="float64"
            )
        else:  # text stays object dtype so that a missing cell is None, never NaN
            columns[col.name] = pd.Series(values, dtype=object)
    typed = pd.DataFrame(columns)
    typed[LINE] = frame[LINE].to_numpy()
    return typed


def _check_value(value: object, col: Column) -> str | None:
    if col.allowed is not None and value not in col.allowed:
        return (
            f"'{shown(str(value))}' is not allowed{suggest(str(value)[:100], col.allowed)}; "
            f"allowed: {', '.join(col.allowed)}"
        )
    if isinstance(value, (int, float)):
        if col.minimum is not None and value < col.minimum:
            return f"{value:g} is below the minimum; expected {col.rule()}"
        if col.maximum is not None and value > col.maximum:
            return f"{value:g} is above the maximum; expected {col.rule()}"
    return None


# --- checks across rows ----------------------------------------------------------------------


def check_rows(file: str, frame: pd.DataFrame, spec: Table, problems: list[Problem]) -> None:
    """Duplicate keys and share groups within one table."""
    _check_duplicates(file, frame, spec, problems)
    if spec.shares is not None:
        _check_shares(file, frame, spec, problems)
    if spec.fixed_unit is not None:
        for unit, line in zip(frame["unit"], frame[LINE], strict=True):
            if unit is not None and unit != spec.fixed_unit:
                problems.append(
                    Problem(
                        file,
                        f"unit '{unit}' is not allowed; allowed: {spec.fixed_unit}",
                        line=int(line),
                        column="unit",
                    )
                )


def _describe(row: pd.Series, columns: Iterable[str]) -> str:
    return ", ".join(f"{c}={row[c]}" for c in columns)


def _check_duplicates(file: str, frame: pd.DataFrame, spec: Table, problems: list[Problem]) -> None:
    key = list(spec.key)
    complete = frame.dropna(subset=key)
    dup = complete[complete.duplicated(subset=key, keep=False)]
    for _, group in dup.groupby(key, sort=False, dropna=False):
        first, *others = group[LINE].tolist()
        for line in others:
            problems.append(
                Problem(
                    file,
                    f"duplicate key ({_describe(group.iloc[0], key)}); "
                    f"first given on line {first}; each key may appear "
                    "once",
                    line=int(line),
                )
            )


def _check_shares(file: str, frame: pd.DataFrame, spec: Table, problems: list[Problem]) -> None:
    rule = spec.shares
    assert rule is not None
    complete = frame.dropna(subset=[*rule.by, rule.column])
    for _, group in complete.groupby(list(rule.by), sort=False, dropna=False):
        total = float(group[rule.column].sum())
        if abs(total - 1.0) > rule.tolerance:
            lines = group[LINE].tolist()
            problems.append(
                Problem(
                    file,
                    f"shares for ({_describe(group.iloc[0], rule.by)}) sum to {total:.4f}; "
                    f"they must sum to 1 (within {rule.tolerance:g}); rows on lines "
                    f"{min(lines)}-{max(lines)}",
                    line=int(min(lines)),
                    column=rule.column,
                )
            )


# --- checks across tables --------------------------------------------------------------------


def check_references(
    tables: dict[str, pd.DataFrame],
    problems: list[Problem],
    unreadable: frozenset[str] | set[str] = frozenset(),
) -> None:
    """Every reference column names an existing row of the referenced table.

    References into a table that exists but could not be read are skipped: that table's own
    problem is already reported and every reference into it would only repeat it.
    """
    for name, frame in tables.items():
        spec = TABLES_BY_NAME[name]
        for col in spec.columns:
            if col.ref is None:
                continue
            target_table, target_col = col.ref
            present = frame[col.name].dropna()
            if present.empty or target_table in unreadable:
                continue
            if target_table not in tables:
                problems.append(
                    Problem(
                        f"{name}.csv",
                        f"column '{col.name}' refers to "
                        f"{target_table}.csv, which this pack does not have",
                        column=col.name,
                    )
                )
                continue
            known = set(tables[target_table][target_col].dropna())
            for value, line in zip(frame[col.name], frame[LINE], strict=True):
                if value is not None and value not in known:
                    problems.append(
                        Problem(
                            f"{name}.csv",
                            f"unknown {target_col} '{shown(value)}'"
                            f"{suggest(value[:100], known)}; "
                            f"allowed: the {target_col} values of {target_table}.csv "
                            f"({_allowed_list(known)})",
                            line=int(line),
                            column=col.name,
                        )
                    )


def check_units(tables: dict[str, pd.DataFrame], problems: list[Problem]) -> None:
    """The unit written on each row is the one its stage or sector declares."""
    for name, frame in tables.items():
        rule = TABLES_BY_NAME[name].unit_rule
        if rule is None or rule.table not in tables:
            continue
        lookup_key = TABLES_BY_NAME[rule.table].key[0]
        units = dict(zip(tables[rule.table][lookup_key], tables[rule.table]["unit"], strict=True))
        for owner, unit, line in zip(frame[rule.column], frame["unit"], frame[LINE], strict=True):
            expected = units.get(owner)
            if expected is not None and unit is not None and unit != expected:
                problems.append(
                    Problem(
                        f"{name}.csv",
                        f"unit '{unit}' does not match {rule.column} '{owner}', "
                        f"whose unit is '{expected}' ({rule.table}.csv); convert the "
                        "value and write that unit",
                        line=int(line),
                        column="unit",
                    )
                )


#: Parameters that are shares of something, so at most 1.
SHARE_PARAMETERS = (
    "base_utilisation",
    "gap_yield_loss",
    "demand_adjustment",
    "stock_turnover",
    "holding_cost",
    "expectation_weight",
)

#: Parameters that divide a price or quantity, so above 0.
POSITIVE_PARAMETERS = ("route_elasticity", "capital_cost", "capital_recovery")


def check_parameters(tables: dict[str, pd.DataFrame], problems: list[Problem]) -> None:
    """Each model parameter names a stage of the pack and is written in its declared unit."""
    frame = tables.get("parameters")
    if frame is None:
        return
    stages = {s for s in tables["stages"]["stage"] if s} if "stages" in tables else set()
    for name, scope, unit, value, line in zip(
        frame["parameter"], frame["scope"], frame["unit"], frame["value"], frame[LINE], strict=True
    ):
        if name not in MODEL_PARAMETERS:
            continue  # already reported as a disallowed value
        if name in SHARE_PARAMETERS and value is not None and not 0 <= float(value) <= 1:
            problems.append(
                Problem(
                    "parameters.csv",
                    f"'{name}' is {value}; it is a share and must lie between 0 and 1",
                    line=int(line),
                    column="value",
                )
            )
        if name in POSITIVE_PARAMETERS and value is not None and not float(value) > 0:
            problems.append(
                Problem(
                    "parameters.csv",
                    f"'{name}' is {value}; it must be above 0",
                    line=int(line),
                    column="value",
                )
            )
        if stages and scope not in stages:
            problems.append(
                Problem(
                    "parameters.csv",
                    f"scope '{scope}' is not a stage of this pack{suggest(scope, stages)}; "
                    f"allowed: {', '.join(sorted(stages))}",
                    line=int(line),
                    column="scope",
                )
            )
        expected = MODEL_PARAMETERS[name][0]
        if unit != expected:
            problems.append(
                Problem(
                    "parameters.csv",
                    f"unit '{unit}' does not match parameter '{name}', whose unit is '{expected}'",
                    line=int(line),
                    column="unit",
                )
            )


def check_uncertainty(tables: dict[str, pd.DataFrame], problems: list[Problem]) -> None:
    """Each uncertain input names rows of parameters.csv or elasticities.csv and gives a
    distribution that can be drawn from: low below high, a triangle's mode between them."""
    frame = tables.get("uncertainty")
    if frame is None:
        return
    scopes = _uncertain_scopes(tables)
    for record in frame.to_dict("records"):
        row = SimpleNamespace(**{str(k): v for k, v in record.items()})
        line, name = int(record[LINE]), str(row.parameter)
        have = scopes.get(name, set())
        known = name in (*MODEL_PARAMETERS, *ELASTICITY_INPUTS, PROJECT_INPUT, HEAVY_SHARE_INPUT)
        table = {PROJECT_INPUT: "projects.csv", HEAVY_SHARE_INPUT: "deposit_composition.csv"}.get(
            name, "elasticities.csv" if name in ELASTICITY_INPUTS else "parameters.csv"
        )
        if known and not have:
            problems.append(Problem(
                "uncertainty.csv", f"{table} has no row for '{name}'", column="parameter",
                line=line,
            ))  # fmt: skip
        elif known and row.scope != "all" and row.scope not in have:
            problems.append(Problem(
                "uncertainty.csv",
                f"{table} has no row '{name}' for scope '{row.scope}'"
                f"{suggest(str(row.scope), have)}; allowed scopes: all, {', '.join(sorted(have))}",
                column="scope", line=line,
            ))  # fmt: skip
        problems.extend(Problem("uncertainty.csv", text, column=column, line=line)
                        for column, text in _distribution_problems(row))  # fmt: skip


def _uncertain_scopes(tables: dict[str, pd.DataFrame]) -> dict[str, set[str]]:
    """The scopes each name an uncertainty row may give has rows for."""
    scopes: dict[str, set[str]] = {}
    params = tables.get("parameters")
    if params is not None:
        for name, scope in zip(params["parameter"], params["scope"], strict=True):
            scopes.setdefault(str(name), set()).add(str(scope))
    if "projects" in tables:
        scopes[PROJECT_INPUT] = {str(p) for p in tables["projects"]["project"]}
    if "deposit_composition" in tables:
        scopes[HEAVY_SHARE_INPUT] = {str(d) for d in tables["deposit_composition"]["deposit"]}
    elasticities = tables.get("elasticities")
    if elasticities is not None:
        for scope, kind, horizon in zip(
            elasticities["scope"], elasticities["kind"], elasticities["horizon"], strict=True
        ):
            for name, (of_kind, of_horizon) in ELASTICITY_INPUTS.items():
                if of_kind == kind and of_horizon in (None, horizon):
                    scopes.setdefault(name, set()).add(str(scope))
    return scopes


def _given(value: Any) -> bool:
    return value is not None and not pd.isna(value)


def _distribution_problems(row: Any) -> list[tuple[str, str]]:
    """(column, message) for a distribution that cannot be drawn from."""
    low, high, mode = row.low, row.high, row.mode
    given = [c for c, v in (("low", low), ("mode", mode), ("high", high)) if _given(v)]
    if row.distribution == "bernoulli" or row.parameter == PROJECT_INPUT:
        if row.distribution != "bernoulli" or row.parameter != PROJECT_INPUT:
            return [("distribution", f"only {PROJECT_INPUT} is drawn as bernoulli, and always")]
        return [(c, "a bernoulli draw uses the project's chance: leave it empty") for c in given]
    if not _given(low) or not _given(high):
        return [("low" if not _given(low) else "high", f"a {row.distribution} distribution "
                 "needs low and high")]  # fmt: skip
    out = []
    if not float(low) < float(high):
        out.append(("high", f"high ({high:g}) must be above low ({low:g})"))
    has_mode = _given(mode)
    if row.distribution == "triangular":
        if not has_mode:
            out.append(("mode", "a triangular distribution needs its mode"))
        elif not float(low) <= float(mode) <= float(high):
            out.append(("mode", f"mode ({mode:g}) must lie between low ({low:g}) and high "
                                f"({high:g})"))  # fmt: skip
    elif has_mode:
        out.append(("mode", f"only a triangular distribution has a mode; leave it empty for "
                            f"{row.distribution}"))  # fmt: skip
    return out


def check_policy_rates(tables: dict[str, pd.DataFrame], problems: list[Problem]) -> None:
    """A tariff in policy_events.csv states its rate in % and names its stage: the model
    applies it from its date."""
    frame = tables.get("policy_events")
    if frame is None:
        return
    for kind, stage, value, unit, line in zip(
        frame["kind"], frame["stage"], frame["value"], frame["unit"], frame[LINE], strict=True
    ):
        if kind != "tariff":
            continue
        if value is None or unit != "%" or not stage:
            problems.append(
                Problem(
                    "policy_events.csv",
                    "a tariff needs its rate in value, unit '%' and the stage it applies to; "
                    f"found value {value!r}, unit {unit!r}, stage {stage!r}",
                    line=int(line),
                )
            )


#: outlook tables whose column lists names of another table: (table, column, names' table,
#: their column, what they are)
OUTLOOK_LISTS = (
    ("outlooks", "elements", "elements", "symbol", "element"),
    ("outlook_demand", "sectors", "sectors", "sector", "sector"),
)


def check_outlook_elements(tables: dict[str, pd.DataFrame], problems: list[Problem]) -> None:
    """Every element an outlook's share is measured on, and every sector an outlook's
    demand covers, is one of the pack."""
    for table, column, names, name_column, what in OUTLOOK_LISTS:
        frame = tables.get(table)
        if frame is None or names not in tables:
            continue
        known = {str(e) for e in tables[names][name_column] if isinstance(e, str)}
        for text, line in zip(frame[column], frame[LINE], strict=True):
            for name in str(text).split() if isinstance(text, str) else []:
                if name not in known:
                    problems.append(
                        Problem(
                            f"{table}.csv",
                            f"{what} '{name}' is not in {names}.csv{suggest(name, known)}; "
                            f"list {what}s separated by spaces",
                            line=int(line),
                            column=column,
                        )
                    )


def check_regions(frame: pd.DataFrame, problems: list[Problem]) -> None:
    """Countries carry valid ISO 3166 alpha-3 codes; aggregates do not borrow one."""
    for code, kind, line in zip(frame["code"], frame["kind"], frame[LINE], strict=True):
        if code is None or kind is None:
            continue
        country = pycountry.countries.get(alpha_3=code)
        if kind == "country" and country is None:
            names = {c.alpha_3 for c in pycountry.countries}
            problems.append(
                Problem(
                    "regions.csv",
                    f"'{code}' is not an ISO 3166 alpha-3 country code{suggest(code, names)}",
                    line=int(line),
                    column="code",
                )
            )
        elif kind == "aggregate" and country is not None:
            problems.append(
                Problem(
                    "regions.csv",
                    f"aggregate code '{code}' is the ISO code of "
                    f"{country.name}; choose another code",
                    line=int(line),
                    column="code",
                )
            )


def check_estimates(tables: dict[str, pd.DataFrame], problems: list[Problem]) -> None:
    """Rows marked E (estimate) cite a source that names its method."""
    sources = tables["sources"]
    with_method = set(sources.loc[sources["method"].notna(), "source_id"])
    for name, frame in tables.items():
        if not TABLES_BY_NAME[name].sources:
            continue
        rows = frame[(frame["confidence"] == "E") & frame["source_id"].notna()]
        for source_id, line in zip(rows["source_id"], rows[LINE], strict=True):
            if source_id not in with_method:
                problems.append(
                    Problem(
                        f"{name}.csv",
                        f"row is marked E (estimate) but source '{source_id}' has no "
                        "method; name the docs/data.md section that explains it in "
                        "sources.csv",
                        line=int(line),
                        column="source_id",
                    )
                )


def check_vintages(tables: dict[str, pd.DataFrame], problems: list[Problem]) -> None:
    """One figure may have several editions, but never two from the same publication year."""
    years = dict(zip(tables["sources"]["source_id"], tables["sources"]["year"], strict=True))
    for name, frame in tables.items():
        spec = TABLES_BY_NAME[name]
        if not spec.vintaged:
            continue
        keyed = frame.dropna(subset=list(spec.key)).assign(_published=frame["source_id"].map(years))
        keyed = keyed.dropna(subset=["_published"])
        cols = [*spec.figure_key, "_published"]
        clash = keyed[keyed.duplicated(subset=cols, keep=False)]
        for _, group in clash.groupby(cols, sort=False):
            first, *others = group[LINE].tolist()
            for line in others:
                problems.append(
                    Problem(
                        f"{name}.csv",
                        f"figure ({_describe(group.iloc[0], spec.figure_key)}) is "
                        f"given by two sources published in {group['_published'].iloc[0]}"
                        f" (see line {first}); the latest edition could not be chosen",
                        line=int(line),
                    )
                )
