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
from mineralflow.naming import title

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
    missing = sorted(set(shares.index) - set(governance.index))
    if missing:
        raise MineralflowError(
            f"governance.csv: no governance estimate for {', '.join(missing)}; every "
            "producing country needs one for the supply-risk index"
        )
    frac = shares / shares.sum()
    return float((frac**2 * governance.reindex(frac.index)).sum())


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


def supply_risk_rows(frame: pd.DataFrame, pack: Pack) -> pd.DataFrame:
    """``Supply Risk|<Commodity>|<Material>`` for the EU, every year of ``frame``."""
    columns = ["region", "variable", "unit", "year", "value"]
    if not {"governance", "supply_risk"} <= set(pack.tables):
        return pd.DataFrame(columns=columns)
    regions = pack.table("regions")
    members = set(regions.loc[regions["group"] == REGION, "code"])
    if not members:
        return pd.DataFrame(columns=columns)
    commodity = pack.manifest.title.title()
    governance = scaled_governance(pack)
    rows = []
    for material, p in _parameters(pack).items():
        stage = title(str(p["stage"]))
        made = frame[frame["variable"] == f"Production|{commodity}|{stage}"]
        made = made[made["region"] != "World"]
        flows = frame[frame["variable"].str.startswith(f"Flow|{commodity}|{stage}|")]
        ends = flows["region"].str.split(">", expand=True)
        flows = flows.assign(origin=ends[0], dest=ends[1])
        for year, produced in made.groupby("year"):
            f = flows[flows["year"] == year]
            into = f[f["dest"].isin(members)]
            sourcing = into.groupby("origin")["value"].sum()
            domestic = produced[produced["region"].isin(members)]["value"].sum()
            imports = into.loc[~into["origin"].isin(members), "value"].sum()
            exports = f.loc[f["origin"].isin(members) & ~f["dest"].isin(members), "value"].sum()
            apparent = domestic + imports - exports
            if apparent <= 0 or sourcing.sum() <= 0:
                continue
            ir = float(np.clip((imports - exports) / apparent, 0.0, 1.0))
            world = hhi_wgi(produced.set_index("region")["value"], governance)
            eu = hhi_wgi(sourcing, governance)
            value = (
                (world * ir / 2 + eu * (1 - ir / 2))
                * (1 - float(p["eol_rir"]))  # type: ignore[arg-type]
                * float(p["si_sr"])  # type: ignore[arg-type]
            )
            rows.append((REGION, f"Supply Risk|{commodity}|{material}", UNIT, year, value))
    return pd.DataFrame(rows, columns=columns)


def reference_values(pack: Pack) -> dict[str, float]:
    """The published index of each material (``reference_sr`` rows)."""
    if "supply_risk" not in pack.tables:
        return {}
    table = pack.table("supply_risk")
    ref = table[table["parameter"] == "reference_sr"]
    return dict(zip(ref["material"].astype(str), ref["value"].astype(float), strict=True))
