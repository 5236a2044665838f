"""The IAMC boundary: a run's tables as an IAMC long table, and that table read back.

IAMC long format is (model, scenario, region, variable, unit, year, value). Variable names
follow ``Kind|Commodity|Stage|Detail``: ``Production|Rare Earths|Separation|Nd``,
``Price|Rare Earths|Oxide|Dy``, ``Flow|Rare Earths|Mining|Separation`` for region ``A>B``
(a flow from A to B). Regions are ISO alpha-3 codes, ``ROW`` and ``World`` for totals.

How each pack name is written comes from a *vocabulary* (one row per commodity, stage, sector
and product) built from the pack's network when the run is solved and stored with it, so that
:func:`from_iamc` reads names back by lookup, never by guessing. This module is the only one
that takes variable names apart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from mineralflow.data.pack import Pack
from mineralflow.errors import MineralflowError
from mineralflow.files import FORMATS, neutralise, remove_files, write_files
from mineralflow.metrics.indicators import hhi, net_import_reliance, shares
from mineralflow.naming import title
from mineralflow.network import Network
from mineralflow.tables import CONSUMPTION, NAME_COLUMNS, WORLD, Tables, tidy

MODEL = "mineralflow"
COLUMNS = ["model", "scenario", "region", "variable", "unit", "year", "value"]
TRADE = {"exports": "Exports", "imports": "Imports"}


# ------------------------------------------------------------------ the vocabulary
def _price_label(kind: str, row: pd.Series, last: bool) -> str:
    """Detail of a product's price variable: ``Oxide|Nd``, ``Magnet|Ev Traction``, ..."""
    variant, family = str(row["variant"]), str(row["family"])
    if kind in ("elements", "split"):
        return f"Mixed {title(family)}|{title(variant)}" if variant else f"Oxide|{row.name}"
    if kind == "metals":
        return f"Metal|{row['element']}"
    if kind == "grades":
        return f"Magnet|{title(variant)}"
    if kind == "deposits":
        return f"Concentrate|{title(variant)}"
    return "" if last else title(str(row.name))


def _output_label(kind: str, row: pd.Series, alone: bool) -> str:
    """Detail of a product's production variable; empty for a stage's only product."""
    if alone:
        return ""
    variant = str(row["variant"])
    if kind in ("elements", "split"):
        return f"Mixed {title(str(row['family']))}|{title(variant)}" if variant else str(row.name)
    if kind == "metals":
        return str(row["element"])
    return title(variant) if variant else title(str(row.name))


def _recycled_rows(
    network: Network, details: dict[str, str]
) -> list[tuple[str, str, str, str, str, str]]:
    """(commodity, "recycled", product, label, recycling stage, detail) for what each recycling
    stage recovers: its production variables name the products' own details (``details``),
    none where it recovers a single product."""
    c = network.pack
    coef = network.coefficients.merge(
        network.processes[["stage"]], left_on="process", right_index=True
    )
    rows = []
    for stage in network.stages:
        if stage.kind != "recycled":
            continue
        made = sorted(set(coef.loc[(coef["stage"] == stage.name) & (coef["coeff"] > 0), "product"]))
        for product in made:
            detail = "" if len(made) == 1 else details[str(product)]
            rows.append((c, "recycled", str(product), detail or str(product), stage.name, detail))
    return rows


def vocabulary(pack: Pack, network: Network) -> pd.DataFrame:
    """How the pack's names are written in variables (see :data:`tables.NAME_COLUMNS`)."""
    c = pack.name
    rows = [(c, "commodity", c, pack.manifest.title.title(), "", "")]
    focus = pack.manifest.report.focus_region
    rows += [(c, "focus", "region", focus, "", "")] if focus else []
    rows += [(c, "stage", s.name, title(s.name), s.name, s.kind) for s in network.stages]
    rows += [(c, "stage", CONSUMPTION, "Consumption", CONSUMPTION, "")]
    sectors = sorted(set(network.demand.index.get_level_values(1)))
    rows += [(c, "sector", s, title(s), "", "") for s in sectors]
    products = network.products
    per_stage = products["stage"].value_counts()
    last = network.stages[-1].name
    for name, row in products.iterrows():
        kind = network.stage(str(row["stage"])).kind
        price = _price_label(kind, row, row["stage"] == last)
        output = _output_label(kind, row, per_stage[row["stage"]] == 1)
        rows.append((c, "product", str(name), price, str(row["stage"]), output))
    rows += _recycled_rows(network, {r[2]: r[5] for r in rows if r[1] == "product"})
    return pd.DataFrame(rows, columns=NAME_COLUMNS)


class _Names:
    """Lookups from pack names to their IAMC spelling."""

    def __init__(self, names: pd.DataFrame) -> None:
        self.names = names
        self._tables: dict[tuple[str, str], pd.Series] = {}

    def _table(self, kind: str, field: str) -> pd.Series:
        """``field`` of every ``kind`` entry by (commodity, name), built once per pair."""
        key = (kind, field)
        if key not in self._tables:
            part = self.names[self.names["kind"] == kind]
            self._tables[key] = part.set_index(["commodity", "name"])[field]
        return self._tables[key]

    def of(
        self, frame: pd.DataFrame, kind: str, column: str = "", field: str = "label"
    ) -> pd.Series:
        """The spelling of ``frame[column]`` (a ``kind`` name), per row; the commodity's own
        spelling where ``kind`` is ``commodity``."""
        table = self._table(kind, field)
        names = frame["commodity"] if kind == "commodity" else frame[column]
        index = pd.MultiIndex.from_arrays([frame["commodity"].to_numpy(), names.to_numpy()])
        found = table.reindex(index).to_numpy(object)
        if pd.isna(found).any():
            missing = index[pd.isna(found)][0]
            raise MineralflowError(f"no IAMC name for {kind} '{missing[1]}' of '{missing[0]}'")
        return pd.Series(found, index=frame.index, dtype=object)


def _variables(kind: str, *parts: pd.Series) -> pd.Series:
    """``Kind|a|b|...`` per row, leaving out empty parts."""
    out = pd.Series(kind, index=parts[0].index if parts else None, dtype=object)
    for part in parts:
        text = part.astype(str)
        out = out.where(text == "", out + "|" + text)
    return out


def _rows(frame: pd.DataFrame, variable: pd.Series, unit: str | None = None) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "region": frame["region"],
            "variable": variable,
            "unit": frame["unit"] if unit is None else unit,
            "year": frame["year"],
            "value": frame["value"],
        }
    )


def _with_world(rows: pd.DataFrame) -> pd.DataFrame:
    """``rows`` and their sum over regions as ``World``."""
    total = rows.groupby(["variable", "unit", "year"], sort=False, as_index=False)["value"].sum()
    return pd.concat([rows, total.assign(region=WORLD)], ignore_index=True)


def _by_stage(n: _Names, kind: str, frame: pd.DataFrame) -> pd.Series:
    return _variables(kind, n.of(frame, "commodity"), n.of(frame, "stage", "stage"))


def _by_sector(n: _Names, kind: str, frame: pd.DataFrame) -> pd.Series:
    return _variables(kind, n.of(frame, "commodity"), n.of(frame, "sector", "sector"))


def _production(t: Tables, n: _Names) -> list[pd.DataFrame]:
    """Production by stage, and by product where a stage makes several, with World totals."""
    output = t.stage_output()
    p = t.production
    detail = n.of(p, "product", "product", "detail")
    p, detail = p[detail != ""], detail[detail != ""]
    by_product = _variables("Production", n.of(p, "commodity"), n.of(p, "stage", "stage"), detail)
    return [
        _with_world(_rows(output, _by_stage(n, "Production", output))),
        _with_world(_rows(p, by_product)),
    ]


def _stage_rows(t: Tables, n: _Names) -> list[pd.DataFrame]:
    """Stock change, capacity, exports and imports (and imports of a plain last stage)."""
    trade = t.trade
    kind = trade["direction"].map(TRADE)
    stage = n.of(trade, "stage", "stage")
    variables = kind + "|" + n.of(trade, "commodity") + "|" + stage
    last = {c: t.stages(c)[-1] for c in t.commodities}
    plain = n.of(trade, "stage", "stage", "detail") == "plain"
    whole = (trade["direction"] == "imports") & plain
    whole &= trade["stage"].to_numpy() == trade["commodity"].map(last).to_numpy()
    imports = trade[whole]
    return [
        _rows(t.stock_change, _by_stage(n, "Stock Change", t.stock_change)),
        *(
            _with_world(_rows(part, _by_stage(n, kind, part)))
            for kind, part in _stock_parts(t.stocks)
        ),
        _with_world(_rows(t.capacity, _by_stage(n, "Capacity", t.capacity))),
        _rows(t.utilisation, _by_stage(n, "Utilisation", t.utilisation), "%"),
        _with_world(_rows(t.investment, _by_stage(n, "Investment", t.investment))),
        _rows(trade, variables),
        _rows(imports, "Imports|" + n.of(imports, "commodity")),
    ]


#: the IAMC kind of each measure of the stocks table
STOCK_KINDS = {
    "level": "Stock",
    "release": "Stock Release",
    "absorption": "Stock Absorption",
    "government": "Government Stock",
}


def _stock_parts(stocks: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    return [(kind, stocks[stocks["measure"] == m]) for m, kind in STOCK_KINDS.items()]


def _demand_rows(t: Tables, n: _Names) -> list[pd.DataFrame]:
    """Consumption, shortage and demand reduction by sector, and total consumption where
    sectors share a unit."""
    out = [
        _with_world(_rows(t.consumption, _by_sector(n, "Consumption", t.consumption))),
        _with_world(_shortage(t, n)),
        _with_world(
            _rows(t.demand_reduction, _by_sector(n, "Demand Reduction", t.demand_reduction))
        ),
    ]
    c = t.consumption
    units = c.groupby("commodity")["unit"].nunique()
    one = c[c["commodity"].map(units).to_numpy() == 1]
    total = one.groupby(["commodity", "region", "year", "unit"], as_index=False, sort=False)[
        "value"
    ].sum()
    out.append(_with_world(_rows(total, _variables("Consumption", n.of(total, "commodity")))))
    return out


def _price_rows(t: Tables, n: _Names) -> pd.DataFrame:
    p = t.prices
    variables = _variables("Price", n.of(p, "commodity"), n.of(p, "product", "product"))
    return _rows(p, variables, "USD/kg")


def _payment_rows(t: Tables, n: _Names) -> pd.DataFrame:
    p = t.payments
    variables = _variables(
        "Price Floor Payment", n.of(p, "commodity"), n.of(p, "product", "product")
    )
    return _with_world(_rows(p, variables, "million USD"))


def _origin_rows(t: Tables, n: _Names) -> list[pd.DataFrame]:
    """Dependence by stage and origin; flows between stages for region ``A>B``."""
    d, f = t.dependence, t.flows
    dependence = _variables(
        "Dependence", n.of(d, "commodity"), n.of(d, "stage", "stage"), d["origin"]
    )
    flows = _variables(
        "Flow", n.of(f, "commodity"), n.of(f, "stage", "stage"), n.of(f, "stage", "to_stage")
    )
    ends = f.assign(region=f["origin"].astype(str) + ">" + f["region"].astype(str))
    return [_rows(d, dependence, "%"), _rows(ends, flows)]


def _share(t: Tables, n: _Names) -> pd.DataFrame:
    share = shares(t)
    return _rows(share, _by_stage(n, "Share", share), "%")


def _hhi(t: Tables, n: _Names) -> pd.DataFrame:
    index = hhi(t)
    return _rows(index.assign(region=WORLD), _by_stage(n, "HHI", index), "index")


def _reliance(t: Tables, n: _Names) -> pd.DataFrame:
    reliance = net_import_reliance(t)
    return _rows(reliance, _by_stage(n, "Net Import Reliance", reliance), "%")


def _risk(t: Tables, n: _Names) -> pd.DataFrame:
    risk = t.supply_risk
    variables = _variables("Supply Risk", n.of(risk, "commodity"), risk["material"])
    return _rows(risk, variables, "index")


def _shortage(t: Tables, n: _Names) -> pd.DataFrame:
    return _rows(t.shortage, _by_sector(n, "Shortage", t.shortage))


#: the series :func:`series` can name
SERIES = {
    "share": _share,
    "hhi": _hhi,
    "reliance": _reliance,
    "supply_risk": _risk,
    "prices": _price_rows,
    "shortage": _shortage,
}


def variable_names(tables: Tables, kind: str, frame: pd.DataFrame) -> pd.Series:
    """The IAMC variable of each row of ``frame``: ``kind`` ``Share`` (rows with commodity
    and stage) or ``Price`` (rows with commodity and product), aligned with the rows."""
    n = _Names(tables.names)
    if kind == "Price":
        return _variables("Price", n.of(frame, "commodity"), n.of(frame, "product", "product"))
    return _by_stage(n, kind, frame)


def series(tables: Tables, which: str) -> pd.DataFrame:
    """One family of IAMC rows (region, variable, unit, year, value), with ``name``: the
    variable without its kind word, for display."""
    rows = SERIES[which](tables, _Names(tables.names))
    return rows.assign(name=rows["variable"].str.partition("|")[2])


def to_iamc(tables: Tables, scenario: str) -> pd.DataFrame:
    """The IAMC long table of ``tables``, with World totals and the indicators."""
    n = _Names(tables.names)
    parts = [
        *_production(tables, n),
        *_stage_rows(tables, n),
        *_demand_rows(tables, n),
        _price_rows(tables, n),
        _payment_rows(tables, n),
        *_origin_rows(tables, n),
        *(SERIES[k](tables, n) for k in ("share", "hhi", "reliance", "supply_risk")),
    ]
    out = pd.concat([p for p in parts if len(p)], ignore_index=True)
    out.insert(0, "scenario", scenario)
    out.insert(0, "model", MODEL)
    out = out.astype({"year": "int64", "value": "float64"})
    return out[COLUMNS].sort_values(["variable", "region", "year"]).reset_index(drop=True)


# ------------------------------------------------------------------ IAMC -> tables
class _Parsed:
    """An IAMC table split into kind, commodity and the rest of each variable."""

    def __init__(self, frame: pd.DataFrame, names: pd.DataFrame) -> None:
        self.names = names
        parts = frame["variable"].str.split("|", n=2, expand=True).reindex(columns=[0, 1, 2])
        commodities = names[names["kind"] == "commodity"]
        by_label = dict(zip(commodities["label"], commodities["name"], strict=True))
        self.frame = frame.assign(
            kind=parts[0], commodity=parts[1].map(by_label), rest=parts[2].fillna("")
        )
        unknown = self.frame.loc[self.frame["commodity"].isna(), "variable"]
        if len(unknown):
            raise MineralflowError(
                f"IAMC variable '{unknown.iloc[0]}' names a commodity the run's vocabulary "
                f"lacks; known: {', '.join(by_label)}"
            )

    def lookup(
        self, rows: pd.DataFrame, kind: str, label: pd.Series, field: str = "label"
    ) -> pd.Series:
        part = self.names[self.names["kind"] == kind]
        table = part.drop_duplicates(["commodity", field]).set_index(["commodity", field])["name"]
        index = pd.MultiIndex.from_arrays([rows["commodity"].to_numpy(), label.to_numpy()])
        return pd.Series(table.reindex(index).to_numpy(object), index=rows.index)

    def kind(self, kind: str, world: bool = False) -> pd.DataFrame:
        rows = self.frame[self.frame["kind"] == kind]
        return rows if world else rows[rows["region"] != WORLD]

    def staged(self, kind: str, depth: int, world: bool = False) -> pd.DataFrame:
        """Rows of ``kind`` whose rest is ``depth`` parts, with the first part as ``stage``."""
        rows = self.kind(kind, world)
        rows = rows[rows["rest"] != ""]
        pieces = rows["rest"].str.split("|", n=depth - 1, expand=True).reindex(columns=range(depth))
        rows = rows[
            pieces.notna().all(axis=1).to_numpy() & (rows["rest"].str.count(r"\|") == depth - 1)
        ]
        pieces = pieces.loc[rows.index]
        return rows.assign(
            stage=self.lookup(rows, "stage", pieces[0]),
            **{f"part{i}": pieces[i] for i in range(1, depth)},
        )


def _production_from(p: _Parsed) -> pd.DataFrame:
    products = p.names[p.names["kind"] == "product"]
    rows = p.kind("Production")
    head = rows["rest"].str.split("|", n=1, expand=True).reindex(columns=[0, 1])
    rows = rows.assign(stage=p.lookup(rows, "stage", head[0]), detail=head[1].fillna(""))
    # what recycling stages recover: products of other stages, by the recycling stage
    recycled = p.names[p.names["kind"] == "recycled"]
    products = pd.concat([products, recycled], ignore_index=True)
    alone = products[products["detail"] == ""].set_index(["commodity", "stage"])["name"]
    single = rows[rows["detail"] == ""]
    single = single.assign(
        product=alone.reindex(
            pd.MultiIndex.from_arrays([single["commodity"], single["stage"]])
        ).to_numpy(object)
    ).dropna(subset=["product"])
    detailed = rows[rows["detail"] != ""]
    by_detail = products.set_index(["commodity", "stage", "detail"])["name"]
    at = pd.MultiIndex.from_frame(detailed[["commodity", "stage", "detail"]])
    detailed = detailed.assign(product=by_detail.reindex(at).to_numpy(object))
    return pd.concat([single, detailed], ignore_index=True)


def from_iamc(frame: pd.DataFrame, names: pd.DataFrame) -> Tables:
    """The tables of an IAMC long table written by :func:`to_iamc` with vocabulary ``names``.

    World totals and indicators are left out: they are recomputed from the tables.
    """
    if names.empty:
        raise MineralflowError(
            "these results carry no vocabulary of names (stored by an older version); "
            "run the scenario again"
        )
    p = _Parsed(frame, names)
    trade = pd.concat(
        [p.staged(kind, 1).assign(direction=d) for d, kind in TRADE.items()], ignore_index=True
    )
    consumption, shortage, reduction = (
        p.staged(kind, 1).pipe(lambda r: r.assign(sector=p.lookup(r, "sector", r["rest"])))
        for kind in ("Consumption", "Shortage", "Demand Reduction")
    )
    prices = p.kind("Price", world=True)
    prices = prices.assign(product=p.lookup(prices, "product", prices["rest"]))
    payments = p.kind("Price Floor Payment")
    payments = payments.assign(product=p.lookup(payments, "product", payments["rest"]))
    flows = p.staged("Flow", 2)
    ends = flows["region"].str.split(">", n=1, expand=True).reindex(columns=[0, 1])
    flows = flows.assign(
        to_stage=p.lookup(flows, "stage", flows["part1"]), origin=ends[0], region=ends[1]
    )
    dependence = p.staged("Dependence", 2).rename(columns={"part1": "origin"})
    risk = p.kind("Supply Risk").assign(material=lambda r: r["rest"])
    parts = {
        "production": _production_from(p),
        "consumption": consumption.dropna(subset=["sector"]),
        "shortage": shortage.dropna(subset=["sector"]),
        "demand_reduction": reduction.dropna(subset=["sector"]),
        "trade": trade,
        "stock_change": p.staged("Stock Change", 1),
        "stocks": pd.concat(
            [p.staged(kind, 1).assign(measure=m) for m, kind in STOCK_KINDS.items()],
            ignore_index=True,
        ),
        "capacity": p.staged("Capacity", 1),
        "utilisation": p.staged("Utilisation", 1, world=True),
        "investment": p.staged("Investment", 1),
        "payments": payments,
        "prices": prices,
        "flows": flows,
        "dependence": dependence,
        "supply_risk": risk,
    }
    return Tables(**{k: tidy(k, v) for k, v in parts.items()}, names=names.reset_index(drop=True))


# ------------------------------------------------------------------ files
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


@dataclass(frozen=True)
class Exported:
    """What an export did: the files written, and older result files it removed."""

    written: list[Path]
    removed: list[Path]


def safe_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would run as formulas, neutralised (every text column)."""
    text = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    return frame.assign(
        **{c: frame[c].map(lambda v: neutralise(v) if isinstance(v, str) else v) for c in text}
    )


def _writers(
    frame: pd.DataFrame, formats: list[str] | tuple[str, ...], meta: dict[str, str]
) -> dict[str, Callable[[Path], None]]:
    """One writer per format, each writing the whole file to the path it is given."""
    writers: dict[str, Callable[[Path], None]] = {}
    for fmt in formats:
        if fmt == "csv":
            writers[FORMATS[fmt]] = lambda p: safe_text(frame).to_csv(p, index=False)
        elif fmt == "parquet":
            writers[FORMATS[fmt]] = lambda p: frame.to_parquet(p, index=False)
        elif fmt == "iamc":
            writers[FORMATS[fmt]] = lambda p: safe_text(wide_iamc(frame)).to_csv(p, index=False)
        else:
            writers[FORMATS[fmt]] = lambda p: _write_excel(frame, meta, p)
    return writers


def _write_excel(frame: pd.DataFrame, meta: dict[str, str], path: Path) -> None:
    scenarios = frame[["model", "scenario"]].drop_duplicates()
    info = scenarios.assign(exclude=False, **meta)
    with pd.ExcelWriter(path, engine="openpyxl") as book:
        safe_text(wide_iamc(frame)).to_excel(book, sheet_name="data", index=False)
        safe_text(info).to_excel(book, sheet_name="meta", index=False)


def export_results(
    frame: pd.DataFrame,
    folder: Path,
    formats: list[str] | tuple[str, ...] = ("csv",),
    meta: dict[str, str] | None = None,
) -> Exported:
    """Write the IAMC results in each format into ``folder``.

    Every file is written whole under a temporary name and renamed when all are complete, so an
    interrupted export leaves no half-written file under a real name.  Result files of other
    formats from an earlier export into the same folder are removed (and listed), so the folder
    never mixes two runs.  Text that a spreadsheet would run as a formula is written with a
    leading apostrophe (CSV and Excel; Parquet keeps the text as it is).
    """
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise MineralflowError(
            f"unknown export format '{unknown[0]}'; formats: {', '.join(FORMATS)}"
        )
    # rounded to 6 decimals; + 0.0 turns -0.0 (a negative rounding residue) into 0.0
    rounded = frame.assign(value=np.round(frame["value"].to_numpy(float), 6) + 0.0)
    written = write_files(folder, _writers(rounded, formats, meta or {}), "export")
    others = [name for fmt, name in FORMATS.items() if fmt not in formats]
    return Exported(written, remove_files(folder, others))
