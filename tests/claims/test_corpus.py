"""The labelled corpus is whole and well formed, and the scorer counts as it says."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import yaml
from corpus import SPLIT, LabelledClaim, LabelledText, load_corpus
from score_corpus import match, wrong_fields

from mineralflow.claims import extract_claims


def test_the_corpus_has_what_an_honest_evaluation_needs() -> None:
    texts = load_corpus()  # every file checks against the schema, each number is in its text
    claims = [c for t in texts for c in t.claims]
    assert len(texts) >= 30
    assert len(claims) >= 300
    langs = Counter("Chinese" if t.lang.startswith("zh") else "English" for t in texts)
    assert langs["Chinese"] >= 10
    assert langs["English"] >= 10
    assert any(t.lang == "zh-hant" for t in texts)
    assert sum(c.commodity == "aluminium" for c in claims) >= 50
    classes = Counter(k for c in claims for k in c.classes)
    assert all(classes[k] >= 5 for k in ("numbers", "respectively", "metric", "region",
                                         "plan", "commodity", "year", "verdict"))  # fmt: skip


def test_every_text_is_in_one_split_drawn_once() -> None:
    split = yaml.safe_load(SPLIT.read_text(encoding="utf-8"))
    texts = {t.id for t in load_corpus()}
    assert texts <= set(split)
    assert set(split.values()) == {"dev", "test"}
    for lang in ("zh", "en"):
        test = [i for i in texts if i.startswith(lang) and split[i] == "test"]
        assert len(test) >= 5


def test_a_found_claim_is_matched_to_the_label_it_overlaps() -> None:
    text = LabelledText(
        id="t", lang="zh", date=dt.date(2025, 6, 1), title="t", modelled_on=["-"],
        text="中国2024年稀土矿产量为27万吨。美国为4.55万吨。",
        claims=[
            LabelledClaim(number="27万吨", commodity="rare_earths", region="CHN",
                          metric="production", value=270000, unit="t", year=2024,
                          kind="fact", verdict="consistent"),
            LabelledClaim(number="4.55万吨", commodity="rare_earths", region="USA",
                          metric="production", value=45500, unit="t", year=2024,
                          kind="fact", verdict="consistent"),
        ],
    )  # fmt: skip
    found, _ = extract_claims(text.text, text.date)
    pairs = match(text, found)
    assert [(f.number_text if f else None, lab.number if lab else None) for f, lab in pairs] == [
        ("27万吨", "27万吨"),
        ("4.55万吨", "4.55万吨"),
    ]
    assert wrong_fields(pairs[0][0], pairs[0][1]) == []
    wrong_region = pairs[1][1].model_copy(update={"region": "CAN"})
    assert wrong_fields(pairs[1][0], wrong_region) == ["region"]
