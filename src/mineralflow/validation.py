"""Checks of a historical run against published prices: price multiples between two years."""

from __future__ import annotations

import pandas as pd

from mineralflow.dynamics import Run


def observed_price(run: Run, product: str, year: int) -> tuple[float, str] | None:
    """Published price of ``product`` in ``year`` on the world market, with its basis.

    The annual average is preferred; otherwise the midpoint of the year-end range.
    """
    prices = run.pack.select("prices", year=year, product=product)
    prices = prices[prices["market"] == "WLD"]
    average = prices[prices["basis"] == "annual average"]
    if len(average):
        return float(average["value"].iloc[0]), "average"
    ends = prices[prices["basis"].isin(["year-end low", "year-end high"])]
    if len(ends):
        return float(ends["value"].mean()), "year-end"
    return None


def _quota_weight(run: Run, product: str) -> float:
    """t REO-equivalent a t of ``product`` counts for under the export quota (0 if outside)."""
    stage = run.problem.quota_stage
    if stage is None:
        return 0.0
    names = [s.name for s in run.network.stages]
    products = run.network.products
    inside = names.index(str(products.loc[product, "stage"])) >= names.index(stage)
    weights = products["reo_weight"].astype(float)
    return float(weights[product]) if inside else 0.0


def price_multiples(run: Run, products: list[str], start: int, end: int) -> pd.DataFrame:
    """Simulated and observed ``end``/``start`` price multiples of ``products``.

    The simulated export price is the price at the main producer plus the export-quota rent
    it earns abroad; the domestic price is the price at the main producer.
    """
    rows = []
    for product in products:
        stage = str(run.network.products.loc[product, "stage"])
        anchor = run.calibration.anchor[stage]
        domestic = [run.solution(y).prices[(anchor, product)] for y in (start, end)]
        rents = [float(run.solution(y).quota_rent.get(anchor, 0.0)) for y in (start, end)]
        weight = _quota_weight(run, product)
        export = [d + weight * r for d, r in zip(domestic, rents, strict=True)]
        first, last = observed_price(run, product, start), observed_price(run, product, end)
        observed = last[0] / first[0] if first and last else float("nan")
        basis = f"{end} {last[1]} / {start} {first[1]}" if first and last else "not published"
        rows.append(
            {
                "product": product,
                "simulated_export": export[1] / export[0],
                "simulated_domestic": domestic[1] / domestic[0],
                "observed": observed,
                "observed_basis": basis,
            }
        )
    return pd.DataFrame(rows)
