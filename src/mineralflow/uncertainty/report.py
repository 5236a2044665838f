"""What the command line shows and writes of an ensemble: headline ranges and files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from mineralflow.files import write_files
from mineralflow.iamc import safe_text
from mineralflow.uncertainty.summary import Ensemble

#: China and the United States: the regions whose shares and prices lead the headline
HEADLINE_REGIONS = ("CHN", "USA")
#: the oxides whose prices the headline gives
HEADLINE_PRICES = ("Nd", "Dy", "Tb")


def headline_rows(index: pd.MultiIndex, years: list[int]) -> np.ndarray:
    """Positions of the headline values: China's shares by stage, oxide prices in China and
    the United States, the US aluminium price, US net import reliance, the world's shortage
    by sector, in ``years``."""
    frame = index.to_frame(index=False)
    variable, region = frame["variable"], frame["region"]
    last = variable.str.rsplit("|", n=1).str[-1]
    share = variable.str.startswith("Share|") & (region == "CHN")
    price = (variable.str.contains(r"\|Oxide\|", regex=True) & variable.str.startswith("Price|")
             & last.isin(HEADLINE_PRICES) & region.isin(HEADLINE_REGIONS))  # fmt: skip
    metal = variable.str.startswith("Price|Aluminium|") & (region == "USA")
    reliance = variable.str.startswith("Net Import Reliance|") & (region == "USA")
    shortage = variable.str.startswith("Shortage|") & (region == "World")
    keep = (share | price | metal | reliance | shortage) & frame["year"].isin(years)
    return np.flatnonzero(keep.to_numpy())


def headline(ensemble: Ensemble) -> pd.DataFrame:
    """Median and 5-95 % range of the headline values in 2030, 2035 and the last year, beside
    the run with the packs' own estimates; values that no member moves are left out."""
    years = sorted({int(y) for y in ensemble.index.get_level_values("year")})
    shown = sorted({y for y in years if y in (2030, 2035)} | {years[-1]})
    rows = headline_rows(ensemble.index, shown)
    q = ensemble.quantiles().iloc[rows]
    frame = q.index.to_frame(index=False)[["variable", "region", "unit", "year"]]
    frame = frame.astype({"variable": object, "region": object, "unit": object})
    frame["variable"] = frame["variable"].str.replace("|", " · ", regex=False)
    frame["central"] = ensemble.central[rows].round(1)
    frame["median"] = q["p50"].to_numpy().round(1)
    frame["range"] = [f"{lo:,.1f} to {hi:,.1f}" for lo, hi in zip(q["p05"], q["p95"], strict=True)]
    moved = (q["p95"] - q["p05"]).abs().to_numpy() > 1e-6
    frame = frame[moved]
    return frame.sort_values(["variable", "region", "year"], kind="stable").reset_index(drop=True)


def export_ensemble(ensemble: Ensemble, folder: Path) -> list[Path]:
    """``ensemble.csv`` (the quantiles in IAMC long form, which pyam reads), ``draws.csv``
    (each member's factors) and, for a Sobol or Morris design, ``sensitivity.csv`` (the
    indices of the headline values) in ``folder``, all written whole or none."""
    frame = ensemble.iamc()
    frame = frame.assign(value=np.round(frame["value"].to_numpy(float), 6) + 0.0)
    draws = ensemble.draws_frame()
    writers = {
        "ensemble.csv": lambda p: safe_text(frame).to_csv(p, index=False),
        "draws.csv": lambda p: safe_text(draws).to_csv(p, index=False),
    }
    if ensemble.method != "mc":
        years = sorted({int(y) for y in ensemble.index.get_level_values("year")})
        found = ensemble.sensitivity(headline_rows(ensemble.index, years))
        writers["sensitivity.csv"] = lambda p: safe_text(found).to_csv(p, index=False)
    return write_files(folder, writers, "export")


def drivers(ensemble: Ensemble, top: int = 3) -> pd.DataFrame:
    """The ``top`` inputs by total Sobol index (or Morris mu*) of each headline value in the
    last year, one row each: the value, the input (without its pack) and its indices."""
    last = int(ensemble.index.get_level_values("year").max())
    found = ensemble.sensitivity(headline_rows(ensemble.index, [last]))
    if found.empty:
        return found
    key = "ST" if ensemble.method == "sobol" else "mu_star"
    found = found.sort_values(["variable", "region", key], ascending=[True, True, False],
                              kind="stable")  # fmt: skip
    found = found.groupby(["variable", "region"], sort=False).head(top)
    value = found["variable"].str.replace("|", " · ", regex=False) + " · " + found["region"]
    columns = ["S1", "ST"] if ensemble.method == "sobol" else ["mu_star", "sigma"]
    out = (
        found[columns]
        .round(3)
        .assign(value=value.to_numpy(), input=found["input"].str.split(":", n=1).str[1].to_numpy())
    )
    return out[["value", "input", *columns]].reset_index(drop=True)
