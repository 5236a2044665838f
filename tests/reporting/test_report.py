"""The HTML report: both languages for every bundled scenario, and a real browser."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from browser import chromium_page
from mineralflow.comparison import horizon
from mineralflow.data.pack import bundled_packs, load_pack
from mineralflow.naming import title
from mineralflow.reporting import charts, i18n
from mineralflow.reporting import html as report_html
from mineralflow.reporting.findings import headlines, shortfalls
from mineralflow.scenario import bundled_scenarios, load_scenario
from mineralflow.tables import Tables
from runs import result


def _report(name: str, lang: str, base: str | None = "baseline") -> str:
    spec = load_scenario(name)
    base_tables = None if base is None or base == name else result(base).tables
    return report_html.build(
        name,
        spec.description_in(lang),
        result(name).tables,
        [load_pack(p) for p in spec.packs],
        lang,
        base=base_tables,
        base_name=base or "",
    )


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", bundled_scenarios())
def test_every_bundled_scenario_reports_in_both_languages(name: str, lang: str) -> None:
    doc = _report(name, lang, None if name == "hindcast-2010" else "baseline")
    charts = int(re.search(r'id="charts" data-count="(\d+)"', doc).group(1))  # type: ignore[union-attr]
    assert charts >= 7
    assert doc.count('<div class="chart"') == charts
    # self-contained: no file or script is loaded from anywhere
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=", doc)
    assert 'PlotlyGeoAssets.topojson["world_110m"]={"type":"Topology"' in doc
    if lang == "zh":
        assert '<html lang="zh-CN">' in doc
        assert html.escape(load_scenario(name).description_zh or "")[:40] in doc
        for word in ("主要结论", "资料来源与假设", "中国", "开采", "分离"):
            assert word in doc
        assert "Headline findings" not in doc
        assert "Sources and assumptions" not in doc
    else:
        assert "Headline findings" in doc
        assert re.search(r"of world rare-earth mining (is [0-9.]+ % )?in 20", doc)
    assert "USGS-MCS2026-REE" in doc  # the sources section lists the publications used


def test_report_compares_short_and_long_term() -> None:
    doc = _report("russia-50kt", "en")
    assert "Short term against long term" in doc
    assert "Rare-earth mining: China&#x27;s share" in doc
    assert "Verdict: short-term limited, long-term significant." in doc
    zh = _report("russia-50kt", "zh")
    assert "稀土开采：中国份额" in zh
    assert "结论：短期有限，长期显著。" in zh


def test_horizon_states_china_mining_change_by_year() -> None:
    table = horizon(result("baseline").tables, result("russia-50kt").tables)
    mining = table[(table["commodity"] == "rare_earths") & (table["stage"] == "mining")]
    change = mining.set_index("year")["change"]
    assert list(change.index) == [2025, 2030, 2035, 2040]
    assert abs(change[2025]) < 2.0
    assert change[2035] <= -5.0
    assert set(mining["verdict"]) == {"short-term limited, long-term significant"}
    separation = table[(table["commodity"] == "rare_earths") & (table["stage"] == "separation")]
    assert set(separation["verdict"]) == {"no material effect"}


def test_every_word_exists_in_both_languages() -> None:
    for table in (i18n.TEXT, i18n.STAGES, i18n.SECTORS, i18n.VERDICTS, i18n.COMMODITIES):
        assert set(table["en"]) == set(table["zh"])
    for pack_name in bundled_packs():
        pack = load_pack(pack_name)
        for sector in pack.table("sectors")["sector"]:
            assert title(str(sector)) in i18n.SECTORS["zh"], sector
        for stage in pack.table("stages")["stage"]:
            assert title(str(stage)) in i18n.STAGES["zh"], stage
        for code in pack.table("regions")["code"]:
            name = i18n.country(str(code), "zh")
            assert name != i18n.country(str(code), "en"), code
            assert re.search(r"[\u4e00-\u9fff]", name), (code, name)


def test_report_cli_writes_one_file_and_refuses_bad_options(
    tmp_path: Path, run_cli: Callable
) -> None:
    target = tmp_path / "out" / "report.html"
    res = run_cli("report", "hindcast-2010", "--lang", "zh", "--out", str(target))
    assert res.code == 0, res.err
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert not list(target.parent.glob(".*.tmp"))
    bad = run_cli("report", "hindcast-2010", "--lang", "fr", "--out", str(target))
    assert bad.code == 2
    assert "unknown report language 'fr'; languages: en, zh" in bad.err
    wrong = run_cli("report", "hindcast-2010", "--out", str(tmp_path / "report.pdf"))
    assert wrong.code == 2
    assert "give a file name ending in .html" in wrong.err


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_draws_every_chart_in_headless_chromium(tmp_path: Path, lang: str) -> None:
    page_file = report_html.write(
        _report("china-heavy-ree-controls-2025", lang), tmp_path / f"report-{lang}.html"
    )
    errors: list[str] = []
    outside: list[str] = []
    with chromium_page() as page:
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on(
            "request",
            lambda r: outside.append(r.url) if not r.url.startswith(("file:", "data:")) else None,
        )
        page.goto(page_file.as_uri())
        count = page.eval_on_selector("#charts", "e => Number(e.dataset.count)")
        page.wait_for_function(f"window.__chartsDrawn === {count}", timeout=60_000)
        drawn = page.eval_on_selector_all(
            ".chart", "els => els.map(e => e.querySelectorAll('.main-svg').length)"
        )
        kinds = page.evaluate(
            "() => [...document.querySelectorAll('.chart')].map(e => e.data[0].type)"
        )
        map_paths = page.eval_on_selector_all(".chart .choroplethlocation", "els => els.length")
    assert count >= 7
    assert len(drawn) == count
    assert all(n > 0 for n in drawn)
    assert {"sankey", "choropleth", "scatter", "bar"} <= set(kinds)
    assert map_paths > 20  # the map drew its countries from the bundled TopoJSON
    assert errors == []
    assert outside == []


def test_shortfalls_rank_by_share_and_split_rationing_from_price() -> None:
    columns = ["commodity", "region", "sector", "unit", "year", "value"]

    def frame(rows: list[tuple[str, float]]) -> pd.DataFrame:
        return pd.DataFrame([("x", r, "s", "t", 2030, v) for r, v in rows], columns=columns)

    used = frame([("AAA", 900.0), ("BBB", 10.0), ("CCC", 500.0)])
    short = frame([("AAA", 100.0), ("BBB", 0.0), ("CCC", 0.0)])
    given_up = frame([("AAA", 0.0), ("BBB", 10.0), ("CCC", 1.0)])
    run = Tables.of(shortage=short, consumption=used, demand_reduction=given_up)
    table = shortfalls(run)
    # against what buyers would take at base-year prices; CCC's 0.2 % is below the floor
    assert list(table["region"]) == ["BBB", "AAA"]
    assert list(table["share"].round(1)) == [50.0, 10.0]
    assert list(table["rationed"]) == [0.0, 100.0]
    # against a base run's consumption
    base = Tables.of(consumption=frame([("AAA", 1000.0), ("BBB", 10.0), ("CCC", 800.0)]))
    table = shortfalls(run, base)
    assert list(table["region"]) == ["CCC", "AAA"]
    assert list(table["value"]) == [300.0, 100.0]


def test_the_shortfall_headline_names_the_worst_year_against_the_base() -> None:
    settings = {p: load_pack(p).manifest.report for p in ("rare_earths", "aluminium")}
    run, base = result("china-controls-return").tables, result("baseline").tables
    table = shortfalls(run, base)
    top = table.iloc[0]
    assert int(top["year"]) >= 2027
    assert top["rationed"] == 0
    en = headlines(run, base, "baseline", "en", settings)
    line = next(s for s in en if s.startswith("The largest shortfall, against baseline,"))
    assert f"in {int(top['year'])}:" in line
    assert "none of it rationed" in line
    zh = headlines(run, base, "baseline", "zh", settings)
    assert any(s.startswith("与baseline情景相比，缺口最大的是") for s in zh)


def test_a_split_market_headline_quotes_the_prices_inside_and_outside_china() -> None:
    settings = {p: load_pack(p).manifest.report for p in ("rare_earths", "aluminium")}
    tables = result("baseline").tables
    en = headlines(tables, None, "", "en", settings)
    zh = headlines(tables, None, "", "zh", settings)
    prices = tables.prices[(tables.prices["year"] == 2030) & (tables.prices["product"] == "Dy")]
    china = prices.loc[prices["region"] == "CHN", "value"].item()
    elsewhere = prices.loc[~prices["region"].isin(["CHN", "World"]), "value"].median()
    assert elsewhere > 1.5 * china  # the baseline's licences split the Dy market
    split = [line for line in en if line.startswith("The Dy oxide market is split in 2030")]
    assert len(split) == 1
    assert f"{china:,.0f} USD/kg in China" in split[0]
    assert f"{elsewhere:,.0f} USD/kg outside it" in split[0]
    assert not any("world Dy oxide price" in line for line in en)
    assert any("氧化镝市场分割" in line for line in zh)
    # elements and products by their Chinese names, no symbol or English word left
    assert not any(re.search(r"氧化[A-Za-z]|金属[A-Za-z]|aluminium", line) for line in zh)
    assert any("铝的世界价格" in line for line in zh)
    # Nd trades at one price plus transport: its headline stays the world price
    assert any(line.startswith("The world Nd oxide price is") for line in en)


def test_each_chart_shows_one_commodity_and_sources_link_out() -> None:
    """Shares and prices of rare earths and aluminium are separate charts (their sizes and
    stages differ in kind); each source's title links to the publication."""
    doc = _report("russia-doubles-2030", "zh")
    titles = [
        t.encode().decode("unicode_escape") for t in re.findall(r'"title":\{"text":"([^"]+)"', doc)
    ]
    assert "稀土：中国在各环节占世界产量的份额（%）" in titles
    assert "铝：中国在各环节占世界产量的份额（%）" in titles
    assert "稀土：世界价格（美元/公斤）" in titles
    assert "铝：世界价格（美元/公斤）" in titles
    assert "中国在各环节占世界产量的份额（%）" not in titles  # no chart of both commodities
    tables = doc.count("</table>")
    assert doc.count("来源：mineralflow") == tables - 1  # every table of results but Sources
    links = re.findall(r'<td><a href="(https?://[^"]+)" rel="noreferrer">', doc)
    assert len(links) > 20
    assert all("<" not in link and '"' not in link for link in links)


def test_sankey_nodes_stand_in_their_stage_column() -> None:
    """Every node of a stage in one column (a separator that receives nothing too), each
    column after the stages that feed it; Plotly keeps the columns only given both x and y."""
    t = result("baseline").tables
    fig = charts.sankey(t, "rare_earths", 2030, "en")
    node = fig.data[0].node
    assert len(node.x) == len(node.y) == len(node.label)
    column: dict[str, set[float]] = {}
    for label, x in zip(node.label, node.x, strict=True):
        column.setdefault(label.split(": ")[0], set()).add(round(x, 6))
    assert all(len(xs) == 1 for xs in column.values()), column
    at = {stage: xs.pop() for stage, xs in column.items()}
    assert at["Mining"] < at["Separation"] < at["Metal"] < at["Magnets"] < at["Consumption"]
    assert at["Recycling of magnet scrap"] > at["Mining"]  # just before what it feeds
    assert all(0 < y < 1 for y in node.y)
