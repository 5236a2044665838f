"""One self-contained HTML file: findings, charts, tables, sources. Works offline.

plotly.js, its Chinese locale and the world map's TopoJSON are written into the page, so
nothing is fetched when it opens (no CDN).
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from datetime import date
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs

from mineralflow import __version__
from mineralflow.data.pack import Pack
from mineralflow.errors import MineralflowError
from mineralflow.files import write_text_file
from mineralflow.metrics.supply_risk import reference_values
from mineralflow.reporting import charts, i18n
from mineralflow.reporting.fans import fan_charts, range_sentences
from mineralflow.reporting.findings import focus_year, headlines, horizon_sentences, shortfalls
from mineralflow.tables import WORLD, Tables

if TYPE_CHECKING:
    from mineralflow.uncertainty.summary import Ensemble

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","PingFang SC",
"Microsoft YaHei",sans-serif;margin:0 auto;max-width:1100px;padding:1.5rem;color:#222;
line-height:1.5}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{border-bottom:1px solid #ddd;padding-bottom:.2rem;
margin-top:2rem}.sub{color:#666}.chart{margin:1rem 0;min-height:420px}
table{border-collapse:collapse;margin:.8rem 0;font-size:.9rem}
th,td{border:1px solid #ddd;padding:.25rem .5rem;text-align:left}
th{background:#f4f4f4}td.n{text-align:right;font-variant-numeric:tabular-nums}
li{margin:.3rem 0}caption{text-align:left;font-weight:600;margin:.4rem 0}
"""


def _asset(name: str) -> str:
    return files("mineralflow.reporting").joinpath("assets", name).read_text(encoding="utf-8")


class Markup(str):
    """Text that is already HTML (escaped where it came from data)."""


def _table(frame: pd.DataFrame, caption: str) -> str:
    """``frame`` as an HTML table; values are escaped, except :class:`Markup` ones."""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = []
    for row in frame.itertuples(index=False):
        cells = []
        for value in row:
            if isinstance(value, Markup):
                cells.append(f"<td>{value}</td>")
            elif isinstance(value, float):
                cells.append(f'<td class="n">{value:,.2f}</td>')
            elif isinstance(value, int) and not isinstance(value, bool):
                cells.append(f'<td class="n">{value}</td>')
            else:
                cells.append(f"<td>{html.escape(str(value))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f"<table><caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _by_year(
    rows: pd.DataFrame,
    names: Mapping[Any, str],
    years: list[int],
    label: str,
    caption: str,
    lang: str,
) -> str:
    """One row per series (``key`` column, shown as ``names``), one column per year."""
    rows = rows[rows["year"].isin(years)]
    wide = rows.pivot_table(index="key", columns="year", values="value", sort=False)
    wide.index = [names[i] for i in wide.index]
    wide = wide.reset_index().rename(columns={"index": i18n.text(label, lang)})
    wide.columns = [str(c) for c in wide.columns]
    return _table(wide, i18n.text(caption, lang))


def _sources(packs: list[Pack], lang: str) -> str:
    rows = []
    for pack in packs:
        table = pack.tables["sources"]
        cited = set()
        for name, frame in pack.tables.items():
            if name != "sources" and "source_id" in frame.columns:
                cited |= set(frame["source_id"].dropna())
        table = table[table["source_id"].isin(cited)]
        rows.append(table)
    frame = pd.concat(rows, ignore_index=True).drop_duplicates("source_id")
    frame = frame.fillna("")
    title = i18n.text("col_title", lang)
    shown = pd.DataFrame(
        {
            "ID": frame["source_id"],
            i18n.text("col_publisher", lang): frame["publisher"],
            title: pd.Series(  # object: the cells stay Markup
                [
                    _linked(str(a), str(u))
                    for a, u in zip(frame["title"], frame["url"], strict=True)
                ],
                dtype=object,
                index=frame.index,
            ),
            i18n.text("col_edition", lang): frame["edition"].astype(str),
            i18n.text("col_table", lang): frame["table_or_page"],
            i18n.text("col_method", lang): frame["method"],
        }
    )
    intro = i18n.text("sources_intro", lang, count=len(shown))
    return f"<p>{html.escape(intro)}</p>" + _table(shown, i18n.text("sources", lang))


def _linked(title: str, url: str) -> Markup:
    """A source's title, a link to the publication where the pack gives its address."""
    if url.startswith(("https://", "http://")):
        return Markup(f'<a href="{html.escape(url)}" rel="noreferrer">{html.escape(title)}</a>')
    return Markup(html.escape(title))


def _figure_div(fig: go.Figure, index: int, lang: str) -> str:
    spec = pio.to_json(fig, validate=False).replace("</", "<\\/")
    config: dict[str, object] = {"displaylogo": False, "responsive": True}
    if lang == "zh":
        config["locale"] = "zh-CN"
    return (
        f'<div class="chart" id="chart-{index}"></div>\n'
        f"<script>(function(){{var f={spec};"
        f"Plotly.newPlot('chart-{index}',f.data,f.layout,{json.dumps(config)})"
        f".then(function(){{window.__chartsDrawn=(window.__chartsDrawn||0)+1;}});}})();</script>"
    )


def _price_keys(packs: list[Pack]) -> list[tuple[str, str]]:
    return [(p.name, product) for p in packs for product in p.manifest.report.price_chart]


def _figures(
    t: Tables, base: Tables | None, names: tuple[str, str], packs: list[Pack], lang: str
) -> list[go.Figure]:
    """The report's charts that the run has data for, in reading order."""
    year = focus_year(t)
    first, *rest = packs
    s = first.manifest.report
    figures = [
        charts.sankey(t, first.name, year, lang),
        *(charts.share_map(t, first.name, stage, year, lang) for stage in s.share_maps),
    ]
    for pack in packs:  # one commodity per chart: their shares and prices differ in kind
        region = pack.manifest.report.focus_region
        if region:
            figures.append(charts.focus_shares(t, base, names, region, lang, pack.name))
        if pack.manifest.report.price_chart:
            figures.append(charts.prices(t, base, names, _price_keys([pack]), lang))
    figures += [
        charts.dependence(t, first.name, stage, s.consumers, year, lang)
        for stage in s.dependence_stages
    ]
    figures.append(charts.supply_risk(t, base, names, lang))
    figures += [charts.sankey(t, p.name, year, lang) for p in rest]
    return [f for f in figures if f is not None]


def _horizon_table(t: Tables, table: pd.DataFrame, lang: str) -> str:
    shown = pd.DataFrame(
        {
            i18n.text("col_stage", lang): [
                i18n.stage_label(t.label(c, "commodity", c), t.label(c, "stage", s), lang)
                for c, s in zip(table["commodity"], table["stage"], strict=True)
            ],
            i18n.text("col_year", lang): table["year"].astype(int),
            i18n.text("col_base", lang): table["base"].astype(float),
            i18n.text("col_scenario", lang): table["scenario"].astype(float),
            i18n.text("col_change", lang): table["change"].astype(float),
            i18n.text("col_verdict", lang): [i18n.VERDICTS[lang][v] for v in table["verdict"]],
        }
    )
    return _table(shown, i18n.text("table_horizon", lang))


def _shortage_table(t: Tables, base: Tables | None, lang: str) -> str:
    """The ten largest shortfalls of the worst year (the headline's year)."""
    short = shortfalls(t, base)
    if short.empty:
        return ""
    short = short[short["year"] == short["year"].iloc[0]].head(10)
    shown = pd.DataFrame(
        {
            i18n.text("col_region", lang): [i18n.country(r, lang) for r in short["region"]],
            i18n.text("col_sector", lang): [
                f"{i18n.commodity(t.label(c, 'commodity', c), lang)}: "
                f"{i18n.sector(t.label(c, 'sector', s), lang)}"
                for c, s in zip(short["commodity"], short["sector"], strict=True)
            ],
            i18n.text("col_value", lang): short["value"].astype(float),
            i18n.text("col_unit", lang): [i18n.unit(str(u), lang) for u in short["unit"]],
            "%": short["share"].astype(float),
            i18n.text("col_rationed", lang): short["rationed"].astype(float),
        }
    )
    title = i18n.text("table_shortages", lang, year=int(short["year"].iloc[0]))
    return _table(shown, title)


def _tables(
    t: Tables, base: Tables | None, horizon_table: pd.DataFrame, packs: list[Pack], lang: str
) -> list[str]:
    """The report's tables: short against long term, prices, shortages, supply risk."""
    tables = [] if horizon_table.empty else [_horizon_table(t, horizon_table, lang)]
    table_years = sorted({t.years[0], 2025, 2030, 2035, 2040})
    keys = _price_keys(packs)
    p = t.prices[t.prices["region"] == WORLD]
    p = p.assign(key=charts.pairs(p, "commodity", "product"))
    p = p[p["key"].isin(keys)]
    if not p.empty:
        names = {k: charts.product_name(t, *k, lang) for k in keys}
        tables.append(_by_year(p, names, table_years, "col_product", "table_prices", lang))
    tables.append(_shortage_table(t, base, lang))
    risk = t.supply_risk.assign(key=t.supply_risk["material"])
    if not risk.empty:
        names = {m: m for m in risk["key"]}
        tables.append(_by_year(risk, names, table_years, "col_material", "table_risk", lang))
    return [x for x in tables if x]


def build(
    name: str,
    description: str,
    t: Tables,
    packs: list[Pack],
    lang: str,
    base: Tables | None = None,
    base_name: str = "",
    ensemble: Ensemble | None = None,
) -> str:
    """The report of one run, optionally compared with ``base``, as an HTML string; with an
    ``ensemble`` of it, its ranges lead the findings and its fan charts the charts."""
    lang = i18n.check_language(lang)
    if t.production.empty:
        raise MineralflowError(f"run '{name}' has no results to report")
    names = (
        i18n.text("scenario_label", lang, name=name),
        i18n.text("base_label", lang, name=base_name),
    )
    references: dict[str, float] = {}
    for pack in packs:
        references.update(reference_values(pack))
    settings = {p.name: p.manifest.report for p in packs}
    findings = headlines(t, base, base_name, lang, settings, references)
    fans: list[go.Figure] = []
    if ensemble is not None:
        findings = [*range_sentences(ensemble, t, packs, lang), *findings]
        fans = fan_charts(ensemble, t, packs, lang)
    intro, horizon_table = "", pd.DataFrame()
    horizon_lines: list[str] = []
    if base is not None:
        intro, horizon_lines, horizon_table = horizon_sentences(t, base, base_name, lang)
    drawn = [*fans, *_figures(t, base, names, packs, lang)]
    divs = "\n".join(_figure_div(f, i, lang) for i, f in enumerate(drawn))
    where = i18n.text("table_source", lang, version=__version__, scenario=name,
                      packs=", ".join(p.name for p in packs))  # fmt: skip
    tables = [  # every table of results says where its numbers come from
        f'{table}<p class="sub">{html.escape(where)}</p>'
        for table in _tables(t, base, horizon_table, packs, lang)
    ]
    versus = i18n.text("versus", lang, base=base_name) if base is not None else ""
    subtitle = i18n.text(
        "subtitle",
        lang,
        scenario=name,
        versus=versus,
        date=date.today().isoformat(),
        version=__version__,
    )
    items = "".join(f"<li>{html.escape(s)}</li>" for s in findings)
    horizon_html = ""
    if horizon_lines:
        horizon_html = (
            f"<p>{html.escape(intro)}</p><ul>"
            + "".join(f"<li>{html.escape(s)}</li>" for s in horizon_lines)
            + "</ul>"
        )
    return _page(name, description, lang, subtitle, items, horizon_html, drawn, divs, tables, packs)


def _page(
    name: str,
    description: str,
    lang: str,
    subtitle: str,
    items: str,
    horizon_html: str,
    drawn: list[go.Figure],
    divs: str,
    tables: list[str],
    packs: list[Pack],
) -> str:
    """The HTML document around the report's parts (scripts and assets inline)."""
    locale = _asset("plotly-locale-zh-cn.js") if lang == "zh" else ""
    topojson = _asset("world_110m.json")
    return f"""<!DOCTYPE html>
<html lang="{"zh-CN" if lang == "zh" else "en"}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(i18n.text("title", lang, scenario=name))}</title>
<style>{CSS}</style>
<script>{get_plotlyjs()}</script>
<script>{locale}</script>
<script>window.PlotlyGeoAssets=window.PlotlyGeoAssets||{{topojson:{{}}}};
window.PlotlyGeoAssets.topojson["world_110m"]={topojson};</script>
</head>
<body>
<h1>{html.escape(i18n.text("title", lang, scenario=name))}</h1>
<p class="sub">{html.escape(subtitle)}</p>
<h2>{html.escape(i18n.text("description", lang))}</h2>
<p>{html.escape(description)}</p>
<h2>{html.escape(i18n.text("findings", lang))}</h2>
<ul>{items}</ul>
{horizon_html}
<h2>{html.escape(i18n.text("charts", lang))}</h2>
<div id="charts" data-count="{len(drawn)}">
{divs}
</div>
<h2>{html.escape(i18n.text("tables", lang))}</h2>
{"".join(tables) or html.escape(i18n.text("none", lang))}
<h2>{html.escape(i18n.text("sources", lang))}</h2>
<p>{html.escape(i18n.text("assumptions", lang))}</p>
{_sources(packs, lang)}
</body>
</html>
"""


#: endings a report file may have
SUFFIXES = (".html", ".htm")


def write(document: str, target: Path) -> Path:
    """Write ``document`` to ``target`` through a temporary file: never half-written."""
    return write_text_file(document, target, "report file", SUFFIXES)
