"""The scorecard: the bundled runs checked against every published figure the packs hold.

Sections, each with its own runs and tolerances:

- **base year** (the baseline's 2024): outputs, prices, apparent consumption, import reliance
  and import sources. Outputs and prices were fitted there (the calibration passes through
  them), so these rows check the calibration, not the model; the trade shares, consumption
  and reliance were not fitted. The largest estimated supply item of each priced product
  (a stock release, or estimated output of a stage without inputs such as unreported output)
  is bounded at a quarter of its supply.
- **baseline**: the aluminium and rare-earth baselines to 2040, no shortage above 1 % of demand.
- **replay 2025** (`history-2025`): 2025 prices, world output by stage, the direction of every
  change in output by country above 20 %, consumption and reliance; nothing of 2025 is an
  input.
- **hindcast 2010-2011** (`hindcast-2010`): the 2011/2009 export price multiples.
- **outlooks**: the baseline's shares by region and its demand growth against published
  outlooks (``outlooks.csv``, ``outlook_demand.csv``),
  which are projections, not observations: a failed row says the two disagree.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from importlib import resources

import pandas as pd

from mineralflow.dynamics import Run
from mineralflow.scenario.execute import CalibrationCache, RunResult, execute
from mineralflow.scenario.loading import load_scenario
from mineralflow.scorecard import figures
from mineralflow.scorecard.check import Check, Tolerance, frame, records, source_label
from mineralflow.tables import Tables

BASE = "base year"
BASELINE = "baseline"
REPLAY = "replay 2025"
HINDCAST = "hindcast 2010-2011"
OUTLOOKS = "outlooks"
SECTIONS = [BASE, BASELINE, REPLAY, HINDCAST, OUTLOOKS]


@dataclass(frozen=True)
class Tolerances:
    """The scorecard's tolerances (the targets the model is held to, not model parameters)."""

    fitted: float = 0.01  # base-year output: the calibration passes through it
    base_price: float = 0.05
    consumption: float = 0.05
    reliance_points: float = 3.0
    share_points: float = 10.0
    largest_source: float = 0.20  # the tonnage from an importer's largest source
    release_share: float = 25.0  # %: the largest estimated supply item of a product
    shortage_share: float = 1.0  # %: of a commodity's demand, in any year
    replay_price: float = 0.20
    replay_world: float = 0.10
    replay_consumption: float = 0.10
    replay_reliance_points: float = 5.0
    change_threshold: float = 0.20
    change_least: float = 5.0  # %: a model change smaller than this is no change
    hindcast_factor: float = 2.0
    outlook_points: float = 5.0  # points of share against a published outlook
    outlook_demand: float = 10.0  # points of demand growth against a published outlook


def _base_year(result: RunResult, tol: Tolerances) -> list[Check]:
    checks: list[Check] = []
    for run in result.runs.values():
        year = run.calibration.year
        tables = result.tables
        checks += figures.production(BASE, run, tables, year, Tolerance("relative", tol.fitted))
        checks += figures.prices(BASE, run, tables, year, Tolerance("relative", tol.base_price))
        checks += figures.consumption(
            BASE, run, tables, year, Tolerance("relative", tol.consumption)
        )
        checks += figures.reliance(BASE, run, tables, year, tol.reliance_points)
        tonnage = Tolerance("relative", tol.largest_source)
        checks += figures.import_sources(BASE, run, year, tol.share_points, tonnage)
        checks += figures.bilateral_imports(BASE, run, year, tonnage)
        checks += _estimated_item_shares(run, tables, year, tol.release_share)
    return checks


def _estimated_items(run: Run, made: pd.DataFrame, year: int) -> pd.Series:
    """t by (region, product) of the estimated supply items of ``year``: stock releases, and
    the output of stages that supply without inputs (recycled scrap, unreported output) where
    the pack's figure for it is an estimate (confidence E)."""
    items = [run.solution(year).released]
    rows = run.pack.select("production", year=year)
    estimated = rows.loc[rows["confidence"] == "E", ["region", "stage"]]
    estimated = estimated[estimated["stage"].isin(run.network.input_free_stages)]
    keys = pd.MultiIndex.from_frame(made[["region", "stage"]])
    chosen = made[keys.isin(pd.MultiIndex.from_frame(estimated))]
    items.append(chosen.groupby(["region", "product"])["value"].sum())
    return pd.concat(items).groupby(level=[0, 1]).max()


def _estimated_item_shares(run: Run, tables: Tables, year: int, bound: float) -> list[Check]:
    """The largest single estimated supply item of each priced product (a stock release or an
    estimated output without inputs), as a share of its supply; the bound is per item, so a
    product's stock release and its unreported output are checked apart."""
    made = figures.rows_of_year(tables.production, run.pack, year)
    produced = made.groupby("product")["value"].sum()
    released = run.solution(year).released
    items = _estimated_items(run, made, year)
    priced = run.pack.select("prices", year=year)
    products = sorted(set(priced["product"]) & set(run.network.products.index))
    checks = []
    for product in products:
        part = items[items.index.get_level_values(1) == product]
        supply = float(produced.get(product, 0.0))
        supply += float(released[released.index.get_level_values(1) == product].sum())
        largest = float(part.max()) if len(part) else 0.0
        share = 100 * largest / supply if supply > 0 else 0.0
        region = str(part.idxmax()[0]) if len(part) and largest > 0 else "World"
        checks.append(
            Check(
                BASE, "largest estimated supply item", run.pack.name, region, product, year,
                bound, share, "% of supply", Tolerance("max"), "bound of this scorecard",
            )
        )  # fmt: skip
    return checks


def _shortages(result: RunResult, bound: float) -> list[Check]:
    """The largest world shortage of each commodity over the run, as a share of its demand."""
    tables = result.tables
    checks = []
    for commodity in tables.commodities:
        short = tables.shortage[tables.shortage["commodity"] == commodity]
        bought = tables.consumption[tables.consumption["commodity"] == commodity]
        by_year = short.groupby("year")["value"].sum()
        demand = bought.groupby("year")["value"].sum().add(by_year, fill_value=0.0)
        share = (100 * by_year / demand).reindex(demand.index).fillna(0.0)
        year = int(share.index.to_numpy()[share.to_numpy().argmax()])
        checks.append(
            Check(
                BASELINE, "largest shortage", commodity, "World", "all sectors", year, bound,
                float(share.max()), "% of demand", Tolerance("max"), "bound of this scorecard",
            )
        )  # fmt: skip
    return checks


def _replay(result: RunResult, tol: Tolerances) -> list[Check]:
    checks: list[Check] = []
    tables = result.tables
    for run in result.runs.values():
        start, end = run.years[0], run.years[-1]
        price = Tolerance("relative", tol.replay_price)
        checks += figures.prices(REPLAY, run, tables, end, price)
        world = figures.production(
            REPLAY, run, tables, end, Tolerance("relative", tol.replay_world)
        )
        checks += [c for c in world if c.region == "WLD"]
        checks += figures.mining_changes(
            REPLAY, run, tables, start, end, tol.change_threshold, tol.change_least
        )
        checks += figures.consumption(
            REPLAY, run, tables, end, Tolerance("relative", tol.replay_consumption)
        )
        checks += figures.reliance(REPLAY, run, tables, end, tol.replay_reliance_points)
    return checks


def _hindcast(result: RunResult, tol: Tolerances) -> list[Check]:
    from mineralflow.validation import observed_price, price_multiples  # noqa: PLC0415

    checks = []
    for run in result.runs.values():
        start, end = run.years[0], run.years[-1]
        products = [p for p in ("Nd", "Dy", "Tb", "La", "Ce") if p in run.network.products.index]
        multiples = price_multiples(run, products, start, end)
        for row in records(multiples):
            observed = observed_price(run, str(row["product"]), end)
            source = _price_source(run, str(row["product"]), end) if observed else "not published"
            checks.append(
                Check(
                    HINDCAST, f"export price multiple {end}/{start}", run.pack.name, "CHN",
                    str(row["product"]), end, float(row["observed"]),
                    float(row["simulated_export"]), "x", Tolerance("factor", tol.hindcast_factor),
                    f"{source}; {row['observed_basis']}",
                )
            )  # fmt: skip
    return checks


def _price_source(run: Run, product: str, year: int) -> str:
    rows = run.pack.select("prices", year=year, product=product)
    return source_label(run.pack, str(rows["source_id"].iloc[0])) if len(rows) else ""


def reasons() -> list[tuple[str, str]]:
    """(check id pattern, reason) for the checks the model is known to fail."""
    text = resources.files("mineralflow.scorecard").joinpath("reasons.csv").read_text("utf-8")
    return [(row["check"], row["reason"]) for row in csv.DictReader(text.splitlines())]


def _reason_of(check_id: str, known: list[tuple[str, str]]) -> str:
    return next((r for pattern, r in known if fnmatchcase(check_id, pattern)), "")


def scorecard(
    tol: Tolerances | None = None, run: Callable[[str], RunResult] | None = None
) -> pd.DataFrame:
    """Run the bundled baseline, 2025 replay and hindcast, and check them (one row a check).

    ``run(name)`` solves a bundled scenario (default: :func:`execute` with one shared
    calibration cache).
    """
    tol = Tolerances() if tol is None else tol
    if run is None:
        cache = CalibrationCache()

        def run(name: str) -> RunResult:
            return execute(load_scenario(name), cache=cache)

    baseline = run("baseline")
    checks = _base_year(baseline, tol) + _shortages(baseline, tol.shortage_share)
    checks += _replay(run("history-2025"), tol)
    checks += _hindcast(run("hindcast-2010"), tol)
    for pack_run in baseline.runs.values():
        checks += figures.outlook_shares(OUTLOOKS, pack_run, baseline.tables, tol.outlook_points)
        checks += figures.outlook_demand(OUTLOOKS, pack_run, baseline.tables, tol.outlook_demand)
    known = reasons()
    recorded = {c.id: _reason_of(c.id, known) for c in checks}
    return frame(checks, {k: r for k, r in recorded.items() if r})


def summary(table: pd.DataFrame) -> pd.DataFrame:
    """Checks and passes by section."""
    grouped = table.groupby("section", sort=False)["passed"]
    out = pd.DataFrame({"checks": grouped.size(), "passed": grouped.sum()})
    out = out.reindex([s for s in SECTIONS if s in out.index])
    return out.assign(failed=out["checks"] - out["passed"]).reset_index()


def _number(value: float) -> str:
    """A figure as the scorecard prints it: thousands grouped, three significant digits."""
    if math.isnan(value):
        return "n/a"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def markdown(table: pd.DataFrame) -> str:
    """The scorecard as the Markdown table of docs/validation.md (summary, then every row)."""
    lines = ["| section | checks | passed | failed |", "|---|---|---|---|"]
    for row in records(summary(table)):
        lines.append(f"| {row['section']} | {row['checks']} | {row['passed']} | {row['failed']} |")
    lines += [
        "",
        "| section | check | commodity | region | item | year | published | model | unit "
        "| tolerance | result | source | reason |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in records(table):
        figures = [_number(float(row["published"])), _number(float(row["model"]))]
        cells = [
            row["section"], row["metric"], row["commodity"], row["region"], row["item"],
            str(row["year"]), *figures, row["unit"], row["tolerance"],
            "pass" if row["passed"] else "**fail**", row["source"], row["reason"],
        ]  # fmt: skip
        lines.append("| " + " | ".join(str(c).replace("|", "/") for c in cells) + " |")
    return "\n".join(lines) + "\n"


__all__ = ["SECTIONS", "Tolerances", "markdown", "scorecard", "summary"]
