"""A corrupted pack is refused with one located message, exit code 2, and nothing written."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest

from mineralflow import PackError, load_pack


def _edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def _line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(needle)


def tree_digest(folder: Path) -> dict[str, str]:
    """Hash of every file under ``folder``, to prove a command wrote nothing."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


CASES: list[tuple[str, Callable[[Path], str]]] = []


def case(name: str) -> Callable[[Callable[[Path], str]], Callable[[Path], str]]:
    def register(func: Callable[[Path], str]) -> Callable[[Path], str]:
        CASES.append((name, func))
        return func

    return register


@case("wrong type")
def _wrong_type(pack: Path) -> str:
    line = _line_of(pack / "production.csv", "USA,mining,2024,45500")
    _edit(pack / "production.csv", "USA,mining,2024,45500", "USA,mining,2024,lots")
    return f"production.csv, line {line}, column 'value': 'lots' is not a number"


@case("thousands separator")
def _thousands(pack: Path) -> str:
    line = _line_of(pack / "production.csv", "USA,mining,2024,45500")
    _edit(pack / "production.csv", "USA,mining,2024,45500", 'USA,mining,2024,"45,500"')
    return f"line {line}, column 'value': '45,500' is not a number (write numbers without"


@case("missing column")
def _missing_column(pack: Path) -> str:
    path = pack / "reserves.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    cut = [",".join(line.split(",")[:3] + line.split(",")[4:]) for line in lines[:1]]
    path.write_text("\n".join(cut) + "\n", encoding="utf-8")
    return "reserves.csv, line 1: missing column 'value'"


@case("unknown region")
def _unknown_region(pack: Path) -> str:
    line = _line_of(pack / "production.csv", "RUS,mining,2024,2600")
    _edit(pack / "production.csv", "RUS,mining,2024,2600", "RUSS,mining,2024,2600")
    return (
        f"production.csv, line {line}, column 'region': unknown code 'RUSS' (did you mean 'RUS'?)"
    )


@case("negative tonnage")
def _negative(pack: Path) -> str:
    line = _line_of(pack / "production.csv", "IND,mining,2024,2900")
    _edit(pack / "production.csv", "IND,mining,2024,2900", "IND,mining,2024,-2900")
    return f"production.csv, line {line}, column 'value': -2900 is below the minimum"


@case("shares not summing to 1")
def _shares(pack: Path) -> str:
    _edit(pack / "deposit_composition.csv", "bayan_obo,La,0.23,", "bayan_obo,La,0.33,")
    return (
        "deposit_composition.csv, line 2, column 'share': shares for (deposit=bayan_obo) "
        "sum to 1.1000"
    )


@case("duplicated key")
def _duplicate(pack: Path) -> str:
    path = pack / "elements.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([*lines, lines[1]]) + "\n", encoding="utf-8")
    return f"elements.csv, line {len(lines) + 1}: duplicate key (symbol=La); first given on line 2"


@case("undecodable file")
def _undecodable(pack: Path) -> str:
    path = pack / "regions.csv"
    line = len(path.read_text(encoding="utf-8").splitlines()) + 1
    path.write_bytes(path.read_bytes() + "ZZZ,Zürich,aggregate,,MF-DEF\n".encode("latin-1"))
    return f"regions.csv, line {line}: cannot be decoded as UTF-8"


@case("unknown source")
def _unknown_source(pack: Path) -> str:
    line = _line_of(pack / "production.csv", "USA,mining,2024,45500")
    _edit(
        pack / "production.csv",
        "USA,mining,2024,45500,t REO,USGS-MCS2026-REE",
        "USA,mining,2024,45500,t REO,USGS-MCS2062-REE",
    )
    return f"line {line}, column 'source_id': unknown source_id 'USGS-MCS2062-REE'"


@case("missing source")
def _missing_source(pack: Path) -> str:
    line = _line_of(pack / "production.csv", "USA,mining,2024,45500")
    _edit(
        pack / "production.csv",
        "USA,mining,2024,45500,t REO,USGS-MCS2026-REE",
        "USA,mining,2024,45500,t REO,",
    )
    return f"production.csv, line {line}, column 'source_id': is empty"


@case("unit of another stage")
def _unit(pack: Path) -> str:
    line = _line_of(pack / "production.csv", "USA,mining,2024,45500")
    _edit(pack / "production.csv", "USA,mining,2024,45500,t REO", "USA,mining,2024,45500,t metal")
    return (
        f"production.csv, line {line}, column 'unit': unit 't metal' does not match stage "
        "'mining', whose unit is 't REO'"
    )


@case("not an ISO code")
def _iso(pack: Path) -> str:
    _edit(pack / "regions.csv", "CHN,China,country", "CHA,China,country")
    return "regions.csv, line 2, column 'code': 'CHA' is not an ISO 3166 alpha-3 country code"


@case("misspelt table file")
def _table_name(pack: Path) -> str:
    (pack / "capacity.csv").rename(pack / "capacty.csv")
    return "capacty.csv: is not a table of the pack schema (did you mean 'capacity'?)"


@case("estimate without method")
def _estimate(pack: Path) -> str:
    _edit(pack / "sources.csv", "downstream-output-2024,", ",")
    return "is marked E (estimate) but source 'MF-EST-2024' has no method"


@case("ragged row")
def _ragged(pack: Path) -> str:
    line = _line_of(pack / "production.csv", "IND,mining,2024,2900")
    _edit(pack / "production.csv", "IND,mining,2024,2900,", "IND,mining,2024,2,900,")
    return f"production.csv, line {line}: has 9 fields, the header has 8"


@case("bad date")
def _date(pack: Path) -> str:
    _edit(pack / "policy_events.csv", "2023-12-21", "2023-13-21")
    return "column 'date': '2023-13-21' is not a calendar date"


@case("share above one")
def _share(pack: Path) -> str:
    row = "demand_adjustment,magnet,0.3,"
    line = _line_of(pack / "parameters.csv", row)
    _edit(pack / "parameters.csv", row, "demand_adjustment,magnet,1.3,")
    return (
        f"parameters.csv, line {line}, column 'value': 'demand_adjustment' is 1.3; "
        "it is a share and must lie between 0 and 1"
    )


@case("bad manifest")
def _manifest(pack: Path) -> str:
    _edit(pack / "pack.yaml", "base_year: 2024", "base_year: 24")
    return "pack.yaml: field 'base_year': Input should be greater than or equal to 1990"


@case("ambiguous edition")
def _vintage(pack: Path) -> str:
    _edit(
        pack / "sources.csv",
        "Mineral Commodity Summaries 2025: Rare Earths,MCS2025,2025",
        "Mineral Commodity Summaries 2025: Rare Earths,MCS2025,2026",
    )
    return "is given by two sources published in 2026"


@pytest.mark.parametrize(("name", "corrupt"), CASES, ids=[c[0] for c in CASES])
def test_check_refuses_corruption(
    name: str, corrupt: Callable[[Path], str], re_copy: Path, run_cli
) -> None:  # type: ignore[no-untyped-def]
    expected = corrupt(re_copy)
    before = tree_digest(re_copy.parent)
    result = run_cli("data", "check", str(re_copy))
    assert result.code == 2, result
    assert expected in result.err, result.err
    assert "Traceback" not in result.err + result.out
    assert tree_digest(re_copy.parent) == before  # nothing written


def test_every_command_refuses_a_bad_pack(re_copy: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    _negative(re_copy)
    for args in (
        ["data", "show", "production", "--pack", str(re_copy)],
        ["data", "sources", "--pack", str(re_copy)],
        ["data", "overview", "--pack", str(re_copy)],
    ):
        result = run_cli(*args)
        assert result.code == 2
        assert "is below the minimum" in result.err


def test_python_api_raises_typed_error(re_copy: Path) -> None:
    _unknown_region(re_copy)
    with pytest.raises(PackError) as info:
        load_pack(re_copy)
    assert [p.column for p in info.value.problems] == ["region"]


def test_all_problems_are_reported_together(re_copy: Path) -> None:
    _negative(re_copy)
    _unknown_region(re_copy)
    with pytest.raises(PackError) as info:
        load_pack(re_copy)
    assert len(info.value.problems) == 2


def test_a_users_pack_folder_is_accepted(re_copy: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("data", "check", str(re_copy))
    assert result.code == 0, result.err
    assert "every row sourced" in result.out
    shown = run_cli("data", "show", "regions", "--pack", str(re_copy), "--json")
    assert shown.code == 0


def test_the_report_section_names_only_what_the_pack_has(re_copy: Path) -> None:
    manifest = re_copy / "pack.yaml"
    text = manifest.read_text().replace("focus_region: CHN", "focus_region: CHA")
    manifest.write_text(text.replace("key_prices: [Nd, Dy]", "key_prices: [Nd, Dyy]"))
    with pytest.raises(PackError) as info:
        load_pack(re_copy)
    message = str(info.value)
    assert "pack.yaml: field 'report.focus_region': 'CHA' is not in regions.csv" in message
    assert "field 'report.key_prices': 'Dyy' is not in products.csv (did you mean 'Dy'?)" in message
