"""Plotly figures of a run: Sankey of flows, map of shares, time series, prices, dependence.

Each builder takes a run's tables (and optionally those of the run it is compared with), what
to draw as pack names and a language, and returns a figure, or ``None`` when the run has
nothing to draw.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from mineralflow.metrics.indicators import shares
from mineralflow.reporting import i18n
from mineralflow.tables import WORLD, Tables

PALETTE = [
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#393b79", "#ad494a", "#637939", "#8c6d31", "#7b4173",
]  # fmt: skip
LAYOUT = {"margin": {"l": 60, "r": 20, "t": 60, "b": 50}, "template": "plotly_white"}


def _of(frame: pd.DataFrame, commodity: str, year: int | None = None) -> pd.DataFrame:
    rows = frame[frame["commodity"] == commodity]
    return rows if year is None else rows[rows["year"] == year]


def pairs(frame: pd.DataFrame, a: str, b: str) -> pd.Series:
    """(a, b) tuples per row: the key of one drawn series."""
    values = list(zip(frame[a], frame[b], strict=True))
    return pd.Series(values, index=frame.index, dtype=object)


def _stage_title(t: Tables, commodity: str, stage: str, lang: str) -> str:
    return i18n.stage(t.label(commodity, "stage", stage), lang)


def _sankey_links(flows: pd.DataFrame) -> pd.DataFrame:
    """Links between (stage, country) ends; countries below 1 % of a stage's flows are drawn
    as one "rest of world" end."""
    table = pd.DataFrame(
        {
            "src_stage": flows["stage"].to_numpy(),
            "src": flows["origin"].to_numpy(),
            "dst_stage": flows["to_stage"].to_numpy(),
            "dst": flows["region"].to_numpy(),
            "value": flows["value"].to_numpy(float),
            "unit": flows["unit"].to_numpy(),
        }
    )
    for end in ("src", "dst"):
        stage = table[f"{end}_stage"]
        total = table.groupby(stage)["value"].transform("sum")
        node_total = table.groupby([stage, table[end]])["value"].transform("sum")
        table.loc[node_total < 0.01 * total, end] = "ROW"
    keys = ["src_stage", "src", "dst_stage", "dst", "unit"]
    return table.groupby(keys)["value"].sum().reset_index()


def _stage_columns(table: pd.DataFrame, order: list[str]) -> dict[str, int]:
    """Each stage's column: one after the furthest stage that feeds it; a stage fed by none
    (mining, recycling, unreported output) just before the first stage it feeds."""
    edges = set(zip(table["src_stage"], table["dst_stage"], strict=True))
    fed = {dst for _, dst in edges}
    column = dict.fromkeys(order, 0)
    for _ in order:  # longest path from the stages fed by none
        for src, dst in edges:
            column[dst] = max(column.get(dst, 0), column.get(src, 0) + 1)
    for stage in order:
        feeds = [column[dst] for src, dst in edges if src == stage]
        if stage not in fed and feeds:
            column[stage] = max(0, min(feeds) - 1)
    return column


def _node_heights(table: pd.DataFrame, nodes: pd.MultiIndex) -> list[float]:
    """Each node's vertical centre in its stage's column, the largest at the top, spaced by
    what passes through it (Plotly keeps a node's column only when both are given, so that
    a node that receives nothing still stands in its own stage's column)."""
    out = table.groupby(["src_stage", "src"])["value"].sum()
    into = table.groupby(["dst_stage", "dst"])["value"].sum()
    size = pd.Series([max(out.get(n, 0.0), into.get(n, 0.0)) for n in nodes], index=nodes)
    heights = pd.Series(0.5, index=nodes)
    for _, stage_nodes in size.groupby(level=0):
        part = stage_nodes.sort_values(ascending=False)
        total = part.sum() or 1.0
        centres = (part.cumsum() - part / 2) / total
        heights[centres.index] = 0.02 + 0.96 * centres
    return [float(h) for h in heights]


def sankey(t: Tables, commodity: str, year: int, lang: str) -> go.Figure | None:
    """Flows between (stage, country) nodes: the traced flows of the run."""
    flows = _of(t.flows, commodity, year)
    if flows.empty:
        return None
    table = _sankey_links(flows)
    ends = [
        pd.MultiIndex.from_frame(table[["src_stage", "src"]]),
        pd.MultiIndex.from_frame(table[["dst_stage", "dst"]]),
    ]
    nodes = ends[0].append(ends[1]).unique()
    stages = t.names[(t.names["commodity"] == commodity) & (t.names["kind"] == "stage")]
    column = _stage_columns(table, [s for s in stages["name"] if s in {n[0] for n in nodes}])
    countries = sorted({n[1] for n in nodes})
    color = {c: PALETTE[i % len(PALETTE)] for i, c in enumerate(countries)}
    src = nodes.get_indexer(ends[0])
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            node={
                "label": [
                    f"{_stage_title(t, commodity, s, lang)}: {i18n.country(c, lang)}"
                    for s, c in nodes
                ],
                "x": [0.01 + 0.98 * column[s] / max(*column.values(), 1) for s, _ in nodes],
                "y": _node_heights(table, nodes),
                "pad": 8,
                "color": [color[c] for _, c in nodes],
            },
            link={
                "source": src,
                "target": nodes.get_indexer(ends[1]),
                "value": table["value"].round(1),
                "customdata": table["unit"],
                "hovertemplate": "%{source.label} → %{target.label}: %{value:,.0f} %{customdata}"
                "<extra></extra>",
                "color": [color[c] + "55" for c in table["src"]],
            },
        )
    )
    name = i18n.commodity(t.label(commodity, "commodity", commodity), lang)
    fig.update_layout(
        title=i18n.text("sankey", lang, commodity=name, year=year), height=620, **LAYOUT
    )
    return fig


def share_map(t: Tables, commodity: str, stage: str, year: int, lang: str) -> go.Figure | None:
    """World map of each country's share of a stage."""
    rows = _of(shares(t), commodity, year)
    rows = rows[(rows["stage"] == stage) & (rows["region"].str.len() == 3)]
    rows = rows[~rows["region"].isin(["ROW", "WLD"])]
    if rows.empty:
        return None
    fig = go.Figure(
        go.Choropleth(
            locations=rows["region"],
            z=rows["value"].round(2),
            text=[i18n.country(c, lang) for c in rows["region"]],
            hovertemplate="%{text}: %{z:.1f} %<extra></extra>",
            colorscale="YlOrRd",
            colorbar={"title": "%"},
        )
    )
    label = i18n.stage_label(
        t.label(commodity, "commodity", commodity), t.label(commodity, "stage", stage), lang
    )
    fig.update_geos(showframe=False, showcoastlines=True, projection_type="natural earth")
    fig.update_layout(title=i18n.text("map", lang, stage=label, year=year), height=460, **LAYOUT)
    return fig


def _time_series(
    rows: pd.DataFrame,
    base_rows: pd.DataFrame | None,
    names: tuple[str, str],
    name_of: dict[tuple[str, str], str],
    lang: str,
    title: str,
    y_title: str,
    **layout: object,
) -> go.Figure:
    """One line per ``key`` of ``name_of``: the run solid, the base run dashed in its colour."""
    color = {v: PALETTE[i % len(PALETTE)] for i, v in enumerate(name_of)}
    fig = go.Figure()
    for source, label, dash in ((rows, names[0], "solid"), (base_rows, names[1], "dash")):
        if source is None:
            continue
        picked = source[source["key"].isin(list(name_of))]
        for key, series_name in name_of.items():
            part = picked[picked["key"] == key].sort_values("year")
            if part.empty:
                continue
            fig.add_trace(
                go.Scatter(
                    x=part["year"],
                    y=part["value"].round(2),
                    mode="lines",
                    name=f"{series_name} · {label}",
                    line={"dash": dash, "color": color[key]},
                    legendgroup=str(key),
                )
            )
    fig.update_layout(
        title=title,
        xaxis_title=i18n.text("year", lang),
        yaxis_title=y_title,
        **{"height": 460, **LAYOUT, **layout},
    )
    return fig


def focus_shares(
    t: Tables,
    base: Tables | None,
    names: tuple[str, str],
    region: str,
    lang: str,
    commodity: str,
) -> go.Figure | None:
    """``region``'s share of each stage of ``commodity`` over time; the base run dashed."""

    def rows(tables: Tables) -> pd.DataFrame:
        share = shares(tables)
        share = share[(share["region"] == region) & (share["commodity"] == commodity)]
        return share.assign(key=pairs(share, "commodity", "stage"))

    mine = rows(t)
    if mine.empty:
        return None
    name_of = {
        (c, st): i18n.stage_label(t.label(c, "commodity", c), t.label(c, "stage", st), lang)
        for c, st in dict.fromkeys(mine["key"])
    }
    return _time_series(
        mine, None if base is None else rows(base), names, name_of, lang,
        _titled(t, commodity, i18n.text("china_share", lang, country=i18n.country(region, lang)),
                lang),
        i18n.text("share_axis", lang),
    )  # fmt: skip


def prices(
    t: Tables,
    base: Tables | None,
    names: tuple[str, str],
    products: list[tuple[str, str]],
    lang: str,
) -> go.Figure | None:
    """World prices of ``products`` ((commodity, product) pairs of one commodity, log
    scale); base dashed."""

    def rows(tables: Tables) -> pd.DataFrame:
        p = tables.prices[tables.prices["region"] == WORLD]
        key = pairs(p, "commodity", "product")
        return p.assign(key=key)[key.isin(products)]

    mine = rows(t)
    if mine.empty:
        return None
    name_of = {key: product_name(t, *key, lang) for key in products if key in set(mine["key"])}
    return _time_series(
        mine, None if base is None else rows(base), names, name_of, lang,
        _titled(t, products[0][0], i18n.text("prices", lang), lang),
        i18n.text("price_axis", lang), yaxis_type="log",
    )  # fmt: skip


def _titled(t: Tables, commodity: str, title: str, lang: str) -> str:
    """A chart's title led by its commodity, as each chart shows one."""
    name = i18n.commodity(t.label(commodity, "commodity", commodity), lang)
    return f"{name}{'：' if lang == 'zh' else ': '}{title}"


def product_name(t: Tables, commodity: str, product: str, lang: str) -> str:
    """``Nd oxide`` / ``氧化钕`` for an element's oxide (``金属钕`` for its metal in Chinese);
    the commodity's name for its end product (whose price is the commodity's price); the
    pack name otherwise, in Chinese where the packs' stages or commodities name it."""
    label = t.label(commodity, "product", product)
    stage = t.names[(t.names["commodity"] == commodity) & (t.names["name"] == product)]
    detail = str(stage["detail"].iloc[0]) if len(stage) else product
    if label == "":
        return i18n.commodity(t.label(commodity, "commodity", commodity), lang)
    if label.startswith("Oxide"):
        name = i18n.element(detail, lang)
        return f"氧化{name}" if lang == "zh" else f"{detail} oxide"
    if label.startswith("Metal|") and lang == "zh":
        return f"金属{i18n.element(detail, lang)}"
    return i18n.product(label, detail or product, lang)


def dependence(
    t: Tables, commodity: str, stage: str, consumers: list[str], year: int, lang: str
) -> go.Figure | None:
    """Stacked bars: for each consuming region, where a stage of its consumption took place."""
    rows = _of(t.dependence, commodity, year)
    rows = rows[(rows["stage"] == stage) & rows["region"].isin(consumers)]
    if rows.empty:
        return None
    regions = [r for r in consumers if r in set(rows["region"])]
    origins = rows.groupby("origin")["value"].sum().sort_values(ascending=False).index
    fig = go.Figure()
    for i, origin in enumerate(origins):
        part = rows[rows["origin"] == origin].set_index("region")["value"].reindex(regions)
        fig.add_trace(
            go.Bar(
                x=[i18n.country(r, lang) for r in regions],
                y=part.fillna(0.0).round(2),
                name=i18n.country(str(origin), lang),
                marker_color=PALETTE[i % len(PALETTE)],
            )
        )
    title = i18n.text(
        "dependence_chart", lang, stage=_stage_title(t, commodity, stage, lang), year=year
    )
    fig.update_layout(
        barmode="stack",
        title=title,
        yaxis_title=i18n.text("share_axis", lang),
        legend_title=i18n.text("origin", lang),
        height=460,
        **LAYOUT,
    )
    return fig


def supply_risk(
    t: Tables, base: Tables | None, names: tuple[str, str], lang: str
) -> go.Figure | None:
    """The EU supply-risk index over time; the base run dashed."""

    def rows(tables: Tables) -> pd.DataFrame:
        risk = tables.supply_risk
        return risk.assign(key=pairs(risk, "commodity", "material"))

    mine = rows(t)
    if mine.empty:
        return None
    name_of = {key: key[1] for key in dict.fromkeys(mine["key"])}
    fig = _time_series(
        mine, None if base is None else rows(base), names, name_of, lang,
        i18n.text("supply_risk_chart", lang), i18n.text("index_axis", lang), height=420,
    )  # fmt: skip
    fig.add_hline(y=1.0, line_dash="dot", line_color="#888")
    return fig
