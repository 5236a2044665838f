"""The claims reader: numbers and units, the labelled sentences, the article, verdicts, CLI."""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path

import cn2an
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from mineralflow.claims import check_text, extract_claims
from mineralflow.claims.claim import Claim
from mineralflow.claims.judge import rounding
from mineralflow.claims.numbers import find_quantities
from mineralflow.data import load_pack
from mineralflow.scenario import load_scenario

HERE = Path(__file__).parent.parent
ARTICLE = HERE.parent.parent / "shared" / "reference" / "article-russia-us-rare-earths.txt"
FIELDS = ("region", "metric", "unit", "year", "kind")


@pytest.fixture(scope="module")
def pack():
    return load_pack("rare_earths")


@pytest.mark.parametrize(
    ("text", "low", "high", "unit"),
    [
        ("27万吨", 270_000, 270_000, "t"),
        ("一千万吨", 10_000_000, 10_000_000, "t"),
        ("两千六百吨", 2_600, 2_600, "t"),
        ("4.5万至5万吨", 45_000, 50_000, "t"),
        ("1000亿卢布", 1e11, 1e11, "RUB"),
        ("4亿美元", 4e8, 4e8, "USD"),
        ("百分之六十", 60, 60, "%"),
        ("九成以上", 90, 90, "%"),
        ("每公斤55美元", 55, 55, "USD/kg"),
        ("260美元/公斤", 260, 260, "USD/kg"),
        ("第四或第五", 4, 5, "rank"),
        ("翻一番", 2, 2, "x"),
        ("270,000 tonnes", 270_000, 270_000, "t"),
        ("2.5 million tonnes", 2.5e6, 2.5e6, "t"),
        ("50 kt", 50_000, 50_000, "t"),
        ("between 3 and 4 million tonnes", 3e6, 4e6, "t"),
        ("$1.5 billion", 1.5e9, 1.5e9, "USD"),
        ("US$110/kg", 110, 110, "USD/kg"),
        ("Rub 100 bn", 1e11, 1e11, "RUB"),
        ("20-30%", 20, 30, "%"),
        ("the fourth-largest", 4, 4, "rank"),
        ("doubling", 2, 2, "x"),
        ("three-fold", 3, 3, "x"),
    ],
)
def test_quantities_in_base_units(text, low, high, unit):
    (quantity,) = find_quantities(text)
    assert (quantity.low, quantity.high, quantity.unit) == (low, high, unit)


@pytest.mark.parametrize("text", ["2025年3月4日", "计划于2028年", "in 2024", "一定吨数", "之一"])
def test_dates_and_words_are_not_quantities(text):
    assert find_quantities(text) == []


@given(st.integers(min_value=1, max_value=99_999_999))
def test_chinese_and_arabic_numerals_read_back(n):
    chinese = cn2an.an2cn(str(n))
    assert [q.value for q in find_quantities(f"产量{chinese}吨")] == [n]
    assert [q.value for q in find_quantities(f"output of {n:,} tonnes")] == [n]


def _matches(claim: Claim, expected: dict) -> bool:
    if any(getattr(claim, f) != expected.get(f) for f in FIELDS):
        return False
    if "stage" in expected and claim.stage != expected["stage"]:
        return False
    for key in ("value", "low", "high"):
        if key in expected:
            got = getattr(claim, key)
            if got is None or not math.isclose(got, float(expected[key]), rel_tol=1e-6):
                return False
    return True


def _score(items: list[dict]) -> tuple[int, int, int]:
    tp = fp = fn = 0
    for item in items:
        found, _ = extract_claims(item["text"], item.get("date", date(2025, 6, 1)))
        expected = list(item["claims"] or [])
        used: set[int] = set()
        for claim in found:
            hit = next(
                (i for i, e in enumerate(expected) if i not in used and _matches(claim, e)), None
            )
            if hit is None:
                fp += 1
            else:
                used.add(hit)
                tp += 1
        fn += len(expected) - len(used)
    return tp, fp, fn


@pytest.mark.parametrize("name", ["labelled.yaml", "heldout.yaml"])
def test_precision_and_recall_on_labelled_sentences(name):
    items = yaml.safe_load((HERE / "claims" / name).read_text(encoding="utf-8"))
    tp, fp, fn = _score(items)
    assert tp / (tp + fp) >= 0.9
    assert tp / (tp + fn) >= 0.85


def test_labelled_set_is_large_bilingual_and_hard():
    items = yaml.safe_load((HERE / "claims" / "labelled.yaml").read_text(encoding="utf-8"))
    assert len(items) >= 40
    zh = [i for i in items if any("\u4e00" <= ch <= "\u9fff" for ch in i["text"])]
    assert 15 <= len(zh) <= len(items) - 15
    claims = [c for i in items for c in i["claims"] or []]
    assert any("low" in c and "high" in c for c in claims)  # ranges
    assert any(("low" in c) != ("high" in c) for c in claims)  # bounds
    assert {c["kind"] for c in claims} == {"fact", "plan"}
    assert any(len({c["region"] for c in i["claims"] or []}) > 1 for i in items)
    assert any(not i["claims"] for i in items)  # sentences with no claim


def test_the_wrong_share_is_flagged_against_the_other(pack):
    text = "2025年3月4日电 中国占据全球70%的市场份额。中国拥有全球60%的稀土开采量。"
    claims = check_text(text, pack).claims
    seventy, sixty = claims
    assert seventy.verdict == "consistent"
    assert sixty.verdict == "inconsistent"
    assert seventy.conflicts == [1]
    assert sixty.conflicts == [0]


def test_verdicts_and_references(pack):
    text = (
        "March 4, 2025. China mined 270,000 t. Russia's reserves are about 10 million tonnes. "
        "Australia mined 90,000 t in 2024. Russia plans to produce 50,000 t by 2030. "
        "Russia is 20 years behind China in refining."
    )
    mined, reserves, australia, plan, gap = check_text(text, pack).claims
    assert mined.verdict == "consistent"
    assert mined.year == 2024
    assert mined.reference.value == 270_000
    assert mined.reference.edition == "MCS2026"
    assert mined.reference.source.startswith("U.S. Geological Survey, Mineral Commodity")
    assert reserves.verdict == "outdated"
    assert "MCS2024" in reserves.note
    assert reserves.reference.value == 3_800_000
    assert australia.verdict == "inconsistent"
    assert australia.reference.value == 29_000
    assert plan.verdict == "plan"
    assert plan.year == 2030
    assert plan.reference.value == 2_600
    assert gap.verdict == "unverifiable"
    assert gap.region == "RUS"


def test_rounding_follows_the_digits_given():
    assert rounding("27万吨", 270_000) == 5_000
    assert rounding("4.5万吨", 45_000) == 500
    assert rounding("2600吨", 2_600) == 50
    assert rounding("11.5%", 11.5) == pytest.approx(0.05)


@pytest.mark.skipif(not ARTICLE.is_file(), reason="the reference article is not beside the repo")
def test_the_reference_article(pack):
    checked = check_text(ARTICLE.read_text(encoding="utf-8"), pack)
    assert checked.date == date(2025, 3, 4)
    assert checked.lang == "zh"
    by_text = {}
    for claim in checked.claims:
        by_text.setdefault(claim.number_text, []).append(claim)
    # every figure of the article, each judged
    expected = {
        "27万吨": ("CHN", "production", "consistent"),
        "4.5万吨": ("USA", "production", "consistent"),
        "70%": ("CHN", "share", "consistent"),
        "11.5%": ("USA", "share", "consistent"),
        "1%": ("RUS", "share", "consistent"),
        "5万吨": ("RUS", "production", "plan"),
        "1000亿卢布": ("RUS", "value", "plan"),
        "2028": ("RUS", "capacity", "plan"),
        "60%": ("CHN", "share", "inconsistent"),
        "85%": ("CHN", "share", "consistent"),
        "20年": ("RUS", "technology_gap", "unverifiable"),
        "第四或第五": ("RUS", "rank", "consistent"),
        "一千万吨": ("RUS", "reserves", "outdated"),
        "90%": ("CHN", "share", "consistent"),
    }
    for text, (region, metric, verdict) in expected.items():
        (claim,) = by_text.pop(text)
        assert (claim.region, claim.metric, claim.verdict) == (region, metric, verdict), text
    assert [c.verdict for c in by_text.pop("2600吨")] == ["consistent", "consistent"]
    assert by_text == {}
    sixty = next(c for c in checked.claims if c.number_text == "60%")
    seventy = next(c for c in checked.claims if c.number_text == "70%")
    assert checked.claims.index(seventy) in sixty.conflicts
    assert "disagrees with" in sixty.note


def test_cli_json(tmp_path, run_cli):
    article = tmp_path / "a.txt"
    article.write_text("2025年3月4日 中国每年生产稀土27万吨,俄罗斯计划到2030年产量翻一番。")
    result = run_cli("claims", "check", str(article), "--json")
    assert result.code == 0, result.err
    records = json.loads(result.out)
    keys = {"quote", "region", "metric", "value", "unit", "year", "kind", "verdict", "reference"}
    assert all(keys <= set(r) for r in records)
    first, second = records
    assert (first["value"], first["unit"], first["verdict"]) == (270000, "t", "consistent")
    assert first["reference"]["source"].startswith("U.S. Geological Survey")
    assert (second["value"], second["unit"], second["kind"]) == (2, "x", "plan")


def test_cli_table_names_the_disagreement(tmp_path, run_cli):
    article = tmp_path / "a.txt"
    article.write_text("中国占据全球70%的市场份额。中国拥有全球60%的稀土开采量。")
    result = run_cli("claims", "check", str(article), "--date", "2025-03-04")
    assert result.code == 0, result.err
    assert "disagree: #0 70% and #1 60%" in result.out


def test_cli_scenario_draft_runs_through_the_scenario_loader(tmp_path, run_cli):
    article = tmp_path / "plans.txt"
    article.write_text(
        "2025年3月4日 俄罗斯宣布将稀土产量提高到5万吨的目标。Vietnam plans to double its output "
        "by 2030. Russia will open a magnet plant in 2028.",
        encoding="utf-8",
    )
    target = tmp_path / "draft.yaml"
    result = run_cli("claims", "scenario", str(article), "--out", str(target))
    assert result.code == 0, result.err
    spec = load_scenario(target)
    drafted = [lv for lv in spec.levers if lv.type == "capacity_target"]  # after the base's
    levers = {(lv.region, lv.tonnes, lv.multiple, lv.year) for lv in drafted}
    assert levers == {("RUS", 50_000.0, None, 2030), ("VNM", None, 2.0, 2030)}
    assert "start_year: 2028" in target.read_text(encoding="utf-8")  # the plant, as a comment


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (None, [], "no such file"),
        (b"\xff\xfe\x00bad", [], "not UTF-8"),
        (b"   \n", [], "empty"),
        ("中国生产27万吨。".encode(), ["--date", "4 March"], "YYYY-MM-DD"),
    ],
)
def test_cli_bad_input_is_one_message(tmp_path, run_cli, content, args, message):
    path = tmp_path / "in.txt"
    if content is not None:
        path.write_bytes(content)
    result = run_cli("claims", "check", str(path), *args)
    assert result.code == 2
    assert message in result.err
    assert "Traceback" not in result.err


def test_cli_scenario_refuses_a_non_yaml_target(tmp_path, run_cli):
    article = tmp_path / "a.txt"
    article.write_text("俄罗斯计划到2030年将产量翻一番。")
    target = tmp_path / "draft.txt"
    result = run_cli("claims", "scenario", str(article), "--out", str(target))
    assert result.code == 2
    assert ".yaml" in result.err
    assert not target.exists()
