"""Headline findings of a run as sentences with numbers, in English or Chinese."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from mineralflow.compare import LIMITED, SIGNIFICANT, horizon
from mineralflow.errors import MineralflowError
from mineralflow.metrics.supply_risk import REGION as EU
from mineralflow.report import i18n

WORLD = "World"
KEY_STAGES = (("Rare Earths", "Mining"), ("Rare Earths", "Separation"), ("Aluminium", "Primary"))
KEY_PRICES = ("Price|Rare Earths|Oxide|Nd", "Price|Rare Earths|Oxide|Dy", "Price|Aluminium")


def _value(frame: pd.DataFrame, variable: str, region: str, year: int) -> float | None:
    hit = frame[
        (frame["variable"] == variable) & (frame["region"] == region) & (frame["year"] == year)
    ]
    return float(hit["value"].iloc[0]) if len(hit) else None


def _pct(value: float) -> str:
    return f"{value:.1f} %"


def _num(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.1f}"


def shortages(frame: pd.DataFrame, year: int) -> pd.DataFrame:
    """Shortages of ``year`` by region and sector, largest share of demand first.

    Columns: region, commodity, sector, unit, value (t) and share (% of what the sector
    would have bought: consumption plus shortage). Units differ between sectors, so the
    ranking is by share.
    """
    rows = frame[(frame["year"] == year) & (frame["region"] != WORLD)]
    short = rows[rows["variable"].str.startswith("Shortage|")]
    short = short[short["value"] >= 1.0]
    if short.empty:
        return pd.DataFrame(columns=["region", "commodity", "sector", "unit", "value", "share"])
    used = rows[rows["variable"].str.startswith("Consumption|")].set_index(["region", "variable"])[
        "value"
    ]
    consumed = used.reindex(
        pd.MultiIndex.from_arrays(
            [short["region"], short["variable"].str.replace("Shortage|", "Consumption|", n=1)]
        )
    ).fillna(0.0)
    parts = short["variable"].str.split("|")
    out = pd.DataFrame(
        {
            "region": short["region"].to_numpy(),
            "commodity": parts.str[1].to_numpy(),
            "sector": parts.str[-1].to_numpy(),
            "unit": short["unit"].to_numpy(),
            "value": short["value"].to_numpy(float),
            "share": 100
            * short["value"].to_numpy(float)
            / (short["value"].to_numpy(float) + consumed.to_numpy(float)),
        }
    )
    return out.sort_values("share", ascending=False, kind="stable").reset_index(drop=True)


def focus_year(frame: pd.DataFrame) -> int:
    """The year the headlines speak of: 2030 when the run has it, else its last year."""
    years = sorted(frame["year"].unique())
    return 2030 if 2030 in years else int(years[-1])


@dataclass(frozen=True)
class _Context:
    """What every headline sentence reads: the run, its comparison, language and year."""

    frame: pd.DataFrame
    base: pd.DataFrame | None
    base_name: str
    lang: str
    year: int
    first: int

    def before(self, variable: str, region: str) -> float | None:
        return None if self.base is None else _value(self.base, variable, region, self.year)


def _share_sentences(c: _Context) -> list[str]:
    out = []
    for commodity, stage in KEY_STAGES:
        variable = f"Share|{commodity}|{stage}"
        value = _value(c.frame, variable, "CHN", c.year)
        if value is None:
            continue
        words = {
            "country": i18n.country("CHN", c.lang),
            "stage": i18n.stage_label(commodity, stage, c.lang),
            "year": c.year,
            "value": _pct(value),
        }
        before = c.before(variable, "CHN")
        if before is None:
            out.append(i18n.text("share", c.lang, **words))
            continue
        change = i18n.text("pp", c.lang, value=value - before)
        out.append(
            i18n.text(
                "share_change",
                c.lang,
                base=_pct(before),
                base_name=c.base_name,
                change=change,
                **words,
            )
        )
    return out


def _hhi_sentences(c: _Context) -> list[str]:
    hhi = _value(c.frame, "HHI|Rare Earths|Separation", WORLD, c.year)
    if hhi is None:
        return []
    level = "concentrated" if hhi > 2500 else "unconcentrated"
    return [
        i18n.text(
            "hhi",
            c.lang,
            stage=i18n.stage_label("Rare Earths", "Separation", c.lang),
            level=i18n.text(level, c.lang),
            value=f"{hhi:,.0f}",
            year=c.year,
        )
    ]


def _price_sentences(c: _Context) -> list[str]:
    out = []
    for variable in KEY_PRICES:
        price = _value(c.frame, variable, WORLD, c.year)
        if price is None:
            continue
        product = variable.split("|")[-1]
        if variable == "Price|Aluminium":
            product = i18n.commodity("Aluminium", c.lang)
        elif c.lang == "zh":
            product = f"氧化{product}"
        else:
            product = f"{product} oxide"
        versus = ""
        before = c.before(variable, WORLD)
        if before:
            versus = i18n.text(
                "price_versus",
                c.lang,
                factor=f"{price / before:.2f}",
                base=_num(before),
                base_name=c.base_name,
            )
        out.append(
            i18n.text(
                "price", c.lang, product=product, value=_num(price), year=c.year, versus=versus
            )
        )
    return out


def _shortage_sentences(c: _Context) -> list[str]:
    short = shortages(c.frame, c.year)
    if short.empty:
        return [i18n.text("no_shortage", c.lang)]
    top = short.iloc[0]
    return [
        i18n.text(
            "shortage",
            c.lang,
            year=c.year,
            country=i18n.country(str(top["region"]), c.lang),
            sector=i18n.sector(str(top["sector"]), c.lang),
            value=_num(float(top["value"])),
            unit=i18n.unit(str(top["unit"]), c.lang),
            share=_pct(float(top["share"])),
        )
    ]


def _dependence_sentences(c: _Context) -> list[str]:
    out = []
    for consumer in ("JPN", "USA", "DEU"):
        sep = _value(c.frame, "Dependence|Rare Earths|Separation|CHN", consumer, c.year)
        mag = _value(c.frame, "Dependence|Rare Earths|Magnet|CHN", consumer, c.year)
        if sep is None and mag is None:
            continue
        out.append(
            i18n.text(
                "dependence",
                c.lang,
                country=i18n.country(consumer, c.lang),
                value=_pct(sep or 0.0),
                magnet=_pct(mag or 0.0),
                year=c.year,
            )
        )
    return out


def _supply_risk_sentences(c: _Context, references: dict[str, float]) -> list[str]:
    out = []
    for material, reference in references.items():
        variable = f"Supply Risk|Rare Earths|{material}"
        value = _value(c.frame, variable, EU, c.year)
        start = _value(c.frame, variable, EU, c.first)
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
    frame: pd.DataFrame,
    base: pd.DataFrame | None,
    base_name: str,
    lang: str,
    references: dict[str, float] | None = None,
) -> list[str]:
    """The sentences at the top of the report; ``references``: published supply-risk indices."""
    c = _Context(frame, base, base_name, lang, focus_year(frame), int(frame["year"].min()))
    return [
        *_share_sentences(c),
        *_hhi_sentences(c),
        *_price_sentences(c),
        *_shortage_sentences(c),
        *_dependence_sentences(c),
        *_supply_risk_sentences(c, references or {}),
    ]


def horizon_sentences(
    frame: pd.DataFrame, base: pd.DataFrame, base_name: str, lang: str
) -> tuple[str, list[str], pd.DataFrame]:
    """The short- versus long-term statement: an introduction, one sentence per stage."""
    try:
        table = horizon(base, frame)
    except MineralflowError:
        return "", [], pd.DataFrame()
    intro = i18n.text(
        "horizon_intro",
        lang,
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
        label = i18n.stage_label(str(commodity), str(stage), lang)
        label = label[:1].upper() + label[1:]
        verdict = i18n.VERDICTS[lang][str(part["verdict"].iloc[0])]
        sentences.append(i18n.text("horizon", lang, stage=label, cells=cells, verdict=verdict))
    return intro, sentences, table
