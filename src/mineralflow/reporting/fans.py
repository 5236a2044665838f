"""An ensemble's ranges in the report: fan charts and headline sentences with their range.

The run with the packs' own estimates gives the report's tables; the ensemble adds, for the
focus region's share of each key stage and for the key prices inside the focus region and
in its first consumer outside it, the members' median with their 25-75 % and 5-95 % bands,
and sentences that give the median and the 90 % range ("China's separation share in 2030:
80 % (77-83 %)").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import plotly.graph_objects as go

from mineralflow.data.pack import Pack
from mineralflow.iamc import variable_names
from mineralflow.metrics.indicators import shares
from mineralflow.reporting import i18n
from mineralflow.reporting.charts import LAYOUT, PALETTE, pairs, product_name
from mineralflow.reporting.findings import focus_year
from mineralflow.tables import Tables

if TYPE_CHECKING:
    from mineralflow.uncertainty.summary import Ensemble

BANDS = ("p05", "p25", "p50", "p75", "p95")


def _with_bands(ensemble: Ensemble, rows: pd.DataFrame) -> pd.DataFrame:
    """``rows`` (region, variable, year, ...) with the ensemble's percentiles of each."""
    q = ensemble.quantiles().reset_index()[["region", "variable", "year", *BANDS]]
    return rows.merge(q, on=["region", "variable", "year"], how="inner")


def share_bands(ensemble: Ensemble, t: Tables, region: str, stages: list[str]) -> pd.DataFrame:
    """``region``'s share of each of ``stages`` by year, with its percentiles."""
    rows = shares(t)
    rows = rows[(rows["region"] == region) & rows["stage"].isin(stages)]
    rows = rows.assign(variable=variable_names(t, "Share", rows).to_numpy())
    return _with_bands(ensemble, rows)


def price_bands(
    ensemble: Ensemble, t: Tables, regions: list[str], products: list[str]
) -> pd.DataFrame:
    """Prices of ``products`` in ``regions`` by year, with their percentiles."""
    rows = t.prices[t.prices["region"].isin(regions) & t.prices["product"].isin(products)]
    rows = rows.assign(variable=variable_names(t, "Price", rows).to_numpy())
    return _with_bands(ensemble, rows)


def _fan(
    rows: pd.DataFrame,
    name_of: dict[tuple[str, str], str],
    title: str,
    y_title: str,
    lang: str,
    **layout: object,
) -> go.Figure:
    """Per key of ``name_of`` ((a, b) columns of ``rows``' ``key``): the 5-95 % band, the
    25-75 % band and the median line, in one colour."""
    fig = go.Figure()
    for i, (key, name) in enumerate(name_of.items()):
        part = rows[rows["key"] == key].sort_values("year")
        if part.empty:
            continue
        color = PALETTE[i % len(PALETTE)]
        for low, high, alpha in (("p05", "p95", 0.15), ("p25", "p75", 0.3)):
            fig.add_trace(go.Scatter(
                x=[*part["year"], *part["year"][::-1]],
                y=[*part[high].round(2), *part[low].round(2)[::-1]],
                fill="toself", mode="lines", line={"width": 0}, fillcolor=color,
                opacity=alpha, name=f"{name} {low[1:]}-{high[1:]} %", legendgroup=name,
                showlegend=False, hoverinfo="skip",
            ))  # fmt: skip
        fig.add_trace(go.Scatter(
            x=part["year"], y=part["p50"].round(2), mode="lines", name=name,
            line={"color": color}, legendgroup=name,
        ))  # fmt: skip
    fig.update_layout(
        title=title, xaxis_title=i18n.text("year", lang), yaxis_title=y_title,
        **{"height": 460, **LAYOUT, **layout},
    )  # fmt: skip
    return fig


def _price_regions(pack: Pack, focus: str) -> list[str]:
    """The focus region and the first consumer of the pack's report settings outside it."""
    return [focus, *[c for c in pack.manifest.report.consumers if c != focus][:1]]


def fan_charts(ensemble: Ensemble, t: Tables, packs: list[Pack], lang: str) -> list[go.Figure]:
    """The focus region's shares of the key stages, and the key prices inside and outside
    it, as fan charts (packs without a focus region are left out)."""
    figures = []
    n = ensemble.draws - len(ensemble.failed)
    for pack in packs:
        s, c = pack.manifest.report, pack.name
        if not s.focus_region:
            continue
        country = i18n.country(s.focus_region, lang)
        rows = share_bands(ensemble, t, s.focus_region, list(s.key_stages))
        rows = rows.assign(key=pairs(rows, "commodity", "stage"))
        label = t.label(c, "commodity", c)
        names = {(c, st): i18n.stage_label(label, t.label(c, "stage", st), lang)
                 for st in s.key_stages}  # fmt: skip
        title = i18n.text("fan_shares", lang, country=country, n=n)
        figures.append(_fan(rows, names, title, i18n.text("share_axis", lang), lang))
        regions = _price_regions(pack, s.focus_region)
        prices = price_bands(ensemble, t, regions, list(s.key_prices))
        prices = prices.assign(key=pairs(prices, "region", "product"))
        names = {(r, p): f"{product_name(t, c, p, lang)} · {i18n.country(r, lang)}"
                 for p in s.key_prices for r in regions}  # fmt: skip
        title = i18n.text("fan_prices", lang, n=n)
        axis = i18n.text("price_axis", lang)
        figures.append(_fan(prices, names, title, axis, lang, yaxis_type="log"))
    return [f for f in figures if f.data]


def _fmt(value: object) -> str:
    """A share or price as the headlines write it: whole numbers from 10 up."""
    number = float(value)  # type: ignore[arg-type]
    return f"{number:,.0f}" if abs(number) >= 10 else f"{number:,.1f}"


def range_sentences(ensemble: Ensemble, t: Tables, packs: list[Pack], lang: str) -> list[str]:
    """Median and 5-95 % range of the focus region's key-stage shares and of the key prices
    inside and outside it, in the year the headlines speak of."""
    year = focus_year(t)
    out = [i18n.text("range_intro", lang, n=ensemble.draws - len(ensemble.failed),
                     method=ensemble.method, year=year)]  # fmt: skip
    for pack in packs:
        s, c = pack.manifest.report, pack.name
        if not s.focus_region:
            continue
        label = t.label(c, "commodity", c)
        rows = share_bands(ensemble, t, s.focus_region, list(s.key_stages))
        for row in rows[rows["year"] == year].itertuples(index=False):
            out.append(i18n.text(
                "range_share", lang, country=i18n.country(s.focus_region, lang), year=year,
                stage=i18n.stage_label(label, t.label(c, "stage", str(row.stage)), lang),
                median=_fmt(row.p50), low=_fmt(row.p05), high=_fmt(row.p95),
            ))  # fmt: skip
        regions = _price_regions(pack, s.focus_region)
        prices = price_bands(ensemble, t, regions, list(s.key_prices))
        for row in prices[prices["year"] == year].itertuples(index=False):
            out.append(i18n.text(
                "range_price", lang, product=product_name(t, c, str(row.product), lang),
                country=i18n.country(str(row.region), lang), year=year,
                median=_fmt(row.p50), low=_fmt(row.p05), high=_fmt(row.p95),
            ))  # fmt: skip
    return [line[:1].upper() + line[1:] for line in out]  # "aluminium in China ..."
