"""Results of a run in IAMC long format (model, scenario, region, variable, unit, year, value).

Regions are ISO alpha-3 codes, ``ROW`` for the rest of the world, and ``World`` for totals.
Variable names follow the IAMC convention ``Kind|Commodity|Stage|Detail``; element products
are named by their symbols.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from mineralflow.dynamics import Run
from mineralflow.errors import MineralflowError
from mineralflow.files import FORMATS
from mineralflow.metrics.indicators import indicator_rows
from mineralflow.metrics.origins import origin_rows
from mineralflow.metrics.supply_risk import supply_risk_rows
from mineralflow.naming import title

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


def iamc_frame(run: Run, scenario: str, first_year: int | None = None) -> pd.DataFrame:
    """All reported variables of ``run`` from ``first_year`` on, as an IAMC long table.

    Every variable is computed for all years at once from the stacked solver output.
    """
    net = run.network
    problem = run.problem
    commodity = run.pack.manifest.title.title()
    stage_kind = {s.name: s.kind for s in net.stages}
    stage_unit = {s.name: s.unit for s in net.stages}
    last = net.stages[-1].name
    products = net.products
    years = [y for y in run.years if first_year is None or y >= first_year]
    if not years:
        raise MineralflowError("the run has no years to report")
    x = np.vstack([run.raw[y].x for y in years])
    duals = np.vstack([run.raw[y].row_dual for y in years])
    rows = _Rows(np.array(years))
    lay = problem.layout

    # production by stage and region, with a World total
    groups = net.groups.reindex(problem.groups)
    supply = lay.col("supply").totals(x)
    agg, keys = _aggregate(groups[["stage", "region"]].reset_index(drop=True))
    variables = np.array([f"Production|{commodity}|{title(s)}" for s in keys["stage"]])
    units = np.array([stage_unit[s] for s in keys["stage"]])
    rows.add(keys["region"].to_numpy(), variables, units, supply @ agg, world=True)

    # output by element (and mixed concentrate) of the separation stages
    activity = x[:, lay.col("activity").span]
    procs = net.processes.reindex(problem.processes)
    coef = net.coefficients
    for elem_stage in [s.name for s in net.stages if s.kind in ("elements", "split")]:
        made = coef[coef["coeff"] > 0]
        made = made[made["process"].map(procs["stage"]) == elem_stage]
        proc_pos = problem.processes.get_indexer(made["process"])
        key = pd.DataFrame(
            {"product": made["product"].to_numpy(), "region": procs["region"].to_numpy()[proc_pos]}
        )
        agg, keys = _aggregate(key, made["coeff"].to_numpy(float))
        values = activity[:, proc_pos] @ agg
        variables = np.array(
            [
                f"Production|{commodity}|{title(elem_stage)}|"
                + (_mixed_label(p) if "|" in p else p)
                for p in keys["product"]
            ]
        )
        units = np.full(len(keys), stage_unit[elem_stage])
        rows.add(keys["region"].to_numpy(), variables, units, values, world=True)

    # consumption and shortage by sector
    dkeys = problem.demand_keys
    use = lay.col("use").totals(x)
    reference = np.vstack([run.reference_demand[y] for y in years])
    short = np.clip(reference - use, 0.0, None)
    sector_unit = net.demand["unit"].groupby(level=1).first()
    regions = dkeys.get_level_values(0).to_numpy()
    sectors = dkeys.get_level_values(1).to_numpy()
    units = sector_unit.reindex(sectors).to_numpy()
    names = np.array([title(s) for s in sectors])
    rows.add(regions, f"Consumption|{commodity}|" + names, units, use, world=True)
    rows.add(regions, f"Shortage|{commodity}|" + names, units, short, world=True)
    if len(set(sector_unit)) == 1:
        agg, keys = _aggregate(pd.DataFrame({"region": regions}))
        n = len(keys)
        rows.add(
            keys["region"].to_numpy(),
            np.full(n, f"Consumption|{commodity}"),
            np.full(n, str(sector_unit.iloc[0])),
            use @ agg,
            world=True,
        )

    # trade by stage
    arcs = problem.arcs
    trade = x[:, lay.col("trade").span]
    arc_stage = products["stage"].reindex(arcs.get_level_values(2)).to_numpy()
    for level, kind in ((0, "Exports"), (1, "Imports")):
        agg, keys = _aggregate(
            pd.DataFrame({"stage": arc_stage, "region": arcs.get_level_values(level).to_numpy()})
        )
        flows = trade @ agg
        variables = np.array([f"{kind}|{commodity}|{title(s)}" for s in keys["stage"]])
        units = np.array([stage_unit[s] for s in keys["stage"]])
        rows.add(keys["region"].to_numpy(), variables, units, flows, drop_zero=True)
        if kind == "Imports" and stage_kind[last] == "plain":
            mine = (keys["stage"] == last).to_numpy()
            rows.add(
                keys["region"].to_numpy()[mine],
                np.full(mine.sum(), f"Imports|{commodity}"),
                units[mine],
                flows[:, mine],
                drop_zero=True,
            )

    # stock changes (absorbed minus released) by stage and region: the USGS reliance term
    skeys = problem.stock_keys
    absorbed = lay.col("absorb").totals(x)
    released = lay.col("release").totals(x)
    stock_stage = products["stage"].reindex(skeys.get_level_values(1)).to_numpy()
    agg, keys = _aggregate(
        pd.DataFrame({"stage": stock_stage, "region": skeys.get_level_values(0).to_numpy()})
    )
    variables = np.array([f"Stock Change|{commodity}|{title(s)}" for s in keys["stage"]])
    units = np.array([stage_unit[s] for s in keys["stage"]])
    rows.add(keys["region"].to_numpy(), variables, units, (absorbed - released) @ agg)

    # prices by region where a product is used or made, and a World average weighted by use
    nodes = problem.nodes
    prices = duals[:, lay.row("balance").span]
    node_region = nodes.get_level_values(0).to_numpy()
    node_product = nodes.get_level_values(1).to_numpy()
    used = coef[coef["coeff"] < 0]
    upos = problem.processes.get_indexer(used["process"])
    unode = problem.node_of(procs["region"].to_numpy()[upos], used["product"])
    weights = (activity[:, upos] * -used["coeff"].to_numpy(float)) @ sp.csr_matrix(
        (np.ones(len(unode)), (np.arange(len(unode)), unode)), shape=(len(unode), len(nodes))
    )
    b = problem.baskets
    bkey = dkeys.get_indexer(pd.MultiIndex.from_arrays([b["region"], b["sector"]]))
    bnode = problem.node_of(b["region"], b["product"])
    weights = weights + (use[:, bkey] * b["coeff"].to_numpy(float)) @ sp.csr_matrix(
        (np.ones(len(bnode)), (np.arange(len(bnode)), bnode)), shape=(len(bnode), len(nodes))
    )
    weights = np.asarray(weights)
    labels = {
        p: _price_variable(
            commodity,
            str(p),
            stage_kind[str(products.loc[p, "stage"])],
            products.loc[p, "stage"] == last,
        )
        for p in products.index
    }
    variables = np.array([labels[p] for p in node_product])
    rows.add(node_region, variables, np.full(len(nodes), "USD/kg"), prices)
    agg, keys = _aggregate(pd.DataFrame({"product": node_product}))
    total_w = weights @ agg
    weighted = (prices * weights) @ agg
    counts = np.asarray(agg.sum(0)).ravel()
    mean = (prices @ agg) / counts
    world = np.where(total_w > 0, weighted / np.where(total_w > 0, total_w, 1.0), mean)
    rows.add(
        np.full(len(keys), WORLD),
        np.array([labels[p] for p in keys["product"]]),
        np.full(len(keys), "USD/kg"),
        world,
    )

    out = pd.concat(rows.parts, ignore_index=True)
    out = pd.concat(
        [out, indicator_rows(out), origin_rows(run, years, commodity)], ignore_index=True
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
