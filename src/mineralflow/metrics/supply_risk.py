"""The EU supply-risk index (JRC method) computed on a run's flows.

European Commission (2017), *Methodology for establishing the EU list of critical raw
materials*, as applied in the 2023 assessment::

    SR = [HHI_WGI(global supply) * IR/2 + HHI_WGI(EU sourcing) * (1 - IR/2)]
         * (1 - EoL_RIR) * SI_SR

    HHI_WGI = sum over countries of share^2 * WGI_scaled * t   (shares as fractions)

``WGI_scaled`` is the mean of the six World Bank governance estimates rescaled to 0 (best) -
10 (worst): ``(2.5 - mean) * 2``. The trade-restriction factor ``t`` is 1 for every country
(the assessment lowers it to 0.8 for partners with a trade agreement and raises it under
export restrictions; its rules are not in the pack). ``IR`` is the EU's net import reliance at
the assessed stage. Global shares, EU sourcing and IR all come from the run, so the index moves
with a scenario; EoL_RIR and SI_SR come from ``supply_risk.csv``, the governance estimates
from ``governance.csv``. The aggregate ``ROW`` takes the mean governance of the listed
countries. Materials whose inputs the pack lacks give no rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mineralflow.data.pack import Pack
from mineralflow.errors import MineralflowError
from mineralflow.tables import Tables

REGION = "EU"
UNIT = "index"


def scaled_governance(pack: Pack) -> pd.Series:
    """WGI scaled 0 (best) to 10 (worst) by region, from the latest year of each region."""
    table = pack.table("governance")
    latest = table[table["year"] == table.groupby("region")["year"].transform("max")]
    mean = latest.groupby("region")["value"].mean()
    scaled = (2.5 - mean) * 2.0
    scaled["ROW"] = float(scaled.mean())
    return scaled


def hhi_wgi(shares: pd.Series, governance: pd.Series) -> float:
    """Sum of share^2 * scaled WGI, shares as fractions of their total (t = 1)."""
    shares = shares[shares > 0]
    if shares.empty:
        return float("nan")
    values = shares.to_numpy(float)[None, :]
    return float(_hhi_wgi_by_year(values, shares.index.to_numpy(), governance)[0])


def _parameters(pack: Pack) -> dict[str, dict[str, object]]:
    table = pack.table("supply_risk")
    out: dict[str, dict[str, object]] = {}
    for material, rows in table.groupby("material", sort=False):
        params = dict(zip(rows["parameter"], rows["value"].astype(float), strict=True))
        for needed in ("eol_rir", "si_sr"):
            if needed not in params:
                raise MineralflowError(
                    f"supply_risk.csv: material '{material}' has no '{needed}' row; each "
                    "material needs eol_rir and si_sr"
                )
        stages = set(rows["stage"])
        if len(stages) != 1:
            raise MineralflowError(
                f"supply_risk.csv: material '{material}' names several stages "
                f"({', '.join(sorted(stages))}); use one"
            )
        out[str(material)] = {"stage": stages.pop(), **params}
    return out


def supply_risk(tables: Tables, pack: Pack) -> pd.DataFrame:
    """The EU index of each material of ``pack``, every year of ``tables``.

    Columns commodity, region, material, year, value; no rows where the pack lacks the
    inputs or the EU buys none of the assessed stage.
    """
    columns = ["commodity", "region", "material", "year", "value"]
    if not {"governance", "supply_risk"} <= set(pack.tables):
        return pd.DataFrame(columns=columns)
    regions = pack.table("regions")
    members = set(regions.loc[regions["group"] == REGION, "code"])
    if not members:
        return pd.DataFrame(columns=columns)
    governance = scaled_governance(pack)
    output = _columns(tables.production, pack.name, ["stage", "year", "region", "value"])
    flows = _columns(tables.flows, pack.name, ["stage", "year", "origin", "region", "value"])
    parts = []
    for material, p in _parameters(pack).items():
        made = {k: v[output["stage"] == p["stage"]] for k, v in output.items()}
        moved = {k: v[flows["stage"] == p["stage"]] for k, v in flows.items()}
        value = _index(made, moved, members, governance, p)
        parts.append(
            pd.DataFrame(
                {"commodity": pack.name, "region": REGION, "material": material,
                 "year": value.index.astype(int), "value": value.to_numpy(float)}
            )
        )  # fmt: skip
    return pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)


def _hhi_wgi_by_year(amounts: np.ndarray, regions: np.ndarray, governance: pd.Series) -> np.ndarray:
    """:func:`hhi_wgi` of each row of ``amounts`` (years, regions); NaN where all are 0."""
    used = amounts > 0
    missing = sorted(set(regions[used.any(0)]) - set(governance.index))
    if missing:
        raise MineralflowError(
            f"governance.csv: no governance estimate for {', '.join(missing)}; every "
            "producing country needs one for the supply-risk index"
        )
    weight = governance.reindex(regions).fillna(0.0).to_numpy(float)
    total = amounts.sum(1, keepdims=True)
    frac = np.divide(amounts, total, out=np.zeros_like(amounts), where=total > 0)
    return np.where(total[:, 0] > 0, (frac**2 * weight).sum(1), np.nan)


def _columns(table: pd.DataFrame, commodity: str, names: list[str]) -> dict[str, np.ndarray]:
    """The columns ``names`` of the rows of ``commodity``, as arrays."""
    mine = (table["commodity"] == commodity).to_numpy()
    return {name: table[name].to_numpy()[mine] for name in names}


def _index(
    produced: dict[str, np.ndarray],
    flows: dict[str, np.ndarray],
    members: set[str],
    governance: pd.Series,
    p: dict[str, object],
) -> pd.Series:
    """The index by year from the stage's output by region and its traced flows."""
    years, y_made = np.unique(produced["year"], return_inverse=True)
    regions = np.unique(np.concatenate([produced["region"], flows["origin"], flows["region"]]))
    made = np.zeros((len(years), len(regions)))
    np.add.at(made, (y_made, regions.searchsorted(produced["region"])), produced["value"])
    moved = np.zeros((len(years), len(regions), len(regions)))
    known = np.isin(flows["year"], years)
    f = {k: v[known] for k, v in flows.items()}
    at = (
        years.searchsorted(f["year"]),
        regions.searchsorted(f["origin"]),
        regions.searchsorted(f["region"]),
    )
    np.add.at(moved, at, f["value"].astype(float))
    eu = np.isin(regions, list(members))
    sourcing = moved[:, :, eu].sum(2)  # (years, origin): what EU members took from each
    imports = sourcing[:, ~eu].sum(1)
    exports = moved[:, eu][:, :, ~eu].sum((1, 2))
    apparent = made[:, eu].sum(1) + imports - exports
    ok = (apparent > 0) & (sourcing.sum(1) > 0)
    ir = np.clip(
        np.divide(imports - exports, apparent, out=np.zeros(len(years)), where=ok), 0.0, 1.0
    )
    world = _hhi_wgi_by_year(made, regions, governance)
    sourced = _hhi_wgi_by_year(sourcing, regions, governance)
    value = (
        (world * ir / 2 + sourced * (1 - ir / 2))
        * (1 - float(p["eol_rir"]))  # type: ignore[arg-type]
        * float(p["si_sr"])  # type: ignore[arg-type]
    )
    keep = ok & ~np.isnan(value)
    return pd.Series(value[keep], index=years[keep])


def reference_values(pack: Pack) -> dict[str, float]:
    """The published index of each material (``reference_sr`` rows)."""
    if "supply_risk" not in pack.tables:
        return {}
    table = pack.table("supply_risk")
    ref = table[table["parameter"] == "reference_sr"]
    return dict(zip(ref["material"].astype(str), ref["value"].astype(float), strict=True))
