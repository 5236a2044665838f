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
    output = tables.stage_output()
    output = output[output["commodity"] == pack.name]
    flows = tables.flows[tables.flows["commodity"] == pack.name]
    parts = []
    for material, p in _parameters(pack).items():
        made = output[output["stage"] == p["stage"]]
        value = _index(made, flows[flows["stage"] == p["stage"]], members, governance, p)
        parts.append(
            pd.DataFrame(
                {"commodity": pack.name, "region": REGION, "material": material,
                 "year": value.index.astype(int), "value": value.to_numpy(float)}
            )
        )  # fmt: skip
    return pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)


def _by_year(rows: pd.DataFrame, years: pd.Index) -> pd.Series:
    return rows.groupby("year")["value"].sum().reindex(years, fill_value=0.0)


def _hhi_wgi_by_year(rows: pd.DataFrame, by: str, governance: pd.Series) -> pd.Series:
    """:func:`hhi_wgi` of each year of ``rows`` (t by ``by`` region and year)."""
    amounts = rows.groupby(["year", by])["value"].sum()
    amounts = amounts[amounts > 0]
    countries = amounts.index.get_level_values(1)
    missing = sorted(set(countries) - set(governance.index))
    if missing:
        raise MineralflowError(
            f"governance.csv: no governance estimate for {', '.join(missing)}; every "
            "producing country needs one for the supply-risk index"
        )
    frac = amounts / amounts.groupby(level=0).transform("sum")
    weighted = frac**2 * governance.reindex(countries).to_numpy()
    return weighted.groupby(level=0).sum()


def _index(
    produced: pd.DataFrame,
    flows: pd.DataFrame,
    members: set[str],
    governance: pd.Series,
    p: dict[str, object],
) -> pd.Series:
    """The index by year from the stage's output by region and its traced flows."""
    years = pd.Index(sorted(set(produced["year"])), name="year")
    into = flows[flows["region"].isin(members)]
    domestic = _by_year(produced[produced["region"].isin(members)], years)
    imports = _by_year(into[~into["origin"].isin(members)], years)
    leaving = flows["origin"].isin(members) & ~flows["region"].isin(members)
    exports = _by_year(flows[leaving], years)
    sourced = _by_year(into, years)
    apparent = domestic + imports - exports
    ok = (apparent > 0) & (sourced > 0)
    ir = ((imports - exports) / apparent.where(ok)).clip(0.0, 1.0)
    world = _hhi_wgi_by_year(produced, "region", governance).reindex(years)
    eu = _hhi_wgi_by_year(into, "origin", governance).reindex(years)
    value = (
        (world * ir / 2 + eu * (1 - ir / 2))
        * (1 - float(p["eol_rir"]))  # type: ignore[arg-type]
        * float(p["si_sr"])  # type: ignore[arg-type]
    )
    return value[ok].dropna()


def reference_values(pack: Pack) -> dict[str, float]:
    """The published index of each material (``reference_sr`` rows)."""
    if "supply_risk" not in pack.tables:
        return {}
    table = pack.table("supply_risk")
    ref = table[table["parameter"] == "reference_sr"]
    return dict(zip(ref["material"].astype(str), ref["value"].astype(float), strict=True))
