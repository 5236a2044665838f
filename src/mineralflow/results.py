"""Results of a run in IAMC long format (model, scenario, region, variable, unit, year, value).

Regions are ISO alpha-3 codes, ``ROW`` for the rest of the world, and ``World`` for totals.
Variable names follow the IAMC convention ``Kind|Commodity|Stage|Detail``; element products
are named by their symbols.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from mineralflow.dynamics import Run
from mineralflow.errors import MineralflowError

MODEL = "mineralflow"
COLUMNS = ["model", "scenario", "region", "variable", "unit", "year", "value"]
WORLD = "World"


def _title(name: str) -> str:
    return name.replace("_", " ").title()


def _price_variable(commodity: str, product: str, stage_kind: str, last_stage: bool) -> str:
    if stage_kind == "elements":
        return f"Price|{commodity}|Oxide|{product}"
    if stage_kind == "metals":
        return f"Price|{commodity}|Metal|{product.removesuffix(' metal')}"
    if stage_kind == "grades":
        return f"Price|{commodity}|Magnet|{_title(product.split('|', 1)[1])}"
    if stage_kind == "deposits":
        return f"Price|{commodity}|Concentrate|{_title(product.split('|', 1)[1])}"
    return f"Price|{commodity}" if last_stage else f"Price|{commodity}|{_title(product)}"


def iamc_frame(run: Run, scenario: str, first_year: int | None = None) -> pd.DataFrame:
    """All reported variables of ``run`` from ``first_year`` on, as an IAMC long table."""
    net = run.network
    commodity = run.pack.manifest.title.title()
    stage_kind = {s.name: s.kind for s in net.stages}
    stage_unit = {s.name: s.unit for s in net.stages}
    last = net.stages[-1].name
    groups = net.groups
    products = net.products
    rows: list[pd.DataFrame] = []

    def add(frame: pd.Series, variable: str | pd.Series, unit: str | pd.Series, year: int) -> None:
        if frame.empty:
            return
        rows.append(
            pd.DataFrame(
                {
                    "region": frame.index.to_numpy(),
                    "variable": variable if isinstance(variable, str) else variable.to_numpy(),
                    "unit": unit if isinstance(unit, str) else unit.to_numpy(),
                    "year": year,
                    "value": frame.to_numpy(float),
                }
            )
        )

    sector_unit = net.demand.reset_index().drop_duplicates("sector").set_index("sector")["unit"]
    for year in run.years:
        if first_year is not None and year < first_year:
            continue
        sol = run.solution(year)
        # production by stage and region, with a World total
        by_stage = sol.production.groupby([groups["stage"], groups["region"]]).sum()
        for stage in net.stages:
            part = by_stage.xs(stage.name, level=0)
            part = pd.concat([part, pd.Series({WORLD: part.sum()})])
            add(part, f"Production|{commodity}|{_title(stage.name)}", stage.unit, year)
        # element output of the element stage
        coef = net.coefficients
        elem_stage = [s.name for s in net.stages if s.kind == "elements"]
        if elem_stage:
            out = coef[coef["coeff"] > 0].merge(
                net.processes[["region", "stage"]], left_on="process", right_index=True
            )
            out = out[out["stage"] == elem_stage[0]]
            out = out.assign(t=out["coeff"] * out["process"].map(sol.activity))
            table = out.groupby(["product", "region"])["t"].sum()
            for element in table.index.get_level_values(0).unique():
                part = table.xs(element, level=0)
                part = pd.concat([part, pd.Series({WORLD: part.sum()})])
                add(
                    part,
                    f"Production|{commodity}|{_title(elem_stage[0])}|{element}",
                    stage_unit[elem_stage[0]],
                    year,
                )
        # consumption and shortage by sector
        ref = pd.Series(run.reference_demand[year], index=run.problem.demand_keys)
        for sector in sorted(set(sol.consumption.index.get_level_values(1))):
            used = sol.consumption.xs(sector, level=1)
            short = (ref.xs(sector, level=1) - used).clip(lower=0.0)
            unit = str(sector_unit[sector])
            name = _title(sector)
            add(
                pd.concat([used, pd.Series({WORLD: used.sum()})]),
                f"Consumption|{commodity}|{name}",
                unit,
                year,
            )
            add(
                pd.concat([short, pd.Series({WORLD: short.sum()})]),
                f"Shortage|{commodity}|{name}",
                unit,
                year,
            )
        if len(set(sector_unit)) == 1:
            total = sol.consumption.groupby(level=0).sum()
            add(
                pd.concat([total, pd.Series({WORLD: total.sum()})]),
                f"Consumption|{commodity}",
                str(sector_unit.iloc[0]),
                year,
            )
        # trade by stage
        trade = sol.trade[sol.trade > 1e-9]
        if len(trade):
            stage_of = products["stage"].reindex(trade.index.get_level_values(2)).to_numpy()
            frame = pd.DataFrame(
                {
                    "exporter": trade.index.get_level_values(0),
                    "importer": trade.index.get_level_values(1),
                    "stage": stage_of,
                    "t": trade.to_numpy(),
                }
            )
            for stage_name, flows in frame.groupby("stage"):
                unit = stage_unit[str(stage_name)]
                exports = flows.groupby("exporter")["t"].sum()
                imports = flows.groupby("importer")["t"].sum()
                add(exports, f"Exports|{commodity}|{_title(str(stage_name))}", unit, year)
                add(imports, f"Imports|{commodity}|{_title(str(stage_name))}", unit, year)
                if stage_name == last and stage_kind[last] == "plain":
                    add(imports, f"Imports|{commodity}", unit, year)
        # prices by region where a product is used or made, and a World average
        prices = sol.prices
        use = _use_weights(run, year)
        for product in products.index:
            if product not in prices.index.get_level_values(1):
                continue
            part = prices.xs(product, level=1)
            product_stage = str(products.loc[product, "stage"])
            variable = _price_variable(
                commodity, str(product), stage_kind[product_stage], product_stage == last
            )
            weights = use.get(product)
            if weights is not None and weights.sum() > 0:
                w = weights.reindex(part.index).fillna(0.0)
                world = float((part * w).sum() / w.sum()) if w.sum() > 0 else float(part.mean())
            else:
                world = float(part.mean())
            add(pd.concat([part, pd.Series({WORLD: world})]), variable, "USD/kg", year)
    if not rows:
        raise MineralflowError("the run has no years to report")
    out = pd.concat(rows, ignore_index=True)
    out.insert(0, "scenario", scenario)
    out.insert(0, "model", MODEL)
    out["year"] = out["year"].astype(int)
    return out[COLUMNS].sort_values(["variable", "region", "year"]).reset_index(drop=True)


def _use_weights(run: Run, year: int) -> dict[str, pd.Series]:
    """Quantity of each product used in each region (processes and consumption), t."""
    sol = run.solution(year)
    net = run.network
    coef = net.coefficients[net.coefficients["coeff"] < 0].merge(
        net.processes[["region"]], left_on="process", right_index=True
    )
    coef = coef.assign(t=-coef["coeff"] * coef["process"].map(sol.activity))
    b = sol.consumption.rename("q").reset_index().merge(net.baskets, on="sector")
    b = b.assign(t=b["coeff"] * b["q"])
    both = pd.concat([coef[["region", "product", "t"]], b[["region", "product", "t"]]])
    table = both.groupby(["product", "region"])["t"].sum()
    return {str(p): table.xs(p, level=0) for p in table.index.get_level_values(0).unique()}


def export_results(frame: pd.DataFrame, folder: Path) -> Path:
    """Write ``results.csv`` into ``folder`` atomically (a temporary file, then a rename)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "results.csv"
    temp = folder / ".results.csv.tmp"
    frame.assign(value=np.round(frame["value"].to_numpy(float), 6)).to_csv(temp, index=False)
    temp.replace(target)
    return target
