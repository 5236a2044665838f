"""Headline findings of a run as sentences with numbers, in English or Chinese."""

from __future__ import annotations

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


def headlines(
    frame: pd.DataFrame,
    base: pd.DataFrame | None,
    base_name: str,
    lang: str,
    references: dict[str, float] | None = None,
) -> list[str]:
    """The sentences at the top of the report; ``references``: published supply-risk indices."""
    year = focus_year(frame)
    first = int(frame["year"].min())
    out = []
    for commodity, stage in KEY_STAGES:
        variable = f"Share|{commodity}|{stage}"
        value = _value(frame, variable, "CHN", year)
        if value is None:
            continue
        words = {
            "country": i18n.country("CHN", lang),
            "stage": i18n.stage_label(commodity, stage, lang),
            "year": year,
            "value": _pct(value),
        }
        before = None if base is None else _value(base, variable, "CHN", year)
        if before is None:
            out.append(i18n.text("share", lang, **words))
        else:
            change = i18n.text("pp", lang, value=value - before)
            out.append(
                i18n.text(
                    "share_change",
                    lang,
                    base=_pct(before),
                    base_name=base_name,
                    change=change,
                    **words,
                )
            )
    hhi = _value(frame, "HHI|Rare Earths|Separation", WORLD, year)
    if hhi is not None:
        level = "concentrated" if hhi > 2500 else "unconcentrated"
        out.append(
            i18n.text(
                "hhi",
                lang,
                stage=i18n.stage_label("Rare Earths", "Separation", lang),
                level=i18n.text(level, lang),
                value=f"{hhi:,.0f}",
                year=year,
            )
        )
    for variable in KEY_PRICES:
        price = _value(frame, variable, WORLD, year)
        if price is None:
            continue
        product = variable.split("|")[-1]
        if variable == "Price|Aluminium":
            product = i18n.commodity("Aluminium", lang)
        elif lang == "zh":
            product = f"氧化{product}"
        else:
            product = f"{product} oxide"
        versus = ""
        before = None if base is None else _value(base, variable, WORLD, year)
        if before:
            versus = i18n.text(
                "price_versus",
                lang,
                factor=f"{price / before:.2f}",
                base=_num(before),
                base_name=base_name,
            )
        out.append(
            i18n.text("price", lang, product=product, value=_num(price), year=year, versus=versus)
        )
    short = shortages(frame, year)
    if short.empty:
        out.append(i18n.text("no_shortage", lang))
    else:
        top = short.iloc[0]
        out.append(
            i18n.text(
                "shortage",
                lang,
                year=year,
                country=i18n.country(str(top["region"]), lang),
                sector=i18n.sector(str(top["sector"]), lang),
                value=_num(float(top["value"])),
                unit=i18n.unit(str(top["unit"]), lang),
                share=_pct(float(top["share"])),
            )
        )
    for consumer in ("JPN", "USA", "DEU"):
        sep = _value(frame, "Dependence|Rare Earths|Separation|CHN", consumer, year)
        mag = _value(frame, "Dependence|Rare Earths|Magnet|CHN", consumer, year)
        if sep is None and mag is None:
            continue
        out.append(
            i18n.text(
                "dependence",
                lang,
                country=i18n.country(consumer, lang),
                value=_pct(sep or 0.0),
                magnet=_pct(mag or 0.0),
                year=year,
            )
        )
    for material, reference in (references or {}).items():
        variable = f"Supply Risk|Rare Earths|{material}"
        value = _value(frame, variable, EU, year)
        start = _value(frame, variable, EU, first)
        if value is None or start is None:
            continue
        key = "supply_risk_rising" if value >= start else "supply_risk_falling"
        out.append(
            i18n.text(
                "supply_risk",
                lang,
                material=material,
                value=f"{value:.2f}",
                year=year,
                verdict=i18n.text(key, lang, start=f"{start:.2f}", first=first),
                reference=f"{reference:.1f}",
            )
        )
    return out


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
