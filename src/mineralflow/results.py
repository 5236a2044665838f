"""Results of a run in IAMC long format (model, scenario, region, variable, unit, year, value).

Regions are ISO alpha-3 codes, ``ROW`` for the rest of the world, and ``World`` for totals.
Variable names follow the IAMC convention ``Kind|Commodity|Stage|Detail``; element products
are named by their symbols.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from mineralflow.dynamics import Run
from mineralflow.errors import MineralflowError
from mineralflow.files import FORMATS
from mineralflow.market.problem import MarketProblem
from mineralflow.metrics.indicators import indicator_rows
from mineralflow.metrics.origins import origin_rows
from mineralflow.metrics.supply_risk import supply_risk_rows
from mineralflow.naming import title
from mineralflow.network import Network

MODEL = "mineralflow"
COLUMNS = ["model", "scenario", "region", "variable", "unit", "year", "value"]
WORLD = "World"


def _mixed_label(product: str) -> str:
    """``heavy|bayan_obo`` -> ``Mixed Heavy|Bayan Obo``: a group's mix left by separation."""
    group, deposit = product.split("|", 1)
    return f"Mixed {title(group)}|{title(deposit)}"


def _price_variable(commodity: str, product: str, stage_kind: str, last_stage: bool) -> str:
    if stage_kind in ("elements", "split"):
        if "|" in product:
            return f"Price|{commodity}|{_mixed_label(product)}"
        return f"Price|{commodity}|Oxide|{product}"
    if stage_kind == "metals":
        return f"Price|{commodity}|Metal|{product.removesuffix(' metal')}"
    if stage_kind == "grades":
        return f"Price|{commodity}|Magnet|{title(product.split('|', 1)[1])}"
    if stage_kind == "deposits":
        return f"Price|{commodity}|Concentrate|{title(product.split('|', 1)[1])}"
    return f"Price|{commodity}" if last_stage else f"Price|{commodity}|{title(product)}"


class _Rows:
    """Collects variables for all years at once: one block per (label, matrix) pair."""

    def __init__(self, years: np.ndarray) -> None:
        self.years = years
        self.parts: list[pd.DataFrame] = []

    def add(
        self,
        regions: np.ndarray,
        variables: np.ndarray,
        units: np.ndarray,
        values: np.ndarray,
        *,
        world: bool = False,
        drop_zero: bool = False,
    ) -> None:
        """``values`` is (years, series); ``world`` adds the sum over series per variable."""
        n_years, n = values.shape
        if n == 0:
            return
        frame = pd.DataFrame(
            {
                "region": np.tile(regions, n_years),
                "variable": np.tile(variables, n_years),
                "unit": np.tile(units, n_years),
                "year": np.repeat(self.years, n),
                "value": values.ravel(),
            }
        )
        if drop_zero:
            frame = frame[frame["value"] > 1e-9]
        self.parts.append(frame)
        if world:
            total = (
                frame.groupby(["variable", "unit", "year"], sort=False)["value"].sum().reset_index()
            )
            self.parts.append(total.assign(region=WORLD))


def _aggregate(
    keys: pd.DataFrame, weights: np.ndarray | None = None
) -> tuple[sp.csr_matrix, pd.DataFrame]:
    """Sparse map from items to the distinct rows of ``keys`` (one key row per item)."""
    codes, uniques = pd.MultiIndex.from_frame(keys).factorize()
    data = np.ones(len(keys)) if weights is None else weights
    matrix = sp.csr_matrix((data, (np.arange(len(keys)), codes)), shape=(len(keys), len(uniques)))
    return matrix, pd.DataFrame(list(uniques), columns=list(keys.columns))


@dataclass
class _Solved:
    """A run's solutions stacked by year, with what every family of variables needs."""

    run: Run
    years: list[int]
    x: np.ndarray  # (years, LP columns), t
    duals: np.ndarray  # (years, LP rows), USD/kg
    commodity: str
    rows: _Rows

    @property
    def net(self) -> Network:
        return self.run.network

    @property
    def problem(self) -> MarketProblem:
        return self.run.problem

    def col(self, block: str) -> np.ndarray:
        return self.x[:, self.problem.layout.col(block).span]

    def totals(self, block: str) -> np.ndarray:
        return self.problem.layout.col(block).totals(self.x)

    def stage_unit(self, stage: str) -> str:
        return self.net.stage(stage).unit


def _production(s: _Solved) -> None:
    """Production by stage and region, with a World total."""
    groups = s.net.groups.reindex(s.problem.groups)
    agg, keys = _aggregate(groups[["stage", "region"]].reset_index(drop=True))
    variables = np.array([f"Production|{s.commodity}|{title(st)}" for st in keys["stage"]])
    units = np.array([s.stage_unit(st) for st in keys["stage"]])
    s.rows.add(keys["region"].to_numpy(), variables, units, s.totals("supply") @ agg, world=True)


def _element_production(s: _Solved) -> None:
    """Output by element (and mixed concentrate) of the separation stages."""
    activity = s.col("activity")
    procs = s.net.processes.reindex(s.problem.processes)
    made = s.net.coefficients[s.net.coefficients["coeff"] > 0]
    for stage in [st.name for st in s.net.stages if st.kind in ("elements", "split")]:
        part = made[made["process"].map(procs["stage"]) == stage]
        at = s.problem.processes.get_indexer(part["process"])
        key = pd.DataFrame(
            {"product": part["product"].to_numpy(), "region": procs["region"].to_numpy()[at]}
        )
        agg, keys = _aggregate(key, part["coeff"].to_numpy(float))
        variables = np.array(
            [
                f"Production|{s.commodity}|{title(stage)}|" + (_mixed_label(p) if "|" in p else p)
                for p in keys["product"]
            ]
        )
        units = np.full(len(keys), s.stage_unit(stage))
        s.rows.add(keys["region"].to_numpy(), variables, units, activity[:, at] @ agg, world=True)


def _consumption(s: _Solved) -> None:
    """Consumption and shortage by sector; total consumption where sectors share a unit."""
    dkeys = s.problem.demand_keys
    use = s.totals("use")
    reference = np.vstack([s.run.reference_demand[y] for y in s.years])
    short = np.clip(reference - use, 0.0, None)
    sector_unit = s.net.demand["unit"].groupby(level=1).first()
    regions = dkeys.get_level_values(0).to_numpy()
    sectors = dkeys.get_level_values(1).to_numpy()
    units = sector_unit.reindex(sectors).to_numpy()
    names = np.array([title(x) for x in sectors])
    s.rows.add(regions, f"Consumption|{s.commodity}|" + names, units, use, world=True)
    s.rows.add(regions, f"Shortage|{s.commodity}|" + names, units, short, world=True)
    if len(set(sector_unit)) == 1:
        agg, keys = _aggregate(pd.DataFrame({"region": regions}))
        n = len(keys)
        s.rows.add(
            keys["region"].to_numpy(),
            np.full(n, f"Consumption|{s.commodity}"),
            np.full(n, str(sector_unit.iloc[0])),
            use @ agg,
            world=True,
        )


def _trade(s: _Solved) -> None:
    """Exports and imports by stage (and total imports of a plain last stage)."""
    arcs = s.problem.arcs
    trade = s.col("trade")
    last = s.net.stages[-1]
    arc_stage = s.net.products["stage"].reindex(arcs.get_level_values(2)).to_numpy()
    for level, kind in ((0, "Exports"), (1, "Imports")):
        agg, keys = _aggregate(
            pd.DataFrame({"stage": arc_stage, "region": arcs.get_level_values(level).to_numpy()})
        )
        flows = trade @ agg
        variables = np.array([f"{kind}|{s.commodity}|{title(st)}" for st in keys["stage"]])
        units = np.array([s.stage_unit(st) for st in keys["stage"]])
        s.rows.add(keys["region"].to_numpy(), variables, units, flows, drop_zero=True)
        if kind == "Imports" and last.kind == "plain":
            mine = (keys["stage"] == last.name).to_numpy()
            s.rows.add(
                keys["region"].to_numpy()[mine],
                np.full(mine.sum(), f"Imports|{s.commodity}"),
                units[mine],
                flows[:, mine],
                drop_zero=True,
            )


def _stock_change(s: _Solved) -> None:
    """Stock changes (absorbed minus released) by stage and region: the USGS reliance term."""
    skeys = s.problem.stock_keys
    change = s.totals("absorb") - s.totals("release")
    stock_stage = s.net.products["stage"].reindex(skeys.get_level_values(1)).to_numpy()
    agg, keys = _aggregate(
        pd.DataFrame({"stage": stock_stage, "region": skeys.get_level_values(0).to_numpy()})
    )
    variables = np.array([f"Stock Change|{s.commodity}|{title(st)}" for st in keys["stage"]])
    units = np.array([s.stage_unit(st) for st in keys["stage"]])
    s.rows.add(keys["region"].to_numpy(), variables, units, change @ agg)


def _node_use(s: _Solved) -> np.ndarray:
    """t of each node's product used by processes and consumers, (years, nodes)."""
    problem, nodes = s.problem, s.problem.nodes
    procs = s.net.processes.reindex(problem.processes)
    used = s.net.coefficients[s.net.coefficients["coeff"] < 0]
    upos = problem.processes.get_indexer(used["process"])
    unode = problem.node_of(procs["region"].to_numpy()[upos], used["product"])
    to_nodes = sp.csr_matrix(
        (np.ones(len(unode)), (np.arange(len(unode)), unode)), shape=(len(unode), len(nodes))
    )
    weights = (s.col("activity")[:, upos] * -used["coeff"].to_numpy(float)) @ to_nodes
    b = problem.baskets
    bkey = problem.demand_keys.get_indexer(pd.MultiIndex.from_arrays([b["region"], b["sector"]]))
    bnode = problem.node_of(b["region"], b["product"])
    to_nodes = sp.csr_matrix(
        (np.ones(len(bnode)), (np.arange(len(bnode)), bnode)), shape=(len(bnode), len(nodes))
    )
    return np.asarray(weights + (s.totals("use")[:, bkey] * b["coeff"].to_numpy(float)) @ to_nodes)


def _prices(s: _Solved) -> None:
    """Prices by region where a product is used or made, and a World average weighted by use."""
    nodes, products = s.problem.nodes, s.net.products
    prices = s.duals[:, s.problem.layout.row("balance").span]
    node_region = nodes.get_level_values(0).to_numpy()
    node_product = nodes.get_level_values(1).to_numpy()
    last = s.net.stages[-1].name
    labels = {
        p: _price_variable(
            s.commodity,
            str(p),
            s.net.stage(str(products.loc[p, "stage"])).kind,
            products.loc[p, "stage"] == last,
        )
        for p in products.index
    }
    variables = np.array([labels[p] for p in node_product])
    s.rows.add(node_region, variables, np.full(len(nodes), "USD/kg"), prices)
    weights = _node_use(s)
    agg, keys = _aggregate(pd.DataFrame({"product": node_product}))
    total_w = weights @ agg
    weighted = (prices * weights) @ agg
    mean = (prices @ agg) / np.asarray(agg.sum(0)).ravel()
    world = np.where(total_w > 0, weighted / np.where(total_w > 0, total_w, 1.0), mean)
    s.rows.add(
        np.full(len(keys), WORLD),
        np.array([labels[p] for p in keys["product"]]),
        np.full(len(keys), "USD/kg"),
        world,
    )


def iamc_frame(run: Run, scenario: str, first_year: int | None = None) -> pd.DataFrame:
    """All reported variables of ``run`` from ``first_year`` on, as an IAMC long table.

    Every variable is computed for all years at once from the stacked solver output, one
    family of variables at a time; indicators, origins and supply risk are read from those.
    """
    years = [y for y in run.years if first_year is None or y >= first_year]
    if not years:
        raise MineralflowError("the run has no years to report")
    solved = _Solved(
        run=run,
        years=years,
        x=np.vstack([run.raw[y].x for y in years]),
        duals=np.vstack([run.raw[y].row_dual for y in years]),
        commodity=run.pack.manifest.title.title(),
        rows=_Rows(np.array(years)),
    )
    for family in (_production, _element_production, _consumption, _trade, _stock_change, _prices):
        family(solved)
    out = pd.concat(solved.rows.parts, ignore_index=True)
    out = pd.concat(
        [out, indicator_rows(out), origin_rows(run, years, solved.commodity)], ignore_index=True
    )
    out = pd.concat([out, supply_risk_rows(out, run.pack)], ignore_index=True)
    out.insert(0, "scenario", scenario)
    out.insert(0, "model", MODEL)
    out["year"] = out["year"].astype(int)
    out["value"] = out["value"].astype(float)
    return out[COLUMNS].sort_values(["variable", "region", "year"]).reset_index(drop=True)


def wide_iamc(frame: pd.DataFrame) -> pd.DataFrame:
    """The IAMC template layout that pyam reads: one row per series, one column per year."""
    wide = frame.pivot_table(
        index=["model", "scenario", "region", "variable", "unit"],
        columns="year",
        values="value",
        aggfunc="first",
    ).reset_index()
    wide.columns = [str(c).title() if isinstance(c, str) else int(c) for c in wide.columns]
    return wide


def export_results(
    frame: pd.DataFrame,
    folder: Path,
    formats: list[str] | tuple[str, ...] = ("csv",),
    meta: dict[str, str] | None = None,
) -> list[Path]:
    """Write the results in each format into ``folder``.

    Every file is written to a temporary name first and renamed when complete, so an
    interrupted export never leaves a half-written file under the real name.
    """
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise MineralflowError(
            f"unknown export format '{unknown[0]}'; formats: {', '.join(FORMATS)}"
        )
    folder.mkdir(parents=True, exist_ok=True)
    # rounded to 6 decimals; + 0.0 turns -0.0 (a negative rounding residue) into 0.0
    rounded = frame.assign(value=np.round(frame["value"].to_numpy(float), 6) + 0.0)
    written = []
    for fmt in formats:
        target = folder / FORMATS[fmt]
        temp = folder / f".{target.name}.tmp"
        if fmt == "csv":
            rounded.to_csv(temp, index=False)
        elif fmt == "parquet":
            rounded.to_parquet(temp, index=False)
        elif fmt == "iamc":
            wide_iamc(rounded).to_csv(temp, index=False)
        else:
            scenarios = rounded[["model", "scenario"]].drop_duplicates()
            info = scenarios.assign(exclude=False, **(meta or {}))
            with pd.ExcelWriter(temp, engine="openpyxl") as book:
                wide_iamc(rounded).to_excel(book, sheet_name="data", index=False)
                info.to_excel(book, sheet_name="meta", index=False)
        temp.replace(target)
        written.append(target)
    return written
