"""The ``mineralflow`` command line.

User mistakes (a bad pack, an unknown table or region) end with one readable message on stderr
and exit code 2; they never show a traceback.
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.text import Text

from mineralflow.errors import MineralflowError, SelectionError
from mineralflow.files import FORMATS, STORE_ENV

if TYPE_CHECKING:
    import pandas as pd

    from mineralflow import claims as claims_mod
    from mineralflow.data.pack import Pack
    from mineralflow.scenario.execute import CalibrationCache, RunResult
    from mineralflow.scenario.model import Scenario
    from mineralflow.store import ResultsStore
    from mineralflow.tables import Tables
    from mineralflow.uncertainty import Ensemble

# Heavy modules (pandas, the solver, plotly, duckdb, the claims reader) are imported inside
# the commands that need them, so that the command line starts quickly.

app = typer.Typer(
    help="Rare-earth and aluminium supply chains, with every figure sourced.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
data_app = typer.Typer(help="Inspect and validate data packs.", no_args_is_help=True)
app.add_typer(data_app, name="data")
scenario_app = typer.Typer(
    help="List, show, validate scenarios; their JSON Schema.", no_args_is_help=True
)
app.add_typer(scenario_app, name="scenario")
runs_app = typer.Typer(help="The results store: list, show and delete runs.", no_args_is_help=True)
app.add_typer(runs_app, name="runs")
claims_app = typer.Typer(
    help="Check the figures in a news text against the data; draft a scenario from its plans.",
    no_args_is_help=True,
)
app.add_typer(claims_app, name="claims")


@app.callback()
def _options(
    verbose: Annotated[
        bool, typer.Option("--verbose", help="show the solver's (HiGHS) own output")
    ] = False,
) -> None:
    """Rare-earth and aluminium supply chains, with every figure sourced."""
    if verbose:
        from mineralflow.market.session import VERBOSE  # noqa: PLC0415

        VERBOSE["on"] = True


# markup off: paths, scenario text and pack cells are printed as they are (a '[' in a file
# name is not a style); styles are given as rich Text objects
out = Console(soft_wrap=True, markup=False, emoji=False)
err = Console(stderr=True, soft_wrap=True, markup=False, emoji=False)


def _styled(style: str, head: str, rest: str) -> Text:
    """``head`` in ``style`` followed by plain ``rest``."""
    return Text.assemble((head, style), rest)


PackOption = Annotated[str, typer.Option("--pack", "-p", help="bundled pack name or a pack folder")]


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    from mineralflow.records import json_records  # noqa: PLC0415

    return json_records(frame)


def _print_frame(frame: pd.DataFrame, title: str) -> None:
    import pandas as pd  # noqa: PLC0415
    from rich.table import Table as RichTable  # noqa: PLC0415

    empty = [c for c in frame.columns if frame[c].isna().all() or frame[c].eq("").all()]
    frame = frame.drop(columns=empty) if len(empty) < len(frame.columns) else frame
    cells = [[_fmt(v) for v in row.values()] for row in _records(frame)]
    # rows whose text wraps are ruled off, so that a wrapped name never reads as another row
    table = RichTable(title=title, show_lines=_wraps(frame, cells))
    widths = [max([len(str(c))] + [len(row[j]) for row in cells]) for j, c in enumerate(frame)]
    values = [max([1] + [len(row[j]) for row in cells]) for j in range(len(frame.columns))]
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) or str(c).isdigit() for c in frame.columns]
    # numbers are never cut (their headers may fold): the text columns share the room left
    numbers = sum(v for v, n in zip(values, numeric, strict=True) if n)
    room = out.width - 3 * len(widths) - 1 - numbers
    share = max(3, room // max(1, numeric.count(False)))
    for column, widest, value, is_number in zip(frame.columns, widths, values, numeric,
                                                strict=True):  # fmt: skip
        if is_number:
            table.add_column(str(column), justify="right", overflow="fold", min_width=value)
        else:
            table.add_column(str(column), overflow="fold", min_width=min(widest, TEXT_WIDTH, share))
    for row in cells:
        table.add_row(*row)
    # wider than the terminal even so: printed whole, a line longer than the screen
    least = numbers + 3 * len(widths) + 1 + 3 * numeric.count(False)
    out.print(table, width=max(out.width, least))


#: the narrowest a text column gets when a table is wider than the terminal
TEXT_WIDTH = 10


def _wraps(frame: pd.DataFrame, cells: list[list[str]]) -> bool:
    """Whether the table is wider than the terminal, so that some text will wrap."""
    widths = [max([len(str(c))] + [len(row[j]) for row in cells]) for j, c in enumerate(frame)]
    return sum(w + 3 for w in widths) + 1 > out.width


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.4g}"
    return str(value)


@data_app.command("check")
def data_check(
    folder: Annotated[str, typer.Argument(help="bundled pack name or pack folder to validate")],
) -> None:
    """Validate a pack folder: every table, row and reference. Exit code 2 on any problem."""
    from mineralflow.data.pack import load_pack  # noqa: PLC0415

    pack = load_pack(folder)  # read and checked once; PackError lists every problem
    rows = sum(len(t) for t in pack.tables.values())
    out.print(
        _styled(
            "green",
            "ok",
            f" {folder}: pack '{pack.name}', {len(pack.tables)} tables, "
            f"{rows} rows, every row sourced",
        )
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
    from mineralflow.data.pack import load_pack  # noqa: PLC0415
    from mineralflow.data.schema import TABLES_BY_NAME  # noqa: PLC0415

    loaded = load_pack(pack)
    if table not in loaded.tables:
        loaded.table(table)  # raises a SelectionError naming the tables
    columns = TABLES_BY_NAME[table].column_names
    filters = {"stage": stage, "year": year, "region": region}
    for name, value in filters.items():
        if value is not None and name not in columns:
            raise SelectionError(f"table '{table}' has no column '{name}'; drop --{name}")
    frame = loaded.select(table, edition=edition, latest=not all_editions, **filters)
    if frame.empty:
        raise SelectionError(_nothing_matched(loaded.table(table), table, filters))
    if as_json:
        sys.stdout.write(json.dumps(_records(frame), indent=1, ensure_ascii=False) + "\n")
        return
    given = {k: v for k, v in filters.items() if v is not None}
    kept = "".join(f", {k} {v}" for k, v in given.items())  # one value each: in the title
    title = f"{loaded.name}: {table}{kept} ({len(frame)} rows)"
    _print_frame(frame.drop(columns=list(given)), title)


def _nothing_matched(frame: pd.DataFrame, table: str, filters: dict[str, Any]) -> str:
    """Why ``data show`` has no row to show: the filters given and the values each allows."""
    given = {k: v for k, v in filters.items() if v is not None}
    if not given:
        return f"table '{table}' has no rows"
    parts = []
    for name, value in given.items():
        known = sorted(frame[name].dropna().unique().tolist())
        if name == "year" and known:
            allowed = f"{known[0]}-{known[-1]}" if len(known) > 12 else ", ".join(map(str, known))
        else:
            allowed = ", ".join(map(str, known[:20])) + (", ..." if len(known) > 20 else "")
        parts.append(f"--{name} {value} (in the table: {allowed or 'none'})")
    return f"no row of table '{table}' matches " + " and ".join(parts)


@data_app.command("sources")
def data_sources(
    pack: PackOption = "rare_earths",
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """List the publications behind a pack, with how many rows cite each."""
    from mineralflow.data.pack import load_pack  # noqa: PLC0415
    from mineralflow.data.schema import CONFIDENCE_CODES  # noqa: PLC0415

    loaded = load_pack(pack)
    sources = loaded.table("sources").copy()
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
    import pandas as pd  # noqa: PLC0415

    from mineralflow.data.schema import TABLES, TABLES_BY_NAME  # noqa: PLC0415
    from mineralflow.data.validate import suggest  # noqa: PLC0415

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
    from mineralflow.data.pack import bundled_packs, load_pack  # noqa: PLC0415

    for name in bundled_packs():
        manifest = load_pack(name).manifest
        out.print(
            _styled(
                "bold",
                name,
                f": {manifest.title} (version {manifest.version}) - {manifest.description}",
            )
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
    from mineralflow.data.pack import bundled_packs, load_pack  # noqa: PLC0415
    from mineralflow.metrics.shares import stage_shares  # noqa: PLC0415

    for name in pack or bundled_packs():
        loaded = load_pack(name)
        out.rule(_styled("bold", loaded.manifest.title, f" ({loaded.name})"))
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


StoreOption = Annotated[
    Path | None,
    typer.Option(
        "--store", help=f"results store folder (default: ${STORE_ENV} or the user data folder)"
    ),
]


def _execute(
    spec: Scenario, store: ResultsStore | None, refresh: bool, cache: CalibrationCache
) -> RunResult:
    """Run ``spec`` (with a progress bar), or read it from the store when it ran before."""
    from rich.markup import escape  # noqa: PLC0415
    from rich.progress import Progress, TaskID  # noqa: PLC0415

    from mineralflow.api import simulate  # noqa: PLC0415

    with Progress(console=err, transient=True) as progress:
        tasks: dict[str, TaskID] = {}

        def tick(name: str, _year: int, total: int) -> None:
            if name not in tasks:
                tasks[name] = progress.add_task(escape(f"{spec.name}: {name}"), total=total)
            progress.advance(tasks[name])

        return simulate(
            spec,
            store=False if store is None else store,
            refresh=refresh,
            cache=cache,
            progress=tick,
        )


@app.command("run")
def run_scenario(
    scenario: Annotated[str, typer.Argument(help="bundled scenario name or a scenario .yaml file")],
    export: Annotated[
        Path | None, typer.Option("--export", help="folder to write the results into")
    ] = None,
    fmt: Annotated[
        list[str] | None,
        typer.Option(
            "--format", "-f", help=f"export format(s): {', '.join(FORMATS)} (default csv)"
        ),
    ] = None,
    store: StoreOption = None,
    no_store: Annotated[bool, typer.Option("--no-store", help="neither read nor record")] = False,
    refresh: Annotated[bool, typer.Option("--refresh", help="solve even if stored")] = False,
) -> None:
    """Run a scenario through the market model, record it and summarise (or export) it."""
    from mineralflow.data.validate import suggest  # noqa: PLC0415
    from mineralflow.files import check_folder  # noqa: PLC0415
    from mineralflow.iamc import export_results  # noqa: PLC0415
    from mineralflow.scenario.execute import CalibrationCache  # noqa: PLC0415
    from mineralflow.scenario.loading import load_scenario  # noqa: PLC0415

    if export is not None:
        check_folder(export, "export")  # before the run, not after it
    spec = load_scenario(scenario)
    formats = fmt or ["csv"]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise SelectionError(
            f"unknown format '{unknown[0]}'{suggest(unknown[0], FORMATS)}; formats: "
            f"{', '.join(FORMATS)}"
        )
    opened = None
    if not no_store:
        from mineralflow.store import ResultsStore  # noqa: PLC0415

        opened = ResultsStore(store)
    try:
        result = _execute(spec, opened, refresh, CalibrationCache())
    finally:
        if opened is not None:
            opened.close()
    if export is not None:
        meta = {"description": spec.description}
        exported = export_results(result.frame, export, formats, meta=meta)
        for path in exported.written:
            out.print(f"wrote {path}")
        for path in exported.removed:
            out.print(f"removed {path}, written by an earlier export (another format)")
    _print_run_summary(spec, result)


def _print_run_summary(spec: Scenario, result: RunResult) -> None:
    """World production by stage, a hindcast's price multiples, and where the run came from."""
    from mineralflow.validation import price_multiples  # noqa: PLC0415

    tables = result.tables
    output = tables.stage_output()
    for commodity in tables.commodities:
        part = output[output["commodity"] == commodity]
        world = part.groupby(["year", "stage"], sort=False)["value"].sum().unstack("stage")
        world = world[[st for st in tables.stages(commodity) if st in world.columns]]
        units = part.groupby("stage")["unit"].first()
        world.columns = [
            f"{tables.label(commodity, 'stage', str(c))} ({units[c]})" for c in world.columns
        ]
        name = tables.label(commodity, "commodity", commodity).lower()
        _print_frame(world.reset_index(), f"{spec.name}: world production of {name}")
    run = result.runs.get(spec.packs[0])
    base = spec.years[0] if run is None else run.years[0]
    if run is not None and base < run.pack.manifest.base_year and "elements" in run.pack.tables:
        checked = [p for p in ("Nd", "Dy", "La", "Ce") if p in run.network.products.index]
        multiples = price_multiples(run, checked, base, spec.years[1]).round(2)
        _print_frame(multiples, f"{spec.name}: price multiples {spec.years[1]}/{base}")
    if result.from_store:
        out.print(f"served from the results store (run {result.run_id}); --refresh solves again")
    else:
        out.print(
            f"{result.years_solved} years solved in {result.wall_seconds:.2f} s "
            f"({result.solver_seconds:.2f} s in HiGHS)"
            + (f"; recorded as run {result.run_id}" if result.run_id else "")
        )


@app.command("ensemble")
def ensemble(
    scenario: Annotated[str, typer.Argument(help="bundled scenario name or a scenario .yaml file")],
    draws: Annotated[int, typer.Option("--draws", "-n", help="members to run")] = 100,
    workers: Annotated[int, typer.Option("--workers", "-w", help="worker processes")] = 1,
    seed: Annotated[int, typer.Option("--seed", help="seed of the draws")] = 0,
    method: Annotated[
        str,
        typer.Option("--method", help="mc (Monte Carlo), sobol or morris (with indices)"),
    ] = "mc",
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="a Dask scheduler's address, or local:K for a local cluster of K workers",
        ),
    ] = None,
    export: Annotated[
        Path | None,
        typer.Option("--export", help="folder for the quantiles (IAMC csv) and the draws"),
    ] = None,
    report_file: Annotated[
        Path | None,
        typer.Option("--report", help="write the HTML report with ranges and fan charts"),
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="report language: en or zh")] = "en",
    store: StoreOption = None,
    no_store: Annotated[bool, typer.Option("--no-store", help="neither read nor record")] = False,
    refresh: Annotated[bool, typer.Option("--refresh", help="run even if stored")] = False,
) -> None:
    """Run a scenario many times over its packs' uncertain estimates (uncertainty.csv) and
    print the headline ranges: median and 5-95 % band."""

    from mineralflow.api import ensemble as run_ensemble  # noqa: PLC0415
    from mineralflow.files import check_folder  # noqa: PLC0415
    from mineralflow.scenario.loading import load_scenario  # noqa: PLC0415
    from mineralflow.uncertainty.report import export_ensemble  # noqa: PLC0415

    if export is not None:
        check_folder(export, "export")
    if report_file is not None:
        lang = _check_report_target(report_file, lang)
    spec = load_scenario(scenario)
    started = time.perf_counter()
    with _ensemble_progress(spec.name, draws) as tick:
        result = run_ensemble(spec, draws, seed=seed, workers=workers, method=method,
                              scheduler=scheduler, progress=tick,
                              store=False if no_store else store, refresh=refresh)  # fmt: skip
    _print_ensemble(spec.name, result)
    if export is not None:
        for path in export_ensemble(result, export):
            out.print(f"wrote {path}")
    if report_file is not None and result.central_run is not None:
        from mineralflow.api import report as write_report  # noqa: PLC0415

        out.print(
            f"wrote {write_report(result.central_run, report_file, lang=lang, ensemble=result)}"
        )
    _print_where(result, scheduler or f"{workers} worker(s)", time.perf_counter() - started)


def _print_where(result: Ensemble, where: str, seconds: float) -> None:
    """Whether the ensemble was served from the store, or how long its members took."""
    if result.stored_quantiles is not None and result.central_run is not None:
        out.print(f"served from the results store (ensemble {result.central_run.run_id}); "
                  "--refresh runs it again")  # fmt: skip
    else:
        out.print(f"{result.draws} members in {seconds:.1f} s on {where}")


@contextlib.contextmanager
def _ensemble_progress(name: str, draws: int) -> Iterator[Callable[[int, int], None]]:
    """A progress bar of members done, with draws per second and the time left."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn  # noqa: PLC0415

    columns = (TextColumn("{task.description}"), BarColumn(),
               TextColumn("{task.completed}/{task.total} draws, {task.fields[rate]}"),
               TimeRemainingColumn())  # fmt: skip
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(name, total=draws, rate="")
        started = time.perf_counter()

        def tick(done: int, total: int) -> None:
            rate = done / max(time.perf_counter() - started, 1e-9)
            bar.update(task, completed=done, total=total, rate=f"{rate:.2f} draws/s")

        yield tick


def _print_ensemble(name: str, result: Ensemble) -> None:
    """The headline ranges, what drives them (a Sobol or Morris design), failed members."""
    from mineralflow.uncertainty.report import drivers, headline  # noqa: PLC0415

    members = result.draws
    _print_frame(headline(result), f"{name}: median and 5-95 % range of {members} members")
    if result.method != "mc":
        _print_frame(drivers(result), f"{name}: what drives the headline values ({result.method})")
    if result.failed:
        first = next(iter(result.failed.items()))
        out.print(f"{len(result.failed)} of {members} members could not be solved and are left "
                  f"out (draw {first[0]}: {first[1]})")  # fmt: skip


def _check_report_target(target: Path, lang: str) -> str:
    """A report language and file name are checked before any member runs; the language."""
    from mineralflow.files import check_target  # noqa: PLC0415
    from mineralflow.reporting.html import SUFFIXES  # noqa: PLC0415
    from mineralflow.reporting.i18n import check_language  # noqa: PLC0415

    lang = check_language(lang)
    check_target(target, "report file", SUFFIXES)
    return lang


@app.command("validate")
def validate(
    as_json: Annotated[bool, typer.Option("--json", help="every check as JSON")] = False,
    markdown: Annotated[
        bool, typer.Option("--markdown", help="the table of docs/validation.md")
    ] = False,
    failing: Annotated[bool, typer.Option("--failing", help="only the failing checks")] = False,
) -> None:
    """The validation scorecard: the base year, the 2025 replay and the 2010-2011 hindcast
    against every published figure in the packs, one row per check."""
    import pandas as pd  # noqa: PLC0415

    from mineralflow.scorecard import card  # noqa: PLC0415

    with err.status("running the baseline, history-2025 and hindcast-2010"):
        table = card.scorecard()
    shown = table[~table["passed"]] if failing else table
    if as_json:
        totals = card.summary(table)
        doc = {"summary": _records(totals), "checks": _records(shown)}
        sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        return
    if markdown:
        sys.stdout.write(card.markdown(shown))
        return
    for (section, commodity), part in shown.groupby(["section", "commodity"], sort=False):
        what = part["metric"] + ": " + part["region"] + " " + part["item"]
        compact = pd.DataFrame(
            {
                "result": part["passed"].map({True: "pass", False: "FAIL"}),
                "check": what + " " + part["year"].astype(str),
                "published": part["published"],
                "model": part["model"],
                "unit": part["unit"],
                "tolerance": part["tolerance"],
            }
        )
        _print_frame(compact, f"{section}: {commodity}")
    reasons = shown.loc[~shown["passed"]].groupby("reason", sort=False).size()
    for reason, count in reasons.items():
        out.print(f"{count} failing: {reason}")
    _print_frame(card.summary(table), "checks passed by section")


@scenario_app.command("list")
def scenario_list() -> None:
    """The bundled scenarios and what each represents."""
    import pandas as pd  # noqa: PLC0415

    from mineralflow.scenario.loading import bundled_scenarios, load_scenario  # noqa: PLC0415

    rows = []
    for name in bundled_scenarios():
        spec = load_scenario(name)
        first = spec.description.split(". ")[0].rstrip(".") + "."
        rows.append(
            {
                "scenario": name,
                "packs": "+".join(spec.packs),
                "years": f"{spec.years[0]}-{spec.years[1]}",
                "levers": len(spec.levers),
                "what it represents": first,
            }
        )
    _print_frame(pd.DataFrame(rows), "bundled scenarios")


@scenario_app.command("show")
def scenario_show(
    scenario: Annotated[str, typer.Argument(help="bundled scenario name or a .yaml file")],
    as_yaml: Annotated[
        bool, typer.Option("--yaml", help="print the resolved scenario as YAML")
    ] = False,
) -> None:
    """A scenario after inheritance: its description, packs, years, levers and sources."""
    import pandas as pd  # noqa: PLC0415
    import yaml  # noqa: PLC0415

    from mineralflow.scenario.loading import load_scenario  # noqa: PLC0415

    spec = load_scenario(scenario)
    if as_yaml:
        data = spec.model_dump(mode="json", by_alias=True, exclude_none=True)
        sys.stdout.write(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
        return
    out.rule(Text(spec.name, style="bold"))
    out.print(spec.description)
    out.print(
        f"packs: {', '.join(spec.packs)}; years {spec.years[0]}-{spec.years[1]}"
        + (f"; inherits {spec.base}" if spec.base else "")
    )
    if spec.levers:
        levers = pd.DataFrame(
            [
                {"#": i, "lever": lev.summary(), "note": lev.note or ""}
                for i, lev in enumerate(spec.levers)
            ]
        )
        _print_frame(levers, "levers")
    for source in spec.sources:
        out.print(f"  source: {source}")


@scenario_app.command("validate")
def scenario_validate(
    files: Annotated[list[str], typer.Argument(help="scenario names or .yaml files")],
) -> None:
    """Check scenario files against the schema and their packs, without solving."""
    from mineralflow.scenario.execute import CalibrationCache, check_scenario  # noqa: PLC0415
    from mineralflow.scenario.loading import load_scenario  # noqa: PLC0415

    cache = CalibrationCache()
    for name in files:
        spec = load_scenario(name)
        check_scenario(spec, cache)
        out.print(
            _styled(
                "green",
                "ok",
                f" {name}: scenario '{spec.name}', {len(spec.levers)} lever(s), "
                f"packs {', '.join(spec.packs)}, years {spec.years[0]}-{spec.years[1]}",
            )
        )


@scenario_app.command("schema")
def scenario_schema(
    output: Annotated[Path | None, typer.Option("--out", help="write to this file")] = None,
) -> None:
    """The JSON Schema of scenario files, for editors (YAML language servers)."""
    from mineralflow.scenario.schema import scenario_json_schema  # noqa: PLC0415

    text = json.dumps(scenario_json_schema(), indent=2) + "\n"
    if output is None:
        sys.stdout.write(text)
        return
    from mineralflow.files import write_text_file  # noqa: PLC0415

    out.print(f"wrote {write_text_file(text, output, 'schema file', ('.json',))}")


def _tables_of(name: str, store: ResultsStore, cache: CalibrationCache) -> tuple[str, Tables]:
    """A run id from the store, or a scenario name or file (run or read from the store)."""
    from mineralflow.scenario.loading import load_scenario  # noqa: PLC0415
    from mineralflow.store import StoreError  # noqa: PLC0415

    looks_like_id = len(name) >= 4 and all(c in "0123456789abcdef" for c in name)
    if looks_like_id and not Path(name).exists():
        try:
            run_id = store.resolve_id(name)
        except StoreError:
            pass
        else:
            return f"{store.get(run_id).scenario} ({run_id})", store.tables(run_id)[0]
    spec = load_scenario(name)
    result = _execute(spec, store, False, cache)
    return spec.name, result.tables


@app.command("compare")
def compare_runs(
    a: Annotated[str, typer.Argument(help="scenario name, .yaml file or stored run id")],
    b: Annotated[str, typer.Argument(help="the run to compare against A")],
    years: Annotated[
        list[int] | None,
        typer.Option("--year", "-y", help="year(s) to show (default: 5-year steps)"),
    ] = None,
    top: Annotated[int, typer.Option(help="series shown per measure", min=1)] = 8,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON records")] = False,
    store: StoreOption = None,
    draws: Annotated[
        int | None,
        typer.Option("--draws", "-n", help="also the changes' ranges over paired ensembles"),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="seed of the paired draws")] = 0,
    workers: Annotated[int, typer.Option("--workers", "-w", help="worker processes")] = 1,
) -> None:
    """Key differences between two runs by year: shares, prices, shortages, import reliance;
    with --draws, the median and 5-95 % range of each headline change over paired members."""
    from mineralflow.comparison import GROUPS, compare  # noqa: PLC0415
    from mineralflow.reporting.findings import horizon_sentences  # noqa: PLC0415
    from mineralflow.scenario.execute import CalibrationCache  # noqa: PLC0415
    from mineralflow.store import ResultsStore  # noqa: PLC0415

    if draws is not None and not 1 <= draws <= 1_000_000:
        raise SelectionError(f"--draws: {draws} is not allowed; allowed: 1 to 1,000,000")
    cache = CalibrationCache()
    with ResultsStore(store) as opened:
        name_a, tables_a = _tables_of(a, opened, cache)
        name_b, tables_b = _tables_of(b, opened, cache)
    table = compare(tables_a, tables_b, years, top)
    if as_json:
        sys.stdout.write(json.dumps(_records(table), indent=1) + "\n")
        return
    out.print(f"A = {name_a}, B = {name_b}; cells show A→B")
    if name_b == "baseline" and name_a != "baseline":
        out.print("B is the baseline, so changes read from A to the baseline; give the baseline "
                  "first to read A against it")  # fmt: skip
    for group in GROUPS:
        part = table[table["group"] == group]
        if part.empty:
            out.print(f"{group}: no difference")
            continue
        _print_frame(_compare_cells(part, group), group)
        if group == "import reliance" and (part[["a", "b"]] < 0).to_numpy().any():
            out.print(f"{NET_EXPORTER}: net exporter (as USGS writes it)")
    intro, sentences, _ = horizon_sentences(tables_b, tables_a, name_a, "en", name_b)
    if sentences:
        out.print(intro)
        for sentence in sentences:
            out.print(f"- {sentence}")
    if draws is not None:
        _print_paired((a, b), draws, seed, workers, years, store)


#: how USGS's Mineral Commodity Summaries write a net exporter's import reliance
NET_EXPORTER = "E"


def _compare_value(value: float, group: str) -> str:
    """A compared value as USGS writes it: a negative import reliance is E, net exporter."""
    if group == "import reliance" and value < 0:
        return NET_EXPORTER
    return _fmt(value)


def _compare_cells(part: pd.DataFrame, group: str) -> pd.DataFrame:
    """One group of a comparison, a row per series and a column per year, in year order;
    each cell 'A→B'."""
    cells = part.assign(
        variable=part["name"],
        cell=[
            f"{_compare_value(x, group)}→{_compare_value(y, group)}"
            for x, y in zip(part["a"], part["b"], strict=True)
        ],
    )
    pivot = cells.pivot_table(
        index=["variable", "region", "unit"], columns="year", values="cell",
        aggfunc="first", sort=False,
    )  # fmt: skip
    pivot = pivot[sorted(pivot.columns)].reset_index()
    pivot.columns = [str(c) for c in pivot.columns]
    return pivot


def _print_paired(
    names: tuple[str, str],
    draws: int,
    seed: int,
    workers: int,
    years: list[int] | None,
    store: Path | None,
) -> None:
    """The headline changes from A to B over paired ensembles (recorded in the store and
    served from it like any ensemble)."""
    from mineralflow.api import ensemble  # noqa: PLC0415
    from mineralflow.scenario.loading import load_scenario  # noqa: PLC0415
    from mineralflow.uncertainty.paired import paired_changes  # noqa: PLC0415

    specs = [load_scenario(n) for n in names]
    runs = []
    for spec in specs:
        with _ensemble_progress(spec.name, draws) as tick:
            runs.append(ensemble(spec, draws, seed=seed, workers=workers, store=store,
                                 progress=tick))  # fmt: skip
    known = sorted({int(y) for y in runs[1].index.get_level_values("year")})
    shown = years or sorted({y for y in known if y in (2030, 2035)} | {known[-1]})
    table = paired_changes(runs[0], runs[1], shown)
    table = table[(table["low"].abs() > 1e-6) | (table["high"].abs() > 1e-6)]  # unchanged
    table["variable"] = table["variable"].str.replace("|", " · ", regex=False)
    table["range"] = [f"{lo + 0.0:,.2f} to {hi + 0.0:,.2f}"
                      for lo, hi in zip(table["low"].round(2), table["high"].round(2),
                                        strict=True)]  # fmt: skip
    table = table.drop(columns=["low", "high"]).round({"a": 1, "b": 1, "change": 2})
    _print_frame(table, f"change from A to B over {runs[0].draws} paired members: median and "
                        "5-95 % range (values no member changes are left out)")  # fmt: skip


@app.command("report")
def report(
    scenario: Annotated[str, typer.Argument(help="bundled scenario name or a scenario .yaml file")],
    out_file: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write")],
    base: Annotated[
        str | None,
        typer.Option("--compare", help="scenario (name, file or stored run id) to compare with"),
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="language: en or zh (zh-CN)")] = "en",
    store: StoreOption = None,
) -> None:
    """One self-contained HTML report (works offline): findings, charts, tables, sources."""
    from mineralflow.data.pack import load_pack  # noqa: PLC0415
    from mineralflow.files import check_target  # noqa: PLC0415
    from mineralflow.reporting import html as report_html  # noqa: PLC0415
    from mineralflow.reporting.i18n import check_language  # noqa: PLC0415
    from mineralflow.scenario.execute import CalibrationCache  # noqa: PLC0415
    from mineralflow.scenario.loading import load_scenario  # noqa: PLC0415
    from mineralflow.store import ResultsStore  # noqa: PLC0415

    lang = check_language(lang)
    check_target(out_file, "report file", report_html.SUFFIXES)  # before the run
    spec = load_scenario(scenario)
    cache = CalibrationCache()
    with ResultsStore(store) as opened:
        tables = _execute(spec, opened, False, cache).tables
        base_name, base_tables = ("", None)
        if base is not None:
            base_name, base_tables = _tables_of(base, opened, cache)
    packs = [load_pack(p) for p in spec.packs]
    document = report_html.build(
        spec.name,
        spec.description_in(lang),
        tables,
        packs,
        lang,
        base=base_tables,
        base_name=base_name,
    )
    written = report_html.write(document, out_file)
    size = written.stat().st_size / 1e6
    out.print(f"report written to {written} ({size:.1f} MB, {lang})")


@runs_app.command("list")
def runs_list(store: StoreOption = None) -> None:
    """The runs in the results store, newest first."""
    from mineralflow.store import ResultsStore  # noqa: PLC0415

    with ResultsStore(store) as opened:
        table = opened.list()
        damaged = opened.damaged()
        out.print(f"results store: {opened.path}")
    if damaged:
        err.print(
            f"{len(damaged)} run(s) in the store are incomplete or damaged "
            f"({', '.join(damaged[:5])}); 'mineralflow runs repair' removes them"
        )
    if table.empty:
        out.print("no runs yet; 'mineralflow run SCENARIO' records one")
        return
    table["created"] = table["created"].astype(str).str[:19]
    _print_frame(table, f"{len(table)} run(s)")


@runs_app.command("show")
def runs_show(
    run_id: Annotated[str, typer.Argument(help="run id (or its first characters)")],
    store: StoreOption = None,
) -> None:
    """What a stored run was: scenario text, pack hash, code version, seed, time."""
    import yaml  # noqa: PLC0415

    from mineralflow.store import ResultsStore  # noqa: PLC0415

    with ResultsStore(store) as opened:
        full = opened.resolve_id(run_id)
        info = opened.get(full)
        frame = opened.results(full)
    out.rule(_styled("bold", f"run {info.run_id}", f": {info.scenario}"))
    out.print(
        f"created {str(info.created)[:19]} UTC; packs {info.packs} (hash "
        f"{info.pack_hash[:16]}...); code {info.code_version}; seed {info.seed}; "
        f"{info.wall_seconds:.2f} s; {info.rows} rows, years "
        f"{int(frame['year'].min())}-{int(frame['year'].max())}"
    )
    data = json.loads(info.scenario_text)
    sys.stdout.write(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


@runs_app.command("delete")
def runs_delete(
    run_ids: Annotated[list[str], typer.Argument(help="run id(s)")],
    store: StoreOption = None,
) -> None:
    """Delete runs from the results store."""
    from mineralflow.store import ResultsStore  # noqa: PLC0415

    with ResultsStore(store) as opened:
        for run_id in run_ids:
            full = opened.resolve_id(run_id)
            opened.delete(full)
            out.print(f"deleted run {full}")


@runs_app.command("repair")
def runs_repair(store: StoreOption = None) -> None:
    """Remove damaged or incomplete runs and leftovers of interrupted writes."""
    from mineralflow.store import ResultsStore  # noqa: PLC0415

    with ResultsStore(store) as opened:
        removed = opened.repair()
    if not removed:
        out.print("the store is intact; nothing removed")
    for run_id in removed:
        out.print(f"removed damaged run {run_id} (run its scenario again to record it anew)")


ArticleArgument = Annotated[
    Path, typer.Argument(help="the text to read: UTF-8 plain text, Chinese or English")
]
DateOption = Annotated[
    str | None,
    typer.Option("--date", help="the text's date, YYYY-MM-DD (default: read from its dateline)"),
]
ClaimsPackOption = Annotated[
    str, typer.Option("--pack", "-p", help="bundled pack name or a pack folder to draft for")
]
ClaimsPacksOption = Annotated[
    list[str] | None,
    typer.Option(
        "--pack", "-p",
        help="bundled pack name or pack folder to check against (repeat for several; default: "
        "every bundled pack, each claim against the pack of its commodity)",
    ),
]  # fmt: skip
VERDICT_STYLE = {
    "consistent": "green",
    "inconsistent": "bold red",
    "outdated": "yellow",
    "unverifiable": "dim",
    "plan": "cyan",
}


def _date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise MineralflowError(f"--date '{value}': give a date as YYYY-MM-DD") from None


def _checked(
    file: Path, when: str | None, pack: Pack | list[Pack] | None
) -> claims_mod.CheckedText:
    from mineralflow import claims as claims_mod  # noqa: PLC0415

    text = claims_mod.read_text(file)
    return claims_mod.check_text(text, pack, _date(when))


def _claims_table(checked: claims_mod.CheckedText) -> object:
    """One row per claim: what it says, how it was read, its verdict and reference."""
    from rich.table import Table as RichTable  # noqa: PLC0415

    table = RichTable(show_lines=True)
    for column in ("#", "claim", "reads as", "verdict", "reference", "why"):
        table.add_column(column, overflow="fold")
    for i, c in enumerate(checked.claims):
        bound = {"=": "", "~": "about ", ">": "more than ", "<": "less than "}.get(c.qualifier, "")
        if c.qualifier == "range":
            amount = f"{_fmt(c.low)} to {_fmt(c.high)}"
        else:
            amount = bound + (_fmt(c.value) if c.value is not None else "-")
        what = " ".join(
            str(p) for p in (c.region or "?", c.metric, c.basis or "", c.stage or "") if p
        )
        reads = f"{what}: {amount} {c.unit}; {c.year or 'no year'}, {c.kind}"
        ref = c.reference
        reference = (
            f"{_fmt(ref.value)} {ref.unit} ({ref.edition or ref.source_id}, {ref.year})"
            if ref is not None
            else "-"
        )
        why = "; ".join(p for p in (c.tolerance, c.note) if p)
        table.add_row(
            str(i),
            c.number_text,
            reads,
            Text(c.verdict, style=VERDICT_STYLE[c.verdict]),
            reference,
            why,
        )
    return table


@claims_app.command("check")
def claims_check(
    file: ArticleArgument,
    as_json: Annotated[
        bool, typer.Option("--json", help="a JSON list of claims on stdout")
    ] = False,
    when: DateOption = None,
    pack: ClaimsPacksOption = None,
) -> None:
    """Find every figure in the text and judge it against the pack of its commodity, with
    source and tolerance."""
    from mineralflow import claims as claims_mod  # noqa: PLC0415
    from mineralflow.data.pack import load_pack  # noqa: PLC0415

    checked = _checked(file, when, [load_pack(p) for p in pack] if pack else None)
    if as_json:
        records = [c.as_json(i) for i, c in enumerate(checked.claims)]
        sys.stdout.write(json.dumps(records, ensure_ascii=False, indent=2) + "\n")
        return
    written = checked.date.isoformat() if checked.date else "no date found (use --date)"
    out.print(
        f"{file.name}: {len(checked.claims)} claim(s), language {checked.lang}, dated "
        f"{written}, checked against {', '.join(checked.packs)}"
    )
    out.print(_claims_table(checked))
    tally = {v: sum(c.verdict == v for c in checked.claims) for v in claims_mod.VERDICTS}
    out.print(", ".join(f"{n} {v}" for v, n in tally.items() if n))
    clashes = [(i, c) for i, c in enumerate(checked.claims) if c.conflicts]
    for i, c in clashes:
        for j in c.conflicts:
            if j > i:
                other = checked.claims[j]
                out.print(
                    _styled(
                        "bold red",
                        "disagree:",
                        f" #{i} {c.number_text} and #{j} "
                        f"{other.number_text} ({c.region} {c.metric} of {c.stage}, {c.year})",
                    )
                )


@claims_app.command("scenario")
def claims_scenario(
    file: ArticleArgument,
    out_file: Annotated[
        Path | None, typer.Option("--out", "-o", help="YAML file to write (default: stdout)")
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="scenario name")] = None,
    when: DateOption = None,
    pack: ClaimsPackOption = "rare_earths",
) -> None:
    """Draft a scenario YAML from the plans in the text, for you to edit and run."""
    from mineralflow import claims as claims_mod  # noqa: PLC0415
    from mineralflow.data.pack import load_pack  # noqa: PLC0415
    from mineralflow.files import check_target  # noqa: PLC0415
    from mineralflow.scenario.loading import scenario_from_text  # noqa: PLC0415

    if out_file is not None:
        check_target(out_file, "scenario file", (".yaml", ".yml"))
    opened = load_pack(pack)
    checked = _checked(file, when, opened)
    scenario_name = name or re.sub(r"[^a-z0-9]+", "-", file.stem.lower()).strip("-") or "draft"
    text = claims_mod.draft_scenario(checked, opened, scenario_name, file.name)
    if out_file is None:
        sys.stdout.write(text)
        return
    spec = scenario_from_text(text, out_file.parent)  # a draft that would not load is not written
    written = claims_mod.write_draft(text, out_file)
    out.print(
        f"draft scenario written to {written} ({len(spec.levers)} lever(s)); "
        f"run it with: mineralflow run {written}"
    )


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="address to bind (beyond 127.0.0.1 needs a token)")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(help="port")] = 8000,
    token: Annotated[
        str | None, typer.Option(help="token every request must carry (or $MINERALFLOW_TOKEN)")
    ] = None,
    pack_folder: Annotated[
        list[Path] | None, typer.Option("--pack-folder", help="a pack folder requests may name")
    ] = None,
    workers: Annotated[int, typer.Option("--workers", "-w", help="processes solving runs")] = 1,
    store: StoreOption = None,
) -> None:
    """The dashboard (at /) and the JSON API (/api, its OpenAPI spec at /openapi.json) on
    uvicorn; runs are solved on worker processes into the results store."""
    import uvicorn  # noqa: PLC0415

    from mineralflow.web import ServeSettings, create_app  # noqa: PLC0415

    settings = ServeSettings.checked(host, port, token, store, tuple(pack_folder or ()), workers)
    out.print(f"mineralflow serving on http://{settings.host}:{settings.port} (Ctrl+C stops)")
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="warning")


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
