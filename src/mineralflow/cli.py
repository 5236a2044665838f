"""The ``mineralflow`` command line.

User mistakes (a bad pack, an unknown table or region) end with one readable message on stderr
and exit code 2; they never show a traceback.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table as RichTable
from rich.text import Text

from mineralflow.data import check_pack, load_pack
from mineralflow.data.pack import bundled_packs
from mineralflow.data.schema import CONFIDENCE_CODES, TABLES, TABLES_BY_NAME
from mineralflow.data.validate import suggest
from mineralflow.dynamics import simulate
from mineralflow.errors import MineralflowError, PackError, SelectionError
from mineralflow.metrics.shares import stage_shares
from mineralflow.results import export_results, iamc_frame
from mineralflow.scenario import load_scenario
from mineralflow.validation import price_multiples

app = typer.Typer(
    help="Rare-earth and aluminium supply chains, with every figure sourced.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
data_app = typer.Typer(help="Inspect and validate data packs.", no_args_is_help=True)
app.add_typer(data_app, name="data")

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

PackOption = Annotated[str, typer.Option("--pack", "-p", help="bundled pack name or a pack folder")]


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-safe records: NaN and pandas NA become null, numpy scalars plain Python."""
    records = []
    for row in frame.to_dict(orient="records"):
        clean: dict[str, Any] = {}
        for key, value in row.items():
            if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
                clean[str(key)] = None
            elif hasattr(value, "item"):
                clean[str(key)] = value.item()
            else:
                clean[str(key)] = value
        records.append(clean)
    return records


def _print_frame(frame: pd.DataFrame, title: str) -> None:
    table = RichTable(title=title, show_lines=False)
    for column in frame.columns:
        numeric = pd.api.types.is_numeric_dtype(frame[column])
        table.add_column(str(column), justify="right" if numeric else "left")
    for row in _records(frame):
        table.add_row(*(_fmt(v) for v in row.values()))
    out.print(table)


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.4g}"
    return str(value)


@data_app.command("check")
def data_check(folder: Annotated[Path, typer.Argument(help="pack folder to validate")]) -> None:
    """Validate a pack folder: every table, row and reference. Exit code 2 on any problem."""
    problems = check_pack(folder)
    if problems:
        raise PackError(str(folder), problems)
    pack = load_pack(folder)
    rows = sum(len(t) for t in pack.tables.values())
    out.print(
        f"[green]ok[/green] {folder}: pack '{pack.name}', {len(pack.tables)} tables, "
        f"{rows} rows, every row sourced"
    )


@data_app.command("show")
def data_show(
    table: Annotated[str, typer.Argument(help="table name, e.g. production")],
    pack: PackOption = "rare_earths",
    stage: Annotated[str | None, typer.Option(help="keep one stage")] = None,
    year: Annotated[int | None, typer.Option(help="keep one year")] = None,
    region: Annotated[str | None, typer.Option(help="keep one region (ISO alpha-3 or WLD)")] = None,
    edition: Annotated[str | None, typer.Option(help="pin an edition, e.g. MCS2025")] = None,
    all_editions: Annotated[
        bool, typer.Option("--all-editions", help="show every edition, not the latest")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON records")] = False,
) -> None:
    """Show a table of a pack; by default the latest edition of each figure."""
    loaded = load_pack(pack)
    if table not in loaded.tables:
        loaded.table(table)  # raises a SelectionError naming the tables
    columns = TABLES_BY_NAME[table].column_names
    filters = {"stage": stage, "year": year, "region": region}
    for name, value in filters.items():
        if value is not None and name not in columns:
            raise SelectionError(f"table '{table}' has no column '{name}'; drop --{name}")
    frame = loaded.select(table, edition=edition, latest=not all_editions, **filters)
    if as_json:
        sys.stdout.write(json.dumps(_records(frame), indent=1, ensure_ascii=False) + "\n")
        return
    _print_frame(frame, f"{loaded.name}: {table} ({len(frame)} rows)")


@data_app.command("sources")
def data_sources(
    pack: PackOption = "rare_earths",
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """List the publications behind a pack, with how many rows cite each."""
    loaded = load_pack(pack)
    sources = loaded.table("sources")
    counts: dict[str, int] = {}
    for name, frame in loaded.tables.items():
        if name != "sources":  # every other table names a source_id on each row
            for sid, n in frame["source_id"].value_counts().items():
                counts[str(sid)] = counts.get(str(sid), 0) + int(n)
    sources["rows"] = sources["source_id"].map(counts).fillna(0).astype(int)
    if as_json:
        sys.stdout.write(json.dumps(_records(sources), indent=1, ensure_ascii=False) + "\n")
        return
    _print_frame(
        sources[["source_id", "publisher", "title", "edition", "year", "table_or_page", "rows"]],
        f"{loaded.name}: sources",
    )
    out.print("confidence codes: " + "; ".join(f"{k} = {v}" for k, v in CONFIDENCE_CODES.items()))


@data_app.command("schema")
def data_schema(table: Annotated[str | None, typer.Argument(help="one table")] = None) -> None:
    """Describe the pack tables: columns, types and allowed values."""
    specs = (
        TABLES if table is None else (TABLES_BY_NAME[table],) if table in TABLES_BY_NAME else None
    )
    if specs is None:
        raise SelectionError(
            f"no table '{table}'{suggest(table or '', TABLES_BY_NAME)}; "
            f"tables: {', '.join(TABLES_BY_NAME)}"
        )
    for spec in specs:
        frame = pd.DataFrame(
            [(c.name, c.description, c.rule()) for c in spec.columns],
            columns=["column", "meaning", "allowed"],
        )
        required = "required" if spec.required else "optional"
        _print_frame(frame, f"{spec.name}.csv ({required}): {spec.description}")
        rules = [f"key: {', '.join(spec.key)}"]
        if spec.shares is not None:
            rules.append(
                f"shares of '{spec.shares.column}' sum to 1 for each ({', '.join(spec.shares.by)})"
            )
        if spec.unit_rule is not None:
            rules.append(
                f"unit is the one {spec.unit_rule.table}.csv gives the row's "
                f"{spec.unit_rule.column}"
            )
        if spec.vintaged:
            rules.append("several editions of a figure may coexist; the latest is the default")
        out.print("  " + "; ".join(rules))


@data_app.command("packs")
def data_packs() -> None:
    """List the bundled packs."""
    for name in bundled_packs():
        manifest = load_pack(name).manifest
        out.print(
            f"[bold]{name}[/bold]: {manifest.title} (version {manifest.version}) - "
            f"{manifest.description}"
        )


@data_app.command("overview")
def data_overview(
    pack: Annotated[
        list[str] | None, typer.Option("--pack", "-p", help="pack(s); default all bundled")
    ] = None,
    year: Annotated[int | None, typer.Option(help="year; default the pack's base year")] = None,
    top: Annotated[int, typer.Option(help="regions shown per stage", min=1)] = 6,
) -> None:
    """Who produces what: the leading regions of every stage, with shares and sources."""
    for name in pack or bundled_packs():
        loaded = load_pack(name)
        out.rule(f"[bold]{loaded.manifest.title}[/bold] ({loaded.name})")
        stages = loaded.table("stages").sort_values("order")
        production = loaded.table("production")
        chosen = year if year is not None else loaded.manifest.base_year
        for stage in stages["stage"]:
            if not (production["stage"] == stage).any():
                continue
            if not ((production["stage"] == stage) & (production["year"] == chosen)).any():
                out.print(f"{stage}, {chosen}: no data")
                continue
            shares = stage_shares(loaded, stage, chosen)
            head = shares.head(top).copy()
            head["share"] = (head["share"] * 100).round(1).astype(str) + " %"
            _print_frame(head, f"{stage}, {chosen}")


@app.command("run")
def run_scenario(
    scenario: Annotated[str, typer.Argument(help="bundled scenario name or a scenario .yaml file")],
    export: Annotated[
        Path | None, typer.Option("--export", help="folder to write results.csv (IAMC) into")
    ] = None,
) -> None:
    """Run a scenario through the market model and summarise (or export) its results."""
    spec = load_scenario(scenario)
    pack = load_pack(spec.pack)
    first, last = spec.years
    base = spec.base_year if spec.base_year is not None else min(first, pack.manifest.base_year)
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task(f"{spec.name}", total=last - base + 1)
        run = simulate(
            pack,
            (first, last),
            base_year=base,
            progress=lambda _year: progress.advance(task),
        )
    frame = iamc_frame(run, spec.name, first_year=first)
    if export is not None:
        path = export_results(frame, export)
        out.print(f"wrote {len(frame)} rows to {path}")
    keys = [v for v in frame["variable"].unique() if v.startswith("Production|")][:4]
    table = frame[(frame["region"] == "World") & frame["variable"].isin(keys)]
    pivot = table.pivot_table(index="year", columns="variable", values="value")
    _print_frame(pivot.reset_index(), f"{spec.name}: world production")
    if base < pack.manifest.base_year and "elements" in pack.tables:
        checked = [p for p in ("Nd", "Dy", "La", "Ce") if p in run.network.products.index]
        multiples = price_multiples(run, checked, base, last).round(2)
        _print_frame(multiples, f"{spec.name}: price multiples {last}/{base}")
    out.print(
        f"{len(run.years)} years solved in {run.wall_seconds:.2f} s "
        f"({run.solver_seconds:.2f} s in HiGHS)"
    )


def main() -> None:
    """Entry point: user mistakes become one message on stderr and exit code 2.

    Typer reports its own usage errors (unknown option, bad integer) with exit code 2; errors
    raised by mineralflow for bad files or selections are caught here.
    """
    try:
        app()
    except MineralflowError as exc:
        err.print(Text("error: ", style="bold red") + Text(str(exc)))
        sys.exit(2)


if __name__ == "__main__":
    main()
