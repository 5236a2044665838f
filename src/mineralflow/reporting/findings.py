"""Headline findings of a run as sentences with numbers, in English or Chinese."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from mineralflow.comparison import LIMITED, SIGNIFICANT, horizon
from mineralflow.data.pack import ReportSettings
from mineralflow.errors import MineralflowError
from mineralflow.metrics.indicators import hhi, shares
from mineralflow.metrics.supply_risk import REGION as EU
from mineralflow.reporting import i18n
from mineralflow.reporting.charts import product_name
from mineralflow.tables import WORLD, Tables


def _value(rows: pd.DataFrame, year: int, **labels: str) -> float | None:
    """The value of the one row of ``rows`` in ``year`` with these dimension values."""
    hit = rows["year"] == year
    for column, value in labels.items():
        hit &= rows[column] == value
    found = rows.loc[hit, "value"]
    return float(found.iloc[0]) if len(found) else None


def _pct(value: float) -> str:
    return f"{value:.1f} %"


def _num(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.1f}"


SHORTFALL_COLUMNS = ["region", "commodity", "sector", "unit", "year", "value", "share", "rationed"]
MIN_SHORTFALL = 0.5  # %: of the reference, below which a cut in use is not reported


def shortfalls(t: Tables, base: Tables | None = None) -> pd.DataFrame:
    """What each region's sectors go without, by year, largest share first.

    The reference is the base run's consumption where there is a base run, else what the
    sector would buy at base-year prices (consumption + shortage + demand reduction).
    ``value``: how much less it used (the sector's unit); ``share``: % of the reference;
    ``rationed``: the part of it unserved even at the buyers' price cap (shortage), the rest
    given up at the higher price. Units differ between sectors, so the ranking is by share.
    """
    keys = ["commodity", "region", "sector", "unit", "year"]
    used = t.consumption.set_index(keys)["value"]
    if base is not None:
        reference = base.consumption.set_index(keys)["value"]
    else:
        parts = (t.consumption, t.shortage, t.demand_reduction)
        reference = pd.concat([p.set_index(keys)["value"] for p in parts]).groupby(keys).sum()
    reference = reference[reference > 0]
    short = t.shortage.set_index(keys)["value"].groupby(keys).sum()
    gone = reference - used.reindex(reference.index).fillna(0.0)
    share = 100 * gone / reference
    keep = (gone >= 1.0) & (share >= MIN_SHORTFALL)
    if not keep.any():
        return pd.DataFrame(columns=SHORTFALL_COLUMNS)
    out = pd.DataFrame(
        {
            "value": gone[keep],
            "share": share[keep],
            "rationed": short.reindex(gone[keep].index).fillna(0.0),
        }
    ).reset_index()
    out = out.sort_values(["share", "year"], ascending=[False, True], kind="stable")
    return out[SHORTFALL_COLUMNS].reset_index(drop=True)


def focus_year(t: Tables) -> int:
    """The year the headlines speak of: 2030 when the run has it, else its last year."""
    years = t.years
    return 2030 if 2030 in years else int(years[-1])


@dataclass(frozen=True)
class _Context:
    """What every headline sentence reads: the runs, the packs' report settings, language."""

    t: Tables
    base: Tables | None
    base_name: str
    lang: str
    year: int
    first: int
    settings: dict[str, ReportSettings]

    def before(self, table: str, **labels: str) -> float | None:
        if self.base is None:
            return None
        return _value(getattr(self.base, table), self.year, **labels)

    def commodity(self, c: str) -> str:
        return self.t.label(c, "commodity", c)

    def stage_label(self, c: str, stage: str) -> str:
        return i18n.stage_label(self.commodity(c), self.t.label(c, "stage", stage), self.lang)


def _share_sentences(c: _Context) -> list[str]:
    out = []
    share = shares(c.t)
    base = None if c.base is None else shares(c.base)
    for commodity, s in c.settings.items():
        region = s.focus_region
        for stage in s.key_stages if region else []:
            labels = {"commodity": commodity, "stage": stage, "region": str(region)}
            value = _value(share, c.year, **labels)
            if value is None:
                continue
            words = {
                "country": i18n.country(str(region), c.lang),
                "stage": c.stage_label(commodity, stage),
                "year": c.year,
                "value": _pct(value),
            }
            before = None if base is None else _value(base, c.year, **labels)
            if before is None:
                out.append(i18n.text("share", c.lang, **words))
                continue
            change = i18n.text("pp", c.lang, value=value - before)
            out.append(
                i18n.text(
                    "share_change", c.lang, base=_pct(before), base_name=c.base_name,
                    change=change, **words,
                )
            )  # fmt: skip
    return out


def _hhi_sentences(c: _Context) -> list[str]:
    out = []
    index = hhi(c.t)
    for commodity, s in c.settings.items():
        if s.concentration_stage is None:
            continue
        value = _value(index, c.year, commodity=commodity, stage=s.concentration_stage)
        if value is None:
            continue
        level = "concentrated" if value > 2500 else "unconcentrated"
        out.append(
            i18n.text(
                "hhi",
                c.lang,
                stage=c.stage_label(commodity, s.concentration_stage),
                level=i18n.text(level, c.lang),
                value=f"{value:,.0f}",
                year=c.year,
            )
        )
    return out


#: a median price outside the focus region this many times its own makes a split market,
#: whose headline quotes both prices instead of the world average
SPLIT = 1.10


def _split(c: _Context, commodity: str, product: str, region: str | None) -> list[str]:
    """The sentence quoting the prices inside and outside ``region`` where they split."""
    rows = c.t.prices
    rows = rows[(rows["commodity"] == commodity) & (rows["product"] == product)
                & (rows["year"] == c.year) & (rows["region"] != WORLD)]  # fmt: skip
    inside = rows.loc[rows["region"] == region, "value"]
    others = rows.loc[rows["region"] != region, "value"]
    if region is None or inside.empty or others.empty:
        return []
    here, there = float(inside.iloc[0]), float(others.median())
    if here <= 0 or there < SPLIT * here:
        return []
    words = {
        "product": product_name(c.t, commodity, product, c.lang),
        "country": i18n.country(region, c.lang),
        "inside": _num(here),
        "outside": _num(there),
        "markets": len(others),
        "factor": f"{there / here:.1f}",
        "year": c.year,
    }
    return [i18n.text("price_split", c.lang, **words)]


def _price_sentences(c: _Context) -> list[str]:
    out = []
    for commodity, s in c.settings.items():
        for product in s.key_prices:
            split = _split(c, commodity, product, s.focus_region)
            if split:
                out.extend(split)
                continue
            labels = {"commodity": commodity, "product": product, "region": WORLD}
            price = _value(c.t.prices, c.year, **labels)
            if price is None:
                continue
            versus = ""
            before = c.before("prices", **labels)
            if before:
                versus = i18n.text(
                    "price_versus", c.lang, factor=f"{price / before:.2f}", base=_num(before),
                    base_name=c.base_name,
                )  # fmt: skip
            name = product_name(c.t, commodity, product, c.lang)
            out.append(
                i18n.text(
                    "price", c.lang, product=name, value=_num(price), year=c.year, versus=versus
                )
            )
    return out


def _shortage_sentences(c: _Context) -> list[str]:
    short = shortfalls(c.t, c.base)
    if short.empty:
        return [i18n.text("no_shortage", c.lang)]
    top = short.iloc[0]
    sector = c.t.label(str(top["commodity"]), "sector", str(top["sector"]))
    unit = i18n.unit(str(top["unit"]), c.lang)
    rationed = float(top["rationed"])
    how = (
        i18n.text("how_rationed", c.lang, value=_num(rationed), unit=unit)
        if rationed >= 1.0
        else i18n.text("how_priced", c.lang)
    )
    against = (
        i18n.text("against_base", c.lang, base_name=c.base_name)
        if c.base is not None
        else i18n.text("against_prices", c.lang, first=c.first)
    )
    return [
        i18n.text(
            "shortage",
            c.lang,
            year=int(top["year"]),
            against=against,
            country=i18n.country(str(top["region"]), c.lang),
            sector=i18n.sector(sector, c.lang),
            value=_num(float(top["value"])),
            unit=unit,
            share=_pct(float(top["share"])),
            how=how,
        )
    ]


def _dependence_sentences(c: _Context) -> list[str]:
    """Where the first two dependence stages of the focus region's consumers took place."""
    out = []
    for commodity, s in c.settings.items():
        if s.focus_region is None or len(s.dependence_stages) < 2:
            continue
        first, second = s.dependence_stages[:2]
        for consumer in [r for r in s.consumers if r != s.focus_region][:3]:
            labels = {"commodity": commodity, "region": consumer, "origin": s.focus_region}
            sep = _value(c.t.dependence, c.year, stage=first, **labels)
            mag = _value(c.t.dependence, c.year, stage=second, **labels)
            if sep is None and mag is None:
                continue
            out.append(
                i18n.text(
                    "dependence", c.lang, country=i18n.country(consumer, c.lang),
                    value=_pct(sep or 0.0), magnet=_pct(mag or 0.0), year=c.year,
                    origin=i18n.country(s.focus_region, c.lang),
                )
            )  # fmt: skip
    return out


def _supply_risk_sentences(c: _Context, references: dict[str, float]) -> list[str]:
    out = []
    risk = c.t.supply_risk
    for material, reference in references.items():
        value = _value(risk, c.year, material=material, region=EU)
        start = _value(risk, c.first, material=material, region=EU)
        if value is None or start is None:
            continue
        key = "supply_risk_rising" if value >= start else "supply_risk_falling"
        out.append(
            i18n.text(
                "supply_risk",
                c.lang,
                material=material,
                value=f"{value:.2f}",
                year=c.year,
                verdict=i18n.text(key, c.lang, start=f"{start:.2f}", first=c.first),
                reference=f"{reference:.1f}",
            )
        )
    return out


def headlines(
    t: Tables,
    base: Tables | None,
    base_name: str,
    lang: str,
    settings: dict[str, ReportSettings],
    references: dict[str, float] | None = None,
) -> list[str]:
    """The sentences at the top of the report; ``settings``: each pack's report section,
    ``references``: published supply-risk indices."""
    c = _Context(t, base, base_name, lang, focus_year(t), t.years[0], settings)
    return [
        *_share_sentences(c),
        *_hhi_sentences(c),
        *_price_sentences(c),
        *_shortage_sentences(c),
        *_dependence_sentences(c),
        *_supply_risk_sentences(c, references or {}),
    ]


def horizon_sentences(
    t: Tables, base: Tables, base_name: str, lang: str, name: str | None = None
) -> tuple[str, list[str], pd.DataFrame]:
    """The short- versus long-term statement of ``t`` (named ``name``, or 'this scenario')
    against ``base``: an introduction, one sentence per stage."""
    try:
        table = horizon(base, t)
    except MineralflowError:
        return "", [], pd.DataFrame()
    intro = i18n.text(
        "horizon_intro",
        lang,
        scenario=i18n.text("this_scenario", lang)
        if name is None
        else i18n.text("named_scenario", lang, name=name),
        base_name=base_name,
        limited=f"{LIMITED:g}",
        significant=f"{SIGNIFICANT:g}",
    )
    sentences = []
    for (commodity, stage), part in table.groupby(["commodity", "stage"], sort=False):
        cells = "; ".join(
            i18n.text(
                "horizon_cell",
                lang,
                base=_pct(float(row.base)),  # type: ignore[arg-type]
                value=_pct(float(row.scenario)),  # type: ignore[arg-type]
                year=row.year,
                change=i18n.text("pp", lang, value=row.change),
            )
            for row in part.itertuples()
        )
        c, st = str(commodity), str(stage)
        label = i18n.stage_label(t.label(c, "commodity", c), t.label(c, "stage", st), lang)
        label = label[:1].upper() + label[1:]
        verdict = i18n.VERDICTS[lang][str(part["verdict"].iloc[0])]
        sentences.append(i18n.text("horizon", lang, stage=label, cells=cells, verdict=verdict))
    return intro, sentences, table
