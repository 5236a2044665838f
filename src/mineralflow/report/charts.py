"""Plotly figures of a run: Sankey of flows, map of shares, time series, prices, dependence.

Each builder takes IAMC tables (a run, and optionally the run it is compared with) and a
language, and returns a figure, or ``None`` when the run has nothing to draw.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from mineralflow.metrics.supply_risk import REGION as EU
from mineralflow.report import i18n

WORLD = "World"
PALETTE = [
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#393b79", "#ad494a", "#637939", "#8c6d31", "#7b4173",
]  # fmt: skip
LAYOUT = {"margin": {"l": 60, "r": 20, "t": 60, "b": 50}, "template": "plotly_white"}


def _rows(frame: pd.DataFrame, prefix: str, year: int | None = None) -> pd.DataFrame:
    rows = frame[frame["variable"].str.startswith(prefix)]
    return rows if year is None else rows[rows["year"] == year]


def sankey(frame: pd.DataFrame, commodity: str, year: int, lang: str) -> go.Figure | None:
    """Flows between (stage, country) nodes: the ``Flow|`` rows of origin tracing."""
    flows = _rows(frame, f"Flow|{commodity}|", year)
    if flows.empty:
        return None
    parts = flows["variable"].str.split("|")
    ends = flows["region"].str.split(">")
    table = pd.DataFrame(
        {
            "src": parts.str[2] + "|" + ends.str[0],
            "dst": parts.str[3] + "|" + ends.str[1],
            "value": flows["value"].to_numpy(float),
            "unit": flows["unit"].to_numpy(),
        }
    )
    # countries below 1 % of a stage's flows are drawn as one "rest of world" node
    for end in ("src", "dst"):
        stage_of = table[end].str.split("|").str[0]
        total = table.groupby(stage_of)["value"].transform("sum")
        node_total = table.groupby(table[end])["value"].transform("sum")
        small = node_total < 0.01 * total
        table.loc[small, end] = stage_of[small] + "|ROW"
    table = table.groupby(["src", "dst", "unit"])["value"].sum().reset_index()
    nodes = pd.Index(pd.unique(pd.concat([table["src"], table["dst"]])))
    stage_names = [n.split("|")[0] for n in nodes]
    chain = list(i18n.STAGES["en"])  # stages in chain order, consumption last
    order = sorted(set(stage_names), key=lambda s: chain.index(s) if s in chain else len(chain))
    labels = [
        f"{i18n.stage(s, lang)}: {i18n.country(c, lang)}" for s, c in (n.split("|") for n in nodes)
    ]
    x = [0.01 + 0.98 * order.index(s) / max(len(order) - 1, 1) for s in stage_names]
    countries = sorted({n.split("|")[1] for n in nodes})
    color = {c: PALETTE[i % len(PALETTE)] for i, c in enumerate(countries)}
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            node={
                "label": labels,
                "x": x,
                "pad": 8,
                "color": [color[n.split("|")[1]] for n in nodes],
            },
            link={
                "source": nodes.get_indexer(table["src"]),
                "target": nodes.get_indexer(table["dst"]),
                "value": table["value"].round(1),
                "customdata": table["unit"],
                "hovertemplate": "%{source.label} → %{target.label}: %{value:,.0f} %{customdata}"
                "<extra></extra>",
                "color": [color[s.split("|")[1]] + "55" for s in table["src"]],
            },
        )
    )
    title = i18n.text("sankey", lang, commodity=i18n.commodity(commodity, lang), year=year)
    fig.update_layout(title=title, height=620, **LAYOUT)
    return fig


def share_map(
    frame: pd.DataFrame, commodity: str, stage: str, year: int, lang: str
) -> go.Figure | None:
    """World map of each country's share of a stage."""
    rows = _rows(frame, f"Share|{commodity}|{stage}", year)
    rows = rows[
        (rows["variable"] == f"Share|{commodity}|{stage}") & (rows["region"].str.len() == 3)
    ]
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
    title = i18n.text("map", lang, stage=i18n.stage_label(commodity, stage, lang), year=year)
    fig.update_geos(showframe=False, showcoastlines=True, projection_type="natural earth")
    fig.update_layout(title=title, height=460, **LAYOUT)
    return fig


def _time_series(
    rows: pd.DataFrame,
    base_rows: pd.DataFrame | None,
    names: tuple[str, str],
    name_of: dict[str, str],
    lang: str,
    title: str,
    y_title: str,
    **layout: object,
) -> go.Figure:
    """One line per series of ``name_of``: the run solid, the base run dashed in its colour."""
    color = {v: PALETTE[i % len(PALETTE)] for i, v in enumerate(name_of)}
    fig = go.Figure()
    for source, label, dash in ((rows, names[0], "solid"), (base_rows, names[1], "dash")):
        if source is None:
            continue
        picked = source[source["variable"].isin(name_of)]
        for variable, group in picked.groupby("variable", sort=False):
            part = group.sort_values("year")
            fig.add_trace(
                go.Scatter(
                    x=part["year"],
                    y=part["value"].round(2),
                    mode="lines",
                    name=f"{name_of[str(variable)]} · {label}",
                    line={"dash": dash, "color": color[str(variable)]},
                    legendgroup=str(variable),
                )
            )
    fig.update_layout(
        title=title,
        xaxis_title=i18n.text("year", lang),
        yaxis_title=y_title,
        **{"height": 460, **LAYOUT, **layout},
    )
    return fig


def china_shares(
    frame: pd.DataFrame, base: pd.DataFrame | None, names: tuple[str, str], lang: str
) -> go.Figure | None:
    """China's share of each stage over time; the base run dashed."""
    rows = _rows(frame, "Share|")
    rows = rows[rows["region"] == "CHN"]
    if rows.empty:
        return None
    name_of = {
        v: i18n.stage_label(v.split("|")[1], v.split("|")[2], lang)
        for v in rows["variable"].unique()
    }
    base_rows = None if base is None else base[base["region"] == "CHN"]
    return _time_series(
        rows, base_rows, names, name_of, lang,
        i18n.text("china_share", lang), i18n.text("share_axis", lang),
    )  # fmt: skip


PRICE_SERIES = (
    "Price|Rare Earths|Oxide|Nd",
    "Price|Rare Earths|Oxide|Pr",
    "Price|Rare Earths|Oxide|Dy",
    "Price|Rare Earths|Oxide|Tb",
    "Price|Rare Earths|Oxide|Ce",
    "Price|Aluminium",
)


def prices(
    frame: pd.DataFrame, base: pd.DataFrame | None, names: tuple[str, str], lang: str
) -> go.Figure | None:
    """World prices of the key products (log scale); the base run dashed."""
    rows = frame[frame["variable"].isin(PRICE_SERIES) & (frame["region"] == WORLD)]
    if rows.empty:
        return None
    name_of = {v: v.split("|")[-1] if "Oxide" in v else i18n.commodity(v.split("|")[1], lang)
               for v in rows["variable"].unique()}  # fmt: skip
    base_rows = None if base is None else base[base["region"] == WORLD]
    return _time_series(
        rows, base_rows, names, name_of, lang,
        i18n.text("prices", lang), i18n.text("price_axis", lang), yaxis_type="log",
    )  # fmt: skip


CONSUMERS = ("JPN", "USA", "DEU", "KOR", "FRA", "CHN")


def dependence(
    frame: pd.DataFrame, commodity: str, stage: str, year: int, lang: str
) -> go.Figure | None:
    """Stacked bars: for each consuming region, where a stage of its consumption took place."""
    rows = _rows(frame, f"Dependence|{commodity}|{stage}|", year)
    rows = rows[rows["region"].isin(CONSUMERS)]
    if rows.empty:
        return None
    rows = rows.assign(origin=rows["variable"].str.split("|").str[3])
    regions = [r for r in CONSUMERS if r in set(rows["region"])]
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
    fig.update_layout(
        barmode="stack",
        title=i18n.text("dependence_chart", lang, stage=i18n.stage(stage, lang), year=year),
        yaxis_title=i18n.text("share_axis", lang),
        legend_title=i18n.text("origin", lang),
        height=460,
        **LAYOUT,
    )
    return fig


def supply_risk(
    frame: pd.DataFrame, base: pd.DataFrame | None, names: tuple[str, str], lang: str
) -> go.Figure | None:
    """The EU supply-risk index over time; the base run dashed."""
    rows = _rows(frame, "Supply Risk|")
    if rows.empty:
        return None
    name_of = {v: v.split("|")[-1] for v in rows["variable"].unique()}
    base_rows = None if base is None else base[base["region"] == EU]
    fig = _time_series(
        rows, base_rows, names, name_of, lang,
        i18n.text("supply_risk_chart", lang), i18n.text("index_axis", lang), height=420,
    )  # fmt: skip
    fig.add_hline(y=1.0, line_dash="dot", line_color="#888")
    return fig
