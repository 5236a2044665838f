"""The JSON API as a client meets it: catalog, runs through the queue, results like pyam,
comparisons, claims, reports, and errors that say what is allowed."""

from __future__ import annotations

import io
import time

import pandas as pd
from fastapi.testclient import TestClient

import mineralflow as mf
from mineralflow.scenario import Scenario
from web_helpers import SHORT_RUN

Served = tuple[TestClient, dict[str, str]]


def test_the_catalog_names_packs_scenarios_and_sources(served: Served) -> None:
    client, _ = served
    packs = {p["name"]: p for p in client.get("/api/packs").json()}
    assert {"rare_earths", "aluminium"} <= set(packs)
    assert packs["rare_earths"]["tables"]["production"] > 100
    rows = client.get(
        "/api/packs/rare_earths/tables/production", params={"stage": "mining", "year": 2024}
    ).json()
    china = next(r for r in rows if r["region"] == "CHN")
    assert china["value"] == 270_000
    assert china["source_id"] == "USGS-MCS2026-REE"
    csv = client.get("/api/packs/rare_earths/tables/sources", params={"format": "csv"})
    assert csv.headers["content-type"].startswith("text/csv")
    assert "USGS-MCS2026-REE" in csv.text
    names = [s["name"] for s in client.get("/api/scenarios").json()]
    assert "russia-doubles-2030" in names
    shown = client.get("/api/scenarios/russia-doubles-2030").json()
    assert shown["base"] == "baseline"
    assert any("capacity_target" in line for line in shown["lever_lines"])
    assert client.get("/api/scenarios/schema").json()["title"]


def test_posted_yaml_is_checked_at_the_field(served: Served) -> None:
    client, _ = served
    ok = client.post("/api/scenarios/validate", content=SHORT_RUN,
                     headers={"content-type": "text/plain"})  # fmt: skip
    assert ok.status_code == 200, ok.text
    assert ok.json()["valid"] is True
    bad = SHORT_RUN + "levers:\n  - type: capacity_target\n    region: RUS\n    stage: mining\n" \
        "    multiple: -2\n    year: 2026\n"  # fmt: skip
    refused = client.post("/api/scenarios/validate", content=bad,
                          headers={"content-type": "text/plain"})  # fmt: skip
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert "levers[0].multiple" in error["message"]
    assert "greater than 0" in error["message"]
    # the line of that field, for an editor to mark
    assert bad.splitlines()[error["line"] - 1].strip() == "multiple: -2"
    broken = client.post("/api/scenarios/validate", content="name: x\nlevers: [\n",
                         headers={"content-type": "text/plain"})  # fmt: skip
    assert broken.status_code == 422
    assert broken.json()["error"]["line"] == 3  # where the YAML reader stopped


def test_names_come_in_the_asked_language(served: Served) -> None:
    client, _ = served
    zh = client.get("/api/words", params={"lang": "zh-CN"}).json()
    assert zh["stages"]["Mining"] == "开采"
    assert zh["regions"]["RUS"] == "俄罗斯"
    assert zh["elements"]["Nd"] == "钕"
    assert zh["verdicts"]["consistent"] == "一致"
    en = client.get("/api/words").json()
    assert en["regions"]["USA"] == "United States"
    refused = client.get("/api/words", params={"lang": "fr"})
    assert refused.status_code == 422
    assert "zh" in refused.json()["error"]["message"]


def test_requests_never_reach_the_file_system(served: Served) -> None:
    client, _ = served
    for text in (
        SHORT_RUN.replace("rare_earths", "/etc"),
        SHORT_RUN.replace("rare_earths", "../../src/mineralflow/data/packs/rare_earths"),
        SHORT_RUN + "base: ../secret.yaml\n",
        SHORT_RUN + "base: /etc/passwd\n",
    ):
        answer = client.post("/api/runs", json={"yaml": text})
        assert answer.status_code == 422, text
        assert answer.json()["error"]["field"] in ("pack", "base")
    assert client.get("/api/packs/..%2F..%2Fetc").status_code == 404
    assert client.get("/api/results", params={"run": "../../etc"}).status_code == 404
    assert client.get("/api/runs/..%2Fx").status_code == 404


def test_a_stored_run_is_queried_like_pyam(served: Served) -> None:
    client, ids = served
    rows = client.get("/api/results", params={
        "run": ids["short"], "variable": "Share|Rare Earths|*", "region": "CHN", "year": 2024,
    }).json()  # fmt: skip
    assert rows
    assert {r["region"] for r in rows} == {"CHN"}
    assert all(r["variable"].startswith("Share|Rare Earths|") for r in rows)
    mining = next(r for r in rows if r["variable"] == "Share|Rare Earths|Mining")
    assert 60 < mining["value"] < 80
    csv = client.get("/api/results", params={"run": ids["short"], "format": "csv",
                                             "variable": "Price|*"})  # fmt: skip
    frame = pd.read_csv(io.StringIO(csv.text))
    assert list(frame.columns) == ["model", "scenario", "region", "variable", "unit", "year",
                                   "value"]  # fmt: skip
    assert (frame["unit"] == "USD/kg").all()


def test_a_job_reports_its_progress(served: Served) -> None:
    client, _ = served
    text = SHORT_RUN.replace("short-run", "short-progress").replace("2026]", "2030]")
    job = client.post("/api/runs", json={"yaml": text}).json()
    seen = []
    while job["state"] in ("queued", "running"):
        seen.append(job["progress"])
        time.sleep(0.05)
        job = client.get(f"/api/jobs/{job['job']}").json()
    assert job["state"] == "done", job
    assert job["progress"] == 1.0
    assert seen == sorted(seen)  # it only grows
    assert all(0.0 <= p <= 1.0 for p in seen)
    assert any(0.0 < p < 1.0 for p in seen)  # years were reported as they were solved


def test_a_run_is_stored_once(served: Served) -> None:
    client, ids = served
    again = client.post("/api/runs", json={"yaml": SHORT_RUN}).json()
    assert again["state"] == "done"  # answered from the store at once
    assert again["run_id"] == ids["short"]
    listed = [r["run_id"] for r in client.get("/api/runs").json()]
    assert listed.count(ids["short"]) == 1
    assert client.get(f"/api/runs/{ids['short'][:6]}").json()["scenario"] == "short-run"


def test_compare_and_report(served: Served) -> None:
    client, ids = served
    rows = client.get("/api/compare", params={"a": ids["short"], "b": ids["russia"]}).json()
    russia = [r for r in rows if r["variable"] == "Share|Rare Earths|Mining"
              and r["region"] == "RUS" and r["year"] == 2026]  # fmt: skip
    assert russia
    assert russia[0]["b"] > russia[0]["a"]
    page = client.get(f"/api/runs/{ids['russia']}/report",
                      params={"lang": "zh-CN", "base": ids["short"]})  # fmt: skip
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<html lang="zh-CN">' in page.text


def test_claims_are_judged_with_their_source(served: Served) -> None:
    client, _ = served
    text = "China mined 270,000 tonnes of rare earths in 2024, according to the USGS."
    checked = client.post("/api/claims/check", json={"text": text}).json()
    claim = checked["claims"][0]
    assert claim["verdict"] == "consistent"
    assert claim["reference"]["source_id"].startswith("USGS")


def test_mistakes_are_4xx_json_saying_what_is_allowed(served: Served) -> None:
    client, ids = served
    cases = [
        (client.get(f"/api/runs/{ids['short']}/sensitivity"), 404, "run"),  # not an ensemble
        (client.get("/api/scenarios/nosuch"), 404, "scenario"),
        (client.get("/api/packs/nosuch"), 404, "pack"),
        (client.get("/api/packs/rare_earths/tables/nosuch"), 404, "table"),
        (client.get("/api/jobs/nosuch"), 404, "job"),
        (client.get("/api/results", params={"run": "abcdef"}), 404, "run"),
        (client.get("/api/results"), 422, "query.run"),
        (client.get("/api/packs/rare_earths/tables/production", params={"year": "x"}), 422,
         "query.year"),
        (client.post("/api/runs", json={}), 422, "body"),
        (client.post("/api/runs", json={"scenario": "nosuch"}), 404, "scenario"),
    ]  # fmt: skip
    for answer, status, field in cases:
        assert answer.status_code == status, answer.text
        error = answer.json()["error"]
        assert error["field"] == field, error
        assert error["message"]


def test_a_runs_ensembles_give_its_ranges(served: Served) -> None:
    """An ensemble of a run's exact inputs is found from the run; its quantiles are result
    variables (``...|p05`` to ``...|p95``), in order."""
    client, ids = served
    store = client.app.state.mineralflow.results.store  # type: ignore[attr-defined]
    assert client.get(f"/api/runs/{ids['short']}/ensembles").json() == []
    mf.ensemble(Scenario.from_text(SHORT_RUN), 3, seed=2, store=store)
    found = client.get(f"/api/runs/{ids['short']}/ensembles").json()
    assert len(found) == 1
    assert found[0]["members"] == 3
    assert client.get(f"/api/runs/{ids['russia']}/ensembles").json() == []
    rows = client.get("/api/results", params={
        "run": found[0]["run_id"], "variable": "Share|Rare Earths|Mining|p*", "region": "CHN",
    }).json()  # fmt: skip
    by = {(r["variable"].rsplit("|", 1)[1], r["year"]): r["value"] for r in rows}
    for year in (2024, 2025, 2026):
        assert by[("p05", year)] <= by[("p50", year)] <= by[("p95", year)]
