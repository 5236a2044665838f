"""The command line as a user meets it: JSON records, filters, sources, schema, overview."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from mineralflow import cli
from mineralflow.data.pack import load_pack
from mineralflow.data.schema import TABLES_BY_NAME
from mineralflow.errors import MineralflowError
from mineralflow.reporting.i18n import check_language


def test_show_mining_2024_json(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli(
        "data",
        "show",
        "production",
        "--pack",
        "rare_earths",
        "--stage",
        "mining",
        "--year",
        "2024",
        "--json",
    )
    assert result.code == 0, result.err
    records = json.loads(result.out)
    by_region = {r["region"]: r for r in records}
    assert {"region", "value", "unit", "edition", "source_id"} <= set(records[0])
    assert by_region["CHN"]["value"] == 270_000
    assert by_region["WLD"]["value"] == 380_000
    assert by_region["USA"]["unit"] == "t REO"
    assert {r["edition"] for r in records} == {"MCS2026"}


def test_show_pinned_edition(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli(
        "data",
        "show",
        "production",
        "--stage",
        "mining",
        "--year",
        "2024",
        "--region",
        "WLD",
        "--edition",
        "MCS2025",
        "--json",
    )
    assert json.loads(result.out)[0]["value"] == 390_000


def test_show_all_editions_keeps_revisions(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli(
        "data",
        "show",
        "production",
        "--stage",
        "mining",
        "--year",
        "2024",
        "--region",
        "WLD",
        "--all-editions",
        "--json",
    )
    assert sorted(r["value"] for r in json.loads(result.out)) == [380_000, 390_000]


def test_show_table_as_text(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("data", "show", "reserves", "--region", "RUS")
    assert result.code == 0
    assert "3,800,000" in result.out


def test_unknown_names_get_suggestions(run_cli) -> None:  # type: ignore[no-untyped-def]
    assert "did you mean 'production'" in run_cli("data", "show", "productoin").err
    assert "did you mean 'RUS'" in run_cli("data", "show", "production", "--region", "RUSS").err
    assert "did you mean 'mining'" in run_cli("data", "show", "production", "--stage", "minig").err
    assert (
        "did you mean 'aluminium'"
        in run_cli("data", "show", "production", "--pack", "aluminum").err
    )
    assert "has no column 'stage'" in run_cli("data", "show", "elements", "--stage", "mining").err
    assert (
        "has no edition 'MCS2052'"
        in run_cli("data", "show", "production", "--edition", "MCS2052").err
    )
    for args in (("data", "show", "productoin"), ("data", "show", "production", "--year", "x")):
        assert run_cli(*args).code == 2


def test_sources_lists_publications(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("data", "sources", "--pack", "rare_earths", "--json")
    records = {r["source_id"]: r for r in json.loads(result.out)}
    assert records["USGS-MCS2026-REE"]["edition"] == "MCS2026"
    assert records["USGS-MCS2026-REE"]["rows"] > 30


def test_schema_and_packs(run_cli) -> None:  # type: ignore[no-untyped-def]
    assert "shares" in run_cli("data", "schema", "deposit_composition").out
    assert run_cli("data", "schema", "nope").code == 2
    assert "aluminium" in run_cli("data", "packs").out


def test_overview_is_the_main_job(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("data", "overview")
    assert result.code == 0, result.err
    assert "71.1 %" in result.out  # China's share of 2024 mine output, MCS2026
    assert "primary, 2024" in result.out


def test_run_exports_iamc_results(run_cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("run", "baseline", "--export", str(tmp_path / "out"))
    assert result.code == 0, result.err
    frame = pd.read_csv(tmp_path / "out" / "results.csv")
    columns = ["model", "scenario", "region", "variable", "unit", "year", "value"]
    assert list(frame.columns) == columns
    variables = set(frame["variable"])
    for name in (
        "Production|Rare Earths|Mining",
        "Production|Rare Earths|Separation|Nd",
        "Production|Rare Earths|Magnet",
        "Consumption|Rare Earths|Ev Traction",
        "Shortage|Rare Earths|Wind",
        "Price|Rare Earths|Oxide|Dy",
        "Exports|Rare Earths|Separation",
        "Imports|Rare Earths|Magnet",
    ):
        assert name in variables, name
    mining = frame[frame["variable"] == "Production|Rare Earths|Mining"]
    world = mining[mining["region"] == "World"]
    assert world["year"].min() == 2024
    assert world["year"].max() == 2040
    assert world.loc[world["year"] == 2024, "value"].iloc[0] == pytest.approx(384_000, rel=0.01)
    assert not list((tmp_path / "out").glob(".*tmp"))


def test_run_unknown_scenario_is_one_message(run_cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("run", "basline", "--export", str(tmp_path / "out"))
    assert result.code == 2
    assert "no bundled scenario 'basline'" in result.err
    assert "Traceback" not in result.err
    assert not (tmp_path / "out").exists()


def test_run_rejects_a_bad_scenario_file(run_cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ndescription: y\nyears: [2040, 2024]\n", encoding="utf-8")
    result = run_cli("run", str(bad))
    assert result.code == 2
    assert "bad.yaml" in result.err
    assert "years" in result.err


def test_a_filter_that_matches_nothing_says_what_there_is(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("data", "show", "production", "--year", "2031")
    assert result.code == 2
    assert "no row of table 'production' matches --year 2031" in result.err
    assert "2009-2025" in result.err  # the years the table holds


def test_numbers_are_never_cut_at_80_columns(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("data", "show", "production", "--stage", "mining", "--year", "2024", width=80)
    assert result.code == 0, result.err
    assert "45,500" in result.out  # the README's example
    assert "270,000" in result.out
    assert "stage mining, year 2024" in result.out  # filtered columns move to the title
    assert max(len(line) for line in result.out.splitlines()) <= 80


def test_a_pack_prints_short_and_holds_only_its_columns() -> None:
    pack = load_pack("rare_earths")
    assert len(repr(pack)) < 200
    assert "rare_earths" in repr(pack)
    assert "38 tables" in repr(pack)
    for name, frame in pack.tables.items():
        assert list(frame.columns) == list(TABLES_BY_NAME[name].column_names), name


def test_scenario_show_gives_units(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("scenario", "show", "us-russia-cooperation")
    assert result.code == 0, result.err
    assert "capacity=5,000 t/yr" in result.out
    assert "capacity=5000.0" not in result.out


def test_language_tags_name_the_report_languages() -> None:
    assert check_language("zh-CN") == "zh"
    assert check_language("zh-Hans") == "zh"
    assert check_language("en-GB") == "en"
    with pytest.raises(MineralflowError, match="languages: en, zh"):
        check_language("fr")


def test_a_table_of_numbers_wider_than_the_terminal_keeps_every_column(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Eight columns of numbers at 80 columns: no column is squeezed away, no number cut
    (the headers fold; the table is printed whole, wider than the screen if it must be)."""
    frame = pd.DataFrame(
        {
            "year": [2024, 2025],
            **{f"Stage {i} (t REO)": [384_000.0 + i, 372_514.0] for i in range(12)},
        }
    )
    monkeypatch.setattr(cli.out, "width", 80)
    cli._print_frame(frame, "world production")
    shown = capsys.readouterr().out
    assert "2024" in shown
    assert "2025" in shown
    for i in range(12):
        assert f"{384_000 + i:,}" in shown
