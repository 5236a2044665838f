"""The malformed-input corpus beyond scenario files: pack copies, articles, options, the API.

Every case asserts what docs/reliability.md promises: exit code 2 (or a typed error from the
API), one message naming the input and what is allowed, no traceback, nothing written.
Scenario files are in tests/scenarios/bad (tests/scenario/test_scenarios.py).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

import mineralflow as mf
from conftest import CliResult
from mineralflow.data.pack import BUNDLED_DIR
from mineralflow.errors import MineralflowError
from runs import result

Mutation = Callable[[Path], None]


def _tree(*folders: Path) -> dict[str, tuple[int, int]]:
    """Every file under the folders with its size and modification time."""
    found = {}
    for folder in folders:
        for path in folder.rglob("*") if folder.exists() else []:
            if path.is_file() or path.is_symlink():
                stat = path.lstat()
                found[str(path)] = (stat.st_size, stat.st_mtime_ns)
    return found


def _refused(res: CliResult, expected: str, named: str) -> None:
    flat = " ".join(res.err.split())
    assert res.code == 2, res.out + res.err
    assert res.err.lstrip().startswith("error: "), res.err  # after a progress bar's line
    assert expected in flat, flat
    assert named in flat, flat
    assert "Traceback" not in res.err + res.out


# ------------------------------------------------------------------ pack copies
def _append(name: str, line: str) -> Mutation:
    def mutate(folder: Path) -> None:
        with (folder / name).open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")

    return mutate


def _replace(name: str, old: str, new: str) -> Mutation:
    def mutate(folder: Path) -> None:
        path = folder / name
        text = path.read_text(encoding="utf-8")
        assert old in text, (name, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return mutate


def _write(name: str, data: bytes) -> Mutation:
    def mutate(folder: Path) -> None:
        (folder / name).write_bytes(data)

    return mutate


def _link_out(name: str) -> Mutation:
    def mutate(folder: Path) -> None:
        outside = folder.parent / f"outside-{name}"
        outside.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
        (folder / name).unlink()
        (folder / name).symlink_to(outside)

    return mutate


def _remove(name: str) -> Mutation:
    return lambda folder: (folder / name).unlink()


def _folder_named(name: str) -> Mutation:
    def mutate(folder: Path) -> None:
        (folder / name).unlink()
        (folder / name).mkdir()

    return mutate


def _big(name: str, size: int) -> Mutation:
    def mutate(folder: Path) -> None:
        with (folder / name).open("ab") as handle:
            handle.truncate(size)  # sparse: no disk or memory used

    return mutate


def _rows(name: str, count: int) -> Mutation:
    def mutate(folder: Path) -> None:
        header = (folder / name).read_text(encoding="utf-8").splitlines()[0]
        fields = len(header.split(","))
        (folder / name).write_text(
            header + "\n" + ("x" + "," * (fields - 1) + "\n") * count, encoding="utf-8"
        )

    return mutate


PROD = "USA,mining,2024,45500,t REO,USGS-MCS2026-REE,V,"
PACK_CASES: dict[str, tuple[Mutation, str, str]] = {
    "table_links_outside": (_link_out("regions.csv"), "leads outside", "regions.csv"),
    "manifest_links_outside": (_link_out("pack.yaml"), "leads outside", "pack.yaml"),
    "table_too_large": (_big("production.csv", 17 * 1024 * 1024), "the limit is", "production"),
    "table_too_many_rows": (_rows("production.csv", 100_001), "more than 100,000 rows", "prod"),
    "table_with_nul": (_append("production.csv", "USA,mining,\0"), "the header has 8", "product"),
    "table_latin1": (
        _write(
            "regions.csv",
            "code,name,kind,group,source_id\nCHN,Chin\xe9,country,,ISO3166\n".encode("latin-1"),
        ),
        "cannot be decoded as UTF-8",
        "regions.csv",
    ),
    "table_empty": (_write("stages.csv", b""), "is empty", "stages.csv"),
    "table_is_folder": (_folder_named("regions.csv"), "is missing", "regions.csv"),
    "table_missing": (_remove("regions.csv"), "is missing; every pack needs it", "regions.csv"),
    "header_missing_column": (
        _replace("production.csv", "region,stage,year,value,unit", "region,stage,year,unit"),
        "missing column 'value'",
        "production.csv",
    ),
    "header_unknown_column": (
        _replace("production.csv", "region,stage,", "regoin,stage,"),
        "unknown column 'regoin'",
        "production.csv",
    ),
    "header_column_twice": (
        _replace("production.csv", "region,stage,year", "region,stage,region"),
        "appears twice",
        "production.csv",
    ),
    "row_extra_field": (
        _append("production.csv", PROD + ",extra"),
        "fields, the header has",
        "pro",
    ),
    "value_infinite": (
        _append("production.csv", "USA,mining,2023,inf,t REO,USGS-MCS2026-REE,V,"),
        "not a finite number",
        "production.csv",
    ),
    "value_nan": (
        _append("production.csv", "USA,mining,2023,nan,t REO,USGS-MCS2026-REE,V,"),
        "not a finite number",
        "production.csv",
    ),
    "value_overflow": (
        _append("production.csv", "USA,mining,2023,1e400,t REO,USGS-MCS2026-REE,V,"),
        "not a finite number",
        "production.csv",
    ),
    "value_50000_digits": (
        _append("production.csv", f"USA,mining,2023,{'9' * 50_000},t REO,USGS-MCS2026-REE,V,"),
        "(50,000 characters)",
        "production.csv",
    ),
    "year_50000_digits": (
        _append("production.csv", f"USA,mining,{'2' * 50_000},1,t REO,USGS-MCS2026-REE,V,"),
        "is not an integer",
        "production.csv",
    ),
    "value_thousands_separator": (
        _append("production.csv", 'USA,mining,2023,"45,500",t REO,USGS-MCS2026-REE,V,'),
        "without thousands separators",
        "production.csv",
    ),
    "value_negative": (
        _append("production.csv", "USA,mining,2023,-5,t REO,USGS-MCS2026-REE,V,"),
        "below the minimum",
        "production.csv",
    ),
    "year_not_integer": (
        _append("production.csv", "USA,mining,20x3,5,t REO,USGS-MCS2026-REE,V,"),
        "is not an integer",
        "production.csv",
    ),
    "unknown_region": (
        _append("production.csv", "XYZ,mining,2023,5,t REO,USGS-MCS2026-REE,V,"),
        "unknown code 'XYZ'",
        "production.csv",
    ),
    "unknown_source": (
        _append("production.csv", "USA,mining,2023,5,t REO,NO-SUCH-SOURCE,V,"),
        "unknown source_id 'NO-SUCH-SOURCE'",
        "production.csv",
    ),
    "unknown_confidence": (
        _append("production.csv", "USA,mining,2023,5,t REO,USGS-MCS2026-REE,Q,"),
        "'Q' is not allowed",
        "production.csv",
    ),
    "duplicate_key": (_append("production.csv", PROD), "duplicate key", "production.csv"),
    "unit_of_another_stage": (
        _append("production.csv", "USA,mining,2023,5,t magnet,USGS-MCS2026-REE,V,"),
        "does not match stage",
        "production.csv",
    ),
    "bad_iso_code": (
        _append("regions.csv", "QQQ,Qland,country,,ISO3166"),
        "not an ISO 3166 alpha-3",
        "regions.csv",
    ),
    "stray_csv": (_write("notes.csv", b"a,b\n1,2\n"), "is not a table of the pack schema", "notes"),
    "outlook_unknown_element": (
        _append(
            "outlooks.csv", "IEA GCMO 2024 base case,CHN,mining,Nd Xx,2035,50,IEA-GCMO-2024-REE,S,"
        ),
        "element 'Xx' is not in elements.csv",
        "outlooks.csv",
    ),
    "outlook_unknown_sector": (
        _append(
            "outlook_demand.csv",
            "IEA GCMO 2025 STEPS,wind ev_trac,2024,2035,40,IEA-GCMO-2025,S,",
        ),
        "sector 'ev_trac' is not in sectors.csv (did you mean 'ev_traction'?)",
        "outlook_demand.csv",
    ),
    "holding_cost_above_one": (
        _append("parameters.csv", "holding_cost,magnet,1.5,1/yr,MF-PARAMETERS,E,"),
        "'holding_cost' is 1.5; it is a share",
        "parameters.csv",
    ),
    "manifest_missing": (_remove("pack.yaml"), "is missing", "pack.yaml"),
    "manifest_not_yaml": (
        _write("pack.yaml", b"name: [unclosed\n"),
        "not valid UTF-8 YAML",
        "pack",
    ),
    "manifest_alias_bomb": (
        _write(
            "pack.yaml",
            b"b0: &b0 [x, x]\n"
            + b"".join(f"b{i}: &b{i} [*b{i - 1}, *b{i - 1}]\n".encode() for i in range(1, 40)),
        ),
        "aliases",
        "pack.yaml",
    ),
    "manifest_deep": (
        _write("pack.yaml", b"name: " + b"[" * 500 + b"]" * 500 + b"\n"),
        "nested",
        "pack.yaml",
    ),
    "manifest_control_character": (
        _replace("pack.yaml", "name: ", "name: \x07"),
        "control character",
        "pack.yaml",
    ),
    "manifest_extra_field": (_append("pack.yaml", "colour: blue"), "colour", "pack.yaml"),
    "manifest_base_year": (
        _replace("pack.yaml", "base_year: 2024", "base_year: 3000"),
        "less than or equal to 2060",
        "pack.yaml",
    ),
    "manifest_report_stage": (
        _replace("pack.yaml", "concentration_stage: ", "concentration_stage: nosuch_"),
        "is not in stages.csv",
        "pack.yaml",
    ),
}


@pytest.mark.parametrize("case", PACK_CASES, ids=list(PACK_CASES))
def test_a_malformed_pack_gets_one_clear_message(
    case: str, re_copy: Path, run_cli: Callable[..., CliResult]
) -> None:
    mutate, expected, named = PACK_CASES[case]
    mutate(re_copy)
    before = _tree(re_copy.parent)
    res = run_cli("data", "check", str(re_copy))
    _refused(res, expected, named)
    assert "root:x" not in res.err  # nothing of a file outside the pack reaches a message
    assert _tree(re_copy.parent) == before


def test_stray_files_in_a_pack_folder_are_neither_read_nor_hashed(
    re_copy: Path, run_cli: Callable[..., CliResult]
) -> None:
    from mineralflow.store import pack_hash  # noqa: PLC0415

    before = pack_hash(str(re_copy))
    with (re_copy / "download.bin").open("wb") as handle:
        handle.truncate(2 * 1024**3)  # a 2 GB sparse file that reading would exhaust memory on
    (re_copy / "README.txt").write_text("notes", encoding="utf-8")
    assert run_cli("data", "check", str(re_copy)).code == 0
    assert pack_hash(str(re_copy)) == before


def test_a_bundled_name_means_the_bundled_pack_even_beside_a_folder_of_that_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli: Callable[..., CliResult]
) -> None:
    shutil.copytree(BUNDLED_DIR / "rare_earths", tmp_path / "rare_earths")
    (tmp_path / "rare_earths" / "regions.csv").write_text("broken", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert run_cli("data", "check", "rare_earths").code == 0  # the bundled pack
    _refused(run_cli("data", "check", "./rare_earths"), "missing column", "regions.csv")


# ------------------------------------------------------------------ articles
def _article(name: str, data: bytes | None) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        if data is None:
            path.mkdir()
        else:
            path.write_bytes(data)
        return path

    return make


def _sparse_article(folder: Path) -> Path:
    path = folder / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(5 * 1024 * 1024)
    return path


ARTICLE_CASES: dict[str, tuple[Callable[[Path], Path], str]] = {
    "missing": (lambda folder: folder / "nothing.txt", "no such file"),
    "folder": (_article("folder.txt", None), "is a folder"),
    "empty": (_article("empty.txt", b""), "the file is empty"),
    "whitespace": (_article("blank.txt", b" \n\t\n"), "the file is empty"),
    "image": (_article("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00"), "not UTF-8 text"),
    "nul_bytes": (_article("nul.txt", b"China mined\x00\x00 270,000 t"), "binary file"),
    "latin1": (
        _article("latin.txt", "Chine a produit 270 000 t en 2024, caf\xe9".encode("latin-1")),
        "not UTF-8 text",
    ),
    "utf16": (_article("utf16.txt", "China 270,000 t".encode("utf-16")), "not UTF-8 text"),
    "too_large": (_sparse_article, "the limit is"),
}


@pytest.mark.parametrize("command", ["check", "scenario"])
@pytest.mark.parametrize("case", ARTICLE_CASES, ids=list(ARTICLE_CASES))
def test_an_unreadable_article_gets_one_clear_message(
    case: str, command: str, tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    make, expected = ARTICLE_CASES[case]
    path = make(tmp_path)
    before = _tree(tmp_path)
    res = (
        run_cli("claims", command, str(path), "--out", str(tmp_path / "draft.yaml"))
        if (command == "scenario")
        else run_cli("claims", command, str(path))
    )
    _refused(res, expected, path.name)
    assert _tree(tmp_path) == before


# ------------------------------------------------------------------ options and outputs
def _file(folder: Path, name: str, text: str = "keep me") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


OPTION_CASES: dict[str, tuple[Callable[[Path], list[str]], str, str]] = {
    "export_into_a_file": (
        lambda d: ["run", "hindcast-2010", "--export", str(_file(d, "taken"))],
        "is a file; give a folder",
        "taken",
    ),
    "export_below_a_file": (
        lambda d: ["run", "hindcast-2010", "--export", str(_file(d, "plain") / "sub")],
        "is a file",
        "plain",
    ),
    "unknown_format": (lambda d: ["run", "hindcast-2010", "-f", "pdf"], "unknown format", "pdf"),
    "report_wrong_suffix": (
        lambda d: ["report", "hindcast-2010", "--out", str(d / "report.txt")],
        "ending in .html",
        "report.txt",
    ),
    "report_into_a_folder": (
        lambda d: ["report", "hindcast-2010", "--out", str(_folder(d, "out.html"))],
        "is a folder",
        "out.html",
    ),
    "report_language": (
        lambda d: ["report", "hindcast-2010", "--out", str(d / "r.html"), "--lang", "fr"],
        "unknown report language",
        "fr",
    ),
    "schema_wrong_suffix": (
        lambda d: ["scenario", "schema", "--out", str(d / "schema.txt")],
        "ending in .json",
        "schema.txt",
    ),
    "draft_wrong_suffix": (
        lambda d: [
            "claims",
            "scenario",
            str(_file(d, "a.txt", "China mined 270,000 t in 2024.")),
            "--out",
            str(d / "draft.txt"),
        ],
        "ending in .yaml",
        "draft.txt",
    ),
    "unknown_scenario": (lambda d: ["run", "basline"], "did you mean 'baseline'", "basline"),
    "markup_in_a_path": (
        lambda d: ["run", str(_file(d, "my[red]scenario.yaml", "name: [x"))],
        "not valid YAML",
        "my[red]scenario.yaml",
    ),
    "store_is_a_file": (
        lambda d: ["runs", "list", "--store", str(_file(d, "runs.duckdb"))],
        "is a file; the store is a folder",
        "runs.duckdb",
    ),
    "unknown_run": (lambda d: ["runs", "show", "ffffffff"], "no run 'ffffffff'", "runs list"),
    "unknown_pack_table": (lambda d: ["data", "show", "prodution"], "did you mean", "production"),
    "unknown_pack_option": (
        lambda d: ["data", "show", "production", "--pack", "rare_earth"],
        "no data pack 'rare_earth'",
        "rare_earths",
    ),
    "unknown_region_filter": (
        lambda d: ["data", "show", "production", "--region", "XXX"],
        "unknown region 'XXX'",
        "XXX",
    ),
    "compare_unknown": (
        lambda d: ["compare", "baseline", "nosuch"],
        "no bundled scenario",
        "nosuch",
    ),
}


def _folder(parent: Path, name: str) -> Path:
    (parent / name).mkdir()
    return parent / name


@pytest.mark.parametrize("case", OPTION_CASES, ids=list(OPTION_CASES))
def test_a_bad_option_gets_one_clear_message(
    case: str, tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    make, expected, named = OPTION_CASES[case]
    args = make(tmp_path)
    store = Path(os.environ["MINERALFLOW_STORE"])
    before = _tree(tmp_path, store)
    _refused(run_cli(*args), expected, named)
    after = _tree(tmp_path, store)
    assert {k: v for k, v in after.items() if "/runs/" not in k} == {
        k: v for k, v in before.items() if "/runs/" not in k
    }  # a run solved before the bad option was seen may be recorded; nothing else is written


def test_an_export_replaces_older_result_files_and_names_them(
    tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    folder = tmp_path / "out"
    assert run_cli("run", "hindcast-2010", "--export", str(folder), "-f", "xlsx").code == 0
    res = run_cli("run", "hindcast-2010", "--export", str(folder), "-f", "csv")
    assert res.code == 0
    assert "removed" in res.out
    assert "results.xlsx" in res.out
    assert sorted(p.name for p in folder.iterdir()) == ["results.csv"]


def test_formula_text_is_neutralised_in_every_spreadsheet_export(tmp_path: Path) -> None:
    from mineralflow.iamc import export_results  # noqa: PLC0415

    frame = result("hindcast-2010").frame.head(3).assign(scenario='=HYPERLINK("x")')
    written = export_results(
        frame, tmp_path, ["csv", "iamc", "xlsx"], meta={"description": "@SUM(A1)"}
    ).written
    for path in written[:2]:
        assert "'=HYPERLINK" in path.read_text(encoding="utf-8")
    import openpyxl  # noqa: PLC0415

    book = openpyxl.load_workbook(written[2])
    cells = [c.value for sheet in book for row in sheet.iter_rows() for c in row]
    assert "'@SUM(A1)" in cells
    assert not any(isinstance(v, str) and v.startswith(("=", "@")) for v in cells)


def test_a_killed_exports_temporary_files_are_removed_by_the_next_export(tmp_path: Path) -> None:
    from mineralflow.iamc import export_results  # noqa: PLC0415

    left = tmp_path / ".results.csv.999999999.tmp"  # no such process
    left.write_text("partial", encoding="utf-8")
    export_results(result("hindcast-2010").frame, tmp_path, ["csv"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.csv"]


def test_an_invalid_draft_never_replaces_an_existing_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli: Callable[..., CliResult]
) -> None:
    from mineralflow import claims  # noqa: PLC0415

    article = _file(tmp_path, "plan.txt", "Russia plans 50,000 t of rare earths by 2030.")
    target = _file(tmp_path, "mine.yaml", "name: mine\n")
    monkeypatch.setattr(claims, "draft_scenario", lambda *a, **k: "name: [broken\n")
    res = run_cli("claims", "scenario", str(article), "--out", str(target))
    assert res.code == 2
    assert target.read_text(encoding="utf-8") == "name: mine\n"


# ------------------------------------------------------------------ the Python API
API_CASES: dict[str, tuple[Callable[[], object], str]] = {
    "load_pack_empty": (lambda: mf.load_pack(""), "no data pack ''"),
    "load_pack_none": (lambda: mf.load_pack(None), "no data pack None"),  # type: ignore[arg-type]
    "load_pack_number": (lambda: mf.load_pack(5), "no data pack 5"),  # type: ignore[arg-type]
    "load_pack_misspelt": (lambda: mf.load_pack("aluminum"), "did you mean 'aluminium'"),
    "select_none": (lambda: mf.load_pack("aluminium").select(None), "no table 'None'"),  # type: ignore[arg-type]
    "select_region_number": (
        lambda: mf.load_pack("aluminium").select("production", region=5),
        "give it as a string",
    ),
    "select_fractional_year": (
        lambda: mf.load_pack("aluminium").select("production", year=2024.7),
        "whole number",
    ),
    "select_boolean_year": (
        lambda: mf.load_pack("aluminium").select("production", year=True),
        "whole number",
    ),
    "select_unknown_column": (
        lambda: mf.load_pack("aluminium").select("production", colour="red"),
        "no column 'colour'",
    ),
    "select_unknown_edition": (
        lambda: mf.load_pack("aluminium").select("production", edition="MCS1999"),
        "no edition 'MCS1999'",
    ),
    "simulate_number": (lambda: mf.simulate(42, store=False), "no bundled scenario '42'"),  # type: ignore[arg-type]
    "scenario_text_invalid": (lambda: mf.Scenario.from_text("name: [x"), "not valid YAML"),
    "scenario_text_not_mapping": (
        lambda: mf.Scenario.from_text("- a\n- b\n"),
        "expected a mapping",
    ),
    "scenario_bundled_path": (lambda: mf.Scenario.bundled("../x.yaml"), "is a path"),
    "scenario_text_base_outside": (
        lambda: mf.Scenario.from_text(
            "name: x\ndescription: d\nyears: [2024, 2030]\nbase: /etc/passwd\n"
        ),
        "leads outside",
    ),
    "scenario_missing_file": (lambda: mf.Scenario.from_yaml("/no/such.yaml"), "no such scenario"),
}


@pytest.mark.parametrize("case", API_CASES, ids=list(API_CASES))
def test_api_misuse_raises_a_typed_error(case: str) -> None:
    call, expected = API_CASES[case]
    with pytest.raises(MineralflowError) as caught:
        call()
    assert expected in str(caught.value)


def test_the_corpus_has_at_least_150_cases() -> None:
    scenarios = list((Path(__file__).parent / "scenarios" / "bad").glob("*.yaml"))
    total = (
        len(scenarios)
        + len(PACK_CASES)
        + 2 * len(ARTICLE_CASES)
        + len(OPTION_CASES)
        + len(API_CASES)
    )
    assert total >= 150


def test_an_input_output_error_is_a_message(
    re_copy: Path, monkeypatch: pytest.MonkeyPatch, run_cli: Callable[..., CliResult]
) -> None:
    real_open = Path.open

    def failing_open(self: Path, *args: object, **kwargs: object) -> object:
        if self.name == "prices.csv":
            raise OSError(5, "Input/output error")
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "open", failing_open)
    _refused(run_cli("data", "check", str(re_copy)), "cannot be read: Input/output error", "prices")
