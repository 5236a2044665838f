"""Checks of one solved year against the figures a pack publishes for it.

Each function reads one pack table (production, prices, consumption, net import reliance,
import sources) and the run's tables, and returns one check per published row. The same
functions serve the base year, where most of these figures were fitted, and the 2025 replay,
where none was.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from mineralflow.data.pack import Pack
from mineralflow.dynamics import Run
from mineralflow.errors import MineralflowError
from mineralflow.metrics.indicators import apparent_consumption, net_import_reliance
from mineralflow.network import AGGREGATES
from mineralflow.scorecard.check import Check, Tolerance, records, source_label
from mineralflow.tables import Tables


def _lookup(table: pd.DataFrame, keys: list[str]) -> dict[tuple, float]:
    """``table``'s values by the tuple of ``keys``."""
    columns = [table[k].tolist() for k in keys]
    return dict(zip(zip(*columns, strict=True), table["value"].astype(float), strict=True))


def rows_of_year(table: pd.DataFrame, pack: Pack, year: int) -> pd.DataFrame:
    """The rows of a run table for ``pack``'s commodity in ``year``."""
    return table[(table["commodity"] == pack.name) & (table["year"] == year)]


def _of_year(table: pd.DataFrame, pack: Pack, year: int, keys: list[str]) -> dict[tuple, float]:
    """The values of a run table for ``pack``'s commodity in ``year``, by ``keys``."""
    return _lookup(rows_of_year(table, pack, year), keys)


def _unit(pack: Pack, stage: str) -> str:
    stages = pack.table("stages")
    return str(stages.loc[stages["stage"] == stage, "unit"].iloc[0])


def production(
    section: str, run: Run, tables: Tables, year: int, tolerance: Tolerance
) -> list[Check]:
    """Output by country and stage, and the world total of each stage."""
    pack = run.pack
    rows = pack.select("production", year=year)
    model = _of_year(tables.stage_output(), pack, year, ["region", "stage"])
    world: dict[str, float] = {}
    for (_, stage), value in model.items():
        world[stage] = world.get(stage, 0.0) + value
    checks = []
    for row in records(rows):
        region, stage = str(row["region"]), str(row["stage"])
        value = float(world.get(stage, 0.0)) if region == "WLD" else model.get((region, stage), 0.0)
        checks.append(
            Check(
                section, "production", pack.name, region, stage, year, float(row["value"]), value,
                _unit(pack, stage), tolerance, source_label(pack, str(row["source_id"])),
            )
        )  # fmt: skip
    return checks


def price_market(run: Run, product: str, market: str) -> str:
    """The model region a published price refers to: ``WLD`` is the main producer's market."""
    if market != "WLD":
        return market
    stage = str(run.network.products.loc[product, "stage"])
    return run.calibration.anchor[stage]


def prices(section: str, run: Run, tables: Tables, year: int, tolerance: Tolerance) -> list[Check]:
    """Annual-average prices at their reference market."""
    pack = run.pack
    rows = pack.select("prices", year=year)
    rows = rows[rows["basis"] == "annual average"]
    model = _of_year(tables.prices, pack, year, ["region", "product"])
    checks = []
    for row in records(rows):
        product = str(row["product"])
        if product not in run.network.products.index:
            continue
        region = price_market(run, product, str(row["market"]))
        checks.append(
            Check(
                section, "price", pack.name, region, product, year, float(row["value"]),
                model.get((region, product), float("nan")), "USD/kg", tolerance,
                source_label(pack, str(row["source_id"])),
            )
        )  # fmt: skip
    return checks


def consumption(
    section: str, run: Run, tables: Tables, year: int, tolerance: Tolerance
) -> list[Check]:
    """Apparent consumption by region and stage (USGS: production + net imports + stock draw)."""
    pack = run.pack
    if "consumption" not in pack.tables:
        return []
    model = _of_year(apparent_consumption(tables), pack, year, ["region", "stage"])
    checks = []
    for row in records(pack.select("consumption", year=year)):
        region, stage = str(row["region"]), str(row["stage"])
        checks.append(
            Check(
                section, "apparent consumption", pack.name, region, stage, year,
                float(row["value"]), model.get((region, stage), 0.0), _unit(pack, stage),
                tolerance, source_label(pack, str(row["source_id"])),
            )
        )  # fmt: skip
    return checks


def reliance(section: str, run: Run, tables: Tables, year: int, points: float) -> list[Check]:
    """Net import reliance (%): a value within ``points``, a bound, or 'net exporter'."""
    pack = run.pack
    if "net_import_reliance" not in pack.tables:
        return []
    model = _of_year(net_import_reliance(tables), pack, year, ["region", "stage"])
    checks = []
    for row in records(pack.select("net_import_reliance", year=year)):
        qualifier = str(row["qualifier"])
        tolerance = {
            "=": Tolerance("points", points),
            ">": Tolerance("min"),
            "<": Tolerance("max"),
            "E": Tolerance("below"),
        }[qualifier]
        published = 0.0 if qualifier == "E" else float(row["value"])
        value = model.get((str(row["region"]), str(row["stage"])), float("nan"))
        checks.append(
            Check(
                section, "net import reliance", pack.name, str(row["region"]), str(row["stage"]),
                year, published, value, "%", tolerance, source_label(pack, str(row["source_id"])),
            )
        )  # fmt: skip
    return checks


def _imports_by_origin(run: Run, year: int, importer: str, stage: str) -> pd.Series:
    """t of ``stage``'s products shipped to ``importer`` in ``year``, by exporter."""
    trade = run.solution(year).trade
    frame = trade.rename("value").reset_index()
    stage_of = run.network.products["stage"]
    keep = (frame["importer"] == importer) & (frame["product"].map(stage_of) == stage)
    return frame[keep].groupby("exporter")["value"].sum()


#: the columns that identify one published split of a region's imports by source
SPLIT = ["importer", "stage", "period_start", "period_end", "source_id"]


def import_sources(
    section: str, run: Run, year: int, points: float, tonnage: Tolerance
) -> list[Check]:
    """Each exporter's share of a region's imports (%), published for the period ending in
    ``year``, against the model's share in ``year``; and the tonnage from the largest source
    within ``tonnage``."""
    pack = run.pack
    if "import_sources" not in pack.tables:
        return []
    rows = pack.select("import_sources")
    rows = rows[rows["period_end"] == year]
    largest = {str(i): _largest(rows, str(i)) for i in set(rows["importer"])}
    checks = []
    for row in records(rows):
        origins = _imports_by_origin(run, year, str(row["importer"]), str(row["stage"]))
        total = float(origins.sum())
        # the rest of the world of one published split: every exporter it does not name
        same = (rows[SPLIT] == pd.Series({k: row[k] for k in SPLIT})).all(axis=1)
        known = set(rows.loc[same, "exporter"]) - {"ROW"}
        exporter = str(row["exporter"])
        amount = (
            float(origins[~origins.index.isin(known)].sum())
            if exporter == "ROW"
            else float(origins.get(exporter, 0.0))
        )
        share = 100 * amount / total if total > 0 else float("nan")
        if exporter == largest[str(row["importer"])]:
            checks += _largest_source(section, run, row, amount, tonnage)
        checks.append(
            Check(
                section,
                f"share of imports into {row['importer']}, "
                f"{row['period_start']}-{row['period_end']}",
                pack.name, exporter,
                str(row["stage"]), year, 100 * float(row["share"]), share, "%",
                Tolerance("points", points),
                f"{source_label(pack, str(row['source_id']))}, "
                f"{row['period_start']}-{row['period_end']}",
            )
        )  # fmt: skip
    return checks


def _largest(rows: pd.DataFrame, importer: str) -> str:
    """The exporter with the largest published share of ``importer``'s imports (not ROW)."""
    part = rows[(rows["importer"] == importer) & (rows["exporter"] != "ROW")]
    return str(part.sort_values("share", kind="stable")["exporter"].iloc[-1])


def _largest_source(
    section: str, run: Run, row: dict[str, Any], amount: float, tolerance: Tolerance
) -> list[Check]:
    """The tonnage from the largest source: its published share of the published imports
    in the last year of the share's period, where the pair's tonnage itself is not published."""
    pack, year = run.pack, int(row["period_end"])
    if "trade" not in pack.tables:
        return []
    pairs = _bilateral_rows(pack, year)
    same = (pairs["exporter"] == row["exporter"]) & (pairs["importer"] == row["importer"])
    if (same & (pairs["stage"] == row["stage"])).any():
        return []  # the pair's published tonnage is checked as it is (bilateral_imports)
    trade = pack.select("trade", year=year)
    total = trade[
        (trade["exporter"] == "WLD")
        & (trade["importer"] == row["importer"])
        & (trade["stage"] == row["stage"])
    ]
    if total.empty:
        return []
    published = float(row["share"]) * float(total["value"].iloc[0])
    source = source_label(pack, str(total["source_id"].iloc[0]))
    return [
        Check(
            section, f"imports into {row['importer']} from its largest source", pack.name,
            str(row["exporter"]), str(row["stage"]), year, published, amount,
            _unit(pack, str(row["stage"])), tolerance,
            f"{source}: imports, times the {row['period_start']}-{row['period_end']} share",
        )
    ]  # fmt: skip


def _bilateral_rows(pack: Pack, year: int) -> pd.DataFrame:
    """The pack's published trade of ``year`` between two named regions (no WLD total)."""
    if "trade" not in pack.tables:
        return pd.DataFrame(columns=["exporter", "importer", "stage"])
    trade = pack.select("trade", year=year)
    return trade[(trade["exporter"] != "WLD") & (trade["importer"] != "WLD")]


def bilateral_imports(section: str, run: Run, year: int, tolerance: Tolerance) -> list[Check]:
    """Every published tonnage shipped from one region to another in ``year``."""
    pack = run.pack
    checks = []
    for row in records(_bilateral_rows(pack, year)):
        importer, exporter, stage = str(row["importer"]), str(row["exporter"]), str(row["stage"])
        origins = _imports_by_origin(run, year, importer, stage)
        checks.append(
            Check(
                section, f"imports into {importer}", pack.name, exporter, stage, year,
                float(row["value"]), float(origins.get(exporter, 0.0)), _unit(pack, stage),
                tolerance, source_label(pack, str(row["source_id"])),
            )
        )  # fmt: skip
    return checks


def mining_changes(
    section: str, run: Run, tables: Tables, start: int, end: int, threshold: float, least: float
) -> list[Check]:
    """The direction of every change in output by country from ``start`` to ``end`` that the
    pack's latest edition puts above ``threshold`` (a share) at any stage; the model's change
    must be at least ``least`` % to count."""
    pack = run.pack
    rows = pack.select("production")
    rows = rows[rows["year"].isin([start, end]) & ~rows["region"].isin(AGGREGATES)]
    table = rows.pivot_table(index=["region", "stage"], columns="year", values="value")
    if start not in table or end not in table:
        return []
    table = table.dropna().reset_index()
    output = tables.stage_output()
    output = output[output["commodity"] == pack.name]
    model = _lookup(output, ["region", "stage", "year"])
    sources = rows[rows["year"] == end].set_index(["region", "stage"])["source_id"]
    checks = []
    for row in records(table):
        region, stage = str(row["region"]), str(row["stage"])
        first, last = float(row[start]), float(row[end])
        if first <= 0 or abs(last / first - 1) <= threshold:
            continue
        before = model.get((region, stage, start), 0.0)
        after = model.get((region, stage, end), 0.0)
        change = 100 * (after / before - 1) if before > 0 else float("nan")
        checks.append(
            Check(
                section, f"change in production {start}-{end}", pack.name, region,
                stage, end, 100 * (last / first - 1), float(np.round(change, 6)), "% change",
                Tolerance("direction", least), source_label(pack, str(sources[(region, stage)])),
            )
        )  # fmt: skip
    return checks


def _element_content(
    run: Run, tables: Tables, stage: str, elements: list[str], year: int
) -> pd.Series:
    """t of ``elements`` in ``stage``'s output by region in ``year``: mined concentrate times
    its deposit's composition, or the oxides themselves at the element stages (recycled
    scrap and unreported output left out, as in published statistics)."""
    made = rows_of_year(tables.production, run.pack, year)
    first = run.network.stages[0]
    if stage == first.name and first.kind == "deposits":
        mined = made[made["stage"] == stage]
        deposit = mined["product"].map(run.network.products["variant"])
        table = run.pack.table("deposit_composition")
        share = table[table["element"].isin(elements)].groupby("deposit")["share"].sum()
        content = mined["value"] * deposit.map(share).fillna(0.0).to_numpy(float)
        return content.groupby(mined["region"]).sum()
    element_stages = {str(p) for p in made.loc[made["product"].isin(elements), "stage"]}
    element_stages -= run.network.input_free_stages
    if stage not in element_stages:
        raise MineralflowError(
            f"outlooks.csv of pack '{run.pack.name}': a share of {' '.join(elements)} can be "
            f"measured at the first stage or at a stage that makes them "
            f"({', '.join(sorted(element_stages)) or 'none'}), not at '{stage}'"
        )
    oxides = made[made["product"].isin(elements) & made["stage"].isin(element_stages)]
    return oxides.groupby("region")["value"].sum()


def outlook_shares(section: str, run: Run, tables: Tables, points: float) -> list[Check]:
    """Each published outlook share of a region in a stage's output against the baseline's."""
    pack = run.pack
    if "outlooks" not in pack.tables:
        return []
    checks = []
    for row in records(pack.select("outlooks")):
        elements = str(row["elements"] or "").split()
        year, stage, region = int(row["year"]), str(row["stage"]), str(row["region"])
        if year not in run.years:
            continue
        if elements:
            content = _element_content(run, tables, stage, elements, year)
        else:
            output = rows_of_year(tables.stage_output(), pack, year)
            content = output[output["stage"] == stage].groupby("region")["value"].sum()
        total = float(content.sum())
        share = 100 * float(content.get(region, 0.0)) / total if total > 0 else float("nan")
        item = f"{stage} ({' '.join(elements)})" if elements else stage
        checks.append(
            Check(
                section, "outlook share", pack.name, region, item, year,
                float(row["value"]), share, "%", Tolerance("points", points),
                f"{source_label(pack, str(row['source_id']))}: {row['outlook']}",
            )
        )  # fmt: skip
    return checks


def outlook_demand(section: str, run: Run, tables: Tables, points: float) -> list[Check]:
    """Each published outlook of demand growth against the growth of what the baseline's
    sectors consume (after price responses: substitution, thrifting, demand reduction)."""
    pack = run.pack
    if "outlook_demand" not in pack.tables:
        return []
    used = tables.consumption[tables.consumption["commodity"] == pack.name]  # by region
    checks = []
    for row in records(pack.select("outlook_demand")):
        sectors = str(row["sectors"]).split()
        start, year = int(row["from_year"]), int(row["year"])
        if start not in run.years or year not in run.years:
            continue
        mine = used[used["sector"].isin(sectors)].groupby("year")["value"].sum()
        growth = 100 * (float(mine.get(year, 0.0)) / float(mine.get(start, 0.0)) - 1)
        checks.append(
            Check(
                section, f"outlook demand growth from {start}", pack.name, "WLD",
                " ".join(sectors), year, float(row["value"]), growth, "%",
                Tolerance("points", points),
                f"{source_label(pack, str(row['source_id']))}: {row['outlook']}",
            )
        )  # fmt: skip
    return checks
