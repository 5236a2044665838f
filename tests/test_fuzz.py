"""Fuzz the three readers of user text: scenario files, pack tables and articles.

Hypothesis draws bytes, near-CSV text and YAML structures; each reader must either accept the
input or raise its typed error (``MineralflowError``), never anything else, and never write.
The number of examples is bounded so that the suite stays fast; ``--hypothesis-seed`` replays.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mineralflow.claims import check_text, numbers, read_text
from mineralflow.data.pack import check_pack, load_pack
from mineralflow.errors import MineralflowError
from mineralflow.scenario.loading import load_scenario, scenario_from_text

TOY = Path(__file__).parent / "fixtures" / "toy"
FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["rare_earths", "aluminium", "CHN", "export_ban", "mining", "baseline"]),
)
FIELDS = ["name", "description", "pack", "years", "levers", "base", "seed", "type", "region",
          "tonnes", "from_year", "stages", "sources"]  # fmt: skip
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(FIELDS), st.text(max_size=8)), inner, max_size=5),
    ),
    max_leaves=25,
)


def _accepts_or_refuses(call: Callable[[], object]) -> None:
    """``call`` returns, or raises a typed error with a message; anything else fails the test."""
    message = "accepted"
    try:
        call()
    except MineralflowError as exc:
        message = str(exc)
    assert message


@FUZZ
@given(data=st.binary(max_size=600))
def test_scenario_bytes(data: bytes, tmp_path: Path) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_bytes(data)
    _accepts_or_refuses(lambda: load_scenario(path))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fuzz.yaml"]


@FUZZ
@given(document=documents)
def test_scenario_structures(document: object, tmp_path: Path) -> None:
    text = yaml.safe_dump(document, allow_unicode=True)
    _accepts_or_refuses(lambda: scenario_from_text(text, tmp_path))


@FUZZ
@given(
    base=st.fixed_dictionaries(
        {"name": st.just("fuzz"), "description": st.just("d"), "years": st.just([2024, 2030])}
    ),
    levers=st.lists(st.dictionaries(st.sampled_from(FIELDS), scalars, max_size=6), max_size=3),
)
def test_scenario_levers(base: dict[str, object], levers: list[object], tmp_path: Path) -> None:
    text = yaml.safe_dump({**base, "levers": levers}, allow_unicode=True)
    _accepts_or_refuses(lambda: scenario_from_text(text, tmp_path))


csv_text = st.lists(
    st.lists(
        st.one_of(
            st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=12),
            st.sampled_from(["CHN", "AUS", "inf", "nan", "-1", "1e400", "2024", '"', "=SUM(A1)"]),
        ),
        max_size=7,
    ),
    max_size=6,
).map(lambda rows: "\n".join(",".join(row) for row in rows))


@settings(FUZZ, max_examples=60)
@given(table=st.sampled_from(["regions", "production", "products", "stages"]), text=csv_text,
       header=st.booleans())  # fmt: skip
def test_pack_tables(table: str, text: str, header: bool, tmp_path: Path) -> None:
    folder = tmp_path / "toy"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(TOY, folder)
    original = (TOY / f"{table}.csv").read_text(encoding="utf-8").splitlines()[0]
    (folder / f"{table}.csv").write_text((original + "\n" if header else "") + text, "utf-8")
    problems = check_pack(folder)
    assert all(p.file and p.message for p in problems)
    if not problems:
        load_pack(folder)


@settings(FUZZ, max_examples=50)
@given(data=st.binary(max_size=400))
def test_pack_table_bytes(data: bytes, tmp_path: Path) -> None:
    folder = tmp_path / "toy"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(TOY, folder)
    (folder / "regions.csv").write_bytes(data)
    problems = check_pack(folder)
    assert problems  # random bytes are never a valid regions table
    assert all(p.file for p in problems)


@settings(FUZZ, max_examples=150)
@given(data=st.binary(max_size=400))
def test_article_bytes(data: bytes, tmp_path: Path) -> None:
    path = tmp_path / "article.txt"
    path.write_bytes(data)
    _accepts_or_refuses(lambda: read_text(path))


@settings(FUZZ, max_examples=100)
@given(
    text=st.text(
        alphabet=st.sampled_from(list("0123456789,. %t万亿吨翻一番两倍年中国China mined in")),
        max_size=200,
    )
)
def test_article_text(text: str) -> None:
    _accepts_or_refuses(lambda: check_text(text, _PACK))


_PACK = load_pack("rare_earths")


TOKENS = ["翻一番", "3倍", "百分之五", "12%", "per cent", "$5", "US$3 billion", "每公斤55美元",
          "七成", "第二", "the largest", "ranks third", "doubled", "three-fold", "20年", "5 years",
          "27万吨", "45,500 t", "2024", " ", "，", "China", "中国"]  # fmt: skip


@settings(FUZZ, max_examples=200)
@given(words=st.lists(st.sampled_from(TOKENS), max_size=12))
def test_pattern_prefilters_change_no_match(words: list[str]) -> None:
    """Skipping patterns by their required words finds exactly what scanning every one finds."""
    text = "".join(words)
    found = numbers.find_quantities(text)
    needs = numbers._NEEDS
    try:
        numbers._NEEDS = {}
        assert numbers.find_quantities(text) == found
    finally:
        numbers._NEEDS = needs
