"""Every figure in the bundled packs names a source, and every estimate is explained."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mineralflow import bundled_packs, load_pack
from mineralflow.data.schema import TABLES_BY_NAME

DOCS = Path(__file__).resolve().parents[2] / "docs" / "data.md"


def _anchors() -> set[str]:
    """GitHub-style anchors of the headings in docs/data.md."""
    headings = re.findall(r"^#+\s+(.+)$", DOCS.read_text(encoding="utf-8"), flags=re.M)
    return {re.sub(r"[^a-z0-9 -]", "", h.lower()).strip().replace(" ", "-") for h in headings}


@pytest.mark.parametrize("name", bundled_packs())
def test_every_row_has_a_known_source(name: str) -> None:
    pack = load_pack(name)
    known = set(pack.tables["sources"]["source_id"])
    for table, frame in pack.tables.items():
        if table == "sources":
            continue
        assert frame["source_id"].notna().all(), table
        assert set(frame["source_id"]) <= known, table
        if TABLES_BY_NAME[table].sources:
            assert set(frame["confidence"]) <= {"V", "S", "E"}, table


@pytest.mark.parametrize("name", bundled_packs())
def test_every_estimate_method_is_documented(name: str) -> None:
    pack = load_pack(name)
    sources = pack.tables["sources"]
    methods = set(sources["method"].dropna())
    assert methods, "a pack with estimates names their methods"
    missing = methods - _anchors()
    assert not missing, f"docs/data.md lacks a section for {sorted(missing)}"


@pytest.mark.parametrize("name", bundled_packs())
def test_sources_name_publication_edition_and_year(name: str) -> None:
    sources = load_pack(name).tables["sources"]
    for column in ("publisher", "title", "edition", "year"):
        assert sources[column].notna().all(), column
    usgs = sources[sources["publisher"] == "U.S. Geological Survey"]
    assert (usgs["edition"].str.match(r"^(MCS|MYB)\d{4}$")).all()


def test_the_sheet_is_never_cited() -> None:
    for name in bundled_packs():
        folder = load_pack(name).path
        for path in folder.glob("*.csv"):
            assert "facts.md" not in path.read_text(encoding="utf-8"), path.name
