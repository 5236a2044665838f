"""The dashboard in Debian's Chromium (Playwright), against the real server: open it,
switch language, run a scenario against the baseline, read a value off the map and off a
chart's CSV download, and open the view again from its URL.  Screenshots of each step are
saved (to $MINERALFLOW_SCREENSHOTS, or the test's temporary folder)."""

from __future__ import annotations

import io
import json
import os
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

import mineralflow as mf
from browser import chromium_page
from web_helpers import running_server

pytestmark = pytest.mark.browser


def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("MINERALFLOW_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_an_analyst_runs_compares_and_downloads(tmp_path: Path) -> None:
    folder = shots(tmp_path)
    # a small ensemble of the scenario in the store: the share chart shows its 5-95 % band
    mf.ensemble("russia-doubles-2030", 2, seed=1, store=tmp_path / "store")
    with running_server(tmp_path / "store") as url, chromium_page() as page:
        page.goto(url + "/?lang=en")
        page.wait_for_selector("#scenario option[value='russia-doubles-2030']", state="attached")
        assert page.locator("#scenario").input_value() == "russia-doubles-2030"
        assert page.locator("#reference").input_value() == "baseline"
        page.screenshot(path=str(folder / "1-opened.png"))
        page.click("#lang")
        page.wait_for_function("document.documentElement.lang === 'zh-CN'")
        assert "中国" in page.locator("figcaption").first.inner_text()
        assert "俄罗斯" in page.locator("#description").inner_text()
        # names come in the page's language: stages, and (after the run) countries
        page.screenshot(path=str(folder / "2-chinese.png"))
        page.click("#run")
        page.wait_for_function("document.getElementById('status').textContent === '完成'",
                               timeout=300_000)  # fmt: skip
        page.wait_for_function("document.getElementById('map').data !== undefined")
        page.screenshot(path=str(folder / "3-run.png"), full_page=True)
        read_the_charts(page, url)
        # the URL reproduces the view
        view = page.url
        assert "scenario=russia-doubles-2030" in view
        assert "lang=zh" in view
        stage = page.locator("#stage").input_value()
        assert "开采" in page.locator("#stage").inner_text()
        assert "俄罗斯" in page.evaluate("document.getElementById('map').data[0].text.join()")
        page.goto(view)  # a fresh load of the page from its URL alone
        page.wait_for_function("document.getElementById('status').textContent === '完成'",
                               timeout=120_000)  # fmt: skip
        page.wait_for_function("document.getElementById('shares').data !== undefined")
        assert page.locator("html").get_attribute("lang") == "zh-CN"
        assert page.locator("#stage").input_value() == stage
        page.screenshot(path=str(folder / "4-from-url.png"), full_page=True)
        edit_run_fixed(page, folder)
        check_an_article(page, folder)


def read_the_charts(page, url: str) -> None:  # type: ignore[no-untyped-def]
    """A value off the map against the API; the Sankey and the dependence bars drawn; the
    share chart's CSV download against its lines, and the ensemble's band around them."""
    # a value off the map: China's 2030 mine output, as the API gives it
    on_map = page.evaluate(
        "(() => { const d = document.getElementById('map').data[0];"
        " return d.z[d.locations.indexOf('CHN')]; })()"
    )
    link = page.locator("#map-csv").get_attribute("href")
    with urllib.request.urlopen(url + link.replace("format=csv", "format=json")) as answer:
        rows = json.load(answer)
    china = next(r for r in rows if r["region"] == "CHN")
    assert on_map == pytest.approx(china["value"])
    assert china["variable"] == "Production|Rare Earths|Mining"
    assert china["year"] == 2030
    # flows by country and stage, and each consumer's traced dependence on China
    page.wait_for_function("document.getElementById('sankey').data !== undefined")
    assert page.evaluate("document.getElementById('sankey').data[0].node.label.length") > 10
    shares_of_china = page.evaluate("document.getElementById('dependence').data[0].y")
    assert shares_of_china
    assert all(0 <= v <= 100.0001 for v in shares_of_china)
    # a chart's CSV download: the share lines as plotted
    with page.expect_download() as download:
        page.click("#shares-csv")
    frame = pd.read_csv(io.StringIO(Path(download.value.path()).read_text()))
    assert set(frame["scenario"]) == {"russia-doubles-2030", "baseline"}
    lines = "document.getElementById('shares').data.filter(d => d.meta !== 'band')"
    assert page.evaluate(lines + ".length") == 2 * frame["variable"].nunique()
    band = "document.getElementById('shares').data.filter(d => d.meta === 'band')"
    low, high = page.evaluate(band + ".map(d => d.y)")[:2]  # one stage's p05 and p95
    assert len(low) == len(high) > 10
    assert all(a <= b + 1e-9 for a, b in zip(low, high, strict=True))


def edit_run_fixed(page, folder: Path) -> None:  # type: ignore[no-untyped-def]
    """A lever edited to an invalid value is refused at its field; fixed, it runs."""
    page.wait_for_function("document.getElementById('editor-message').textContent === '有效'")
    text = page.locator("#editor").input_value()
    assert "multiple: 2.0" in text
    page.fill("#editor", text.replace("multiple: 2.0", "multiple: -2"))
    page.wait_for_function(
        "document.getElementById('editor-message').textContent.includes('multiple')"
    )
    message = page.locator("#editor-message").inner_text()
    assert "levers[" in message
    assert "greater than 0" in message
    assert page.locator("#run-edited").is_disabled()
    # the message sits at the field: its line is marked and the note is drawn beside it
    line = int(message.split("行")[0].removeprefix("第"))
    assert "multiple: -2" in page.locator("#editor").input_value().splitlines()[line - 1]
    marked = page.locator("#editor-lines span.error")
    assert marked.count() == 1
    assert marked.inner_text() == str(line)
    note = page.locator("#editor-marker")
    assert note.is_visible()
    assert "greater than 0" in note.inner_text()
    gap = note.bounding_box()["y"] - marked.bounding_box()["y"]
    assert abs(gap) < marked.bounding_box()["height"]
    page.screenshot(path=str(folder / "5-invalid-lever.png"), full_page=True)
    page.fill("#editor", text.replace("multiple: 2.0", "multiple: 3"))
    page.wait_for_function("document.getElementById('editor-message').textContent === '有效'")
    page.click("#run-edited")
    page.wait_for_function(
        "document.getElementById('scenario').value === 'russia-doubles-2030-edited'"
        " && document.getElementById('status').textContent === '完成'", timeout=300_000,
    )  # fmt: skip
    page.wait_for_function(  # drawn after the run: the scenario's bars carry its name
        "document.getElementById('reliance').data[0].name === 'russia-doubles-2030-edited'"
    )
    shares = page.evaluate("document.getElementById('shares').data.map(d => d.y.length)")
    assert all(n > 10 for n in shares)  # every line drawn, 2024-2040
    page.screenshot(path=str(folder / "6-edited-run.png"), full_page=True)
    # the edited scenario is in the URL: a fresh load runs it again (from the store)
    assert "edited=" in page.url
    page.goto(page.url)
    page.wait_for_function(
        "document.getElementById('scenario').value === 'russia-doubles-2030-edited'"
        " && document.getElementById('status').textContent === '完成'", timeout=120_000,
    )  # fmt: skip
    assert "multiple: 3" in page.locator("#editor").input_value()


def check_an_article(page, folder: Path) -> None:  # type: ignore[no-untyped-def]
    """A pasted article's figures, each with its verdict and source."""
    page.fill("#article", "China mined 270,000 tonnes of rare earths in 2024, the USGS says.")
    page.click("#check")
    page.wait_for_selector("#claims tbody tr")
    row = page.locator("#claims tbody tr").first
    assert row.get_attribute("data-verdict") == "consistent"
    assert "MCS" in row.inner_text()
    assert "一致" in row.inner_text()  # the verdict in the page's language
    page.screenshot(path=str(folder / "7-claims.png"), full_page=True)
