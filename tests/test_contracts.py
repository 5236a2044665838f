"""Captive trade routes: calibrated into the base year, kept in scenarios, ended by a ban."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import mineralflow as mf
from mineralflow.data.pack import BUNDLED_DIR
from mineralflow.network import NetworkError
from mineralflow.scenario import Scenario
from mineralflow.scenario.execute import execute
from runs import result

MT_WELD = ("AUS", "MYS", "concentrate|mount_weld")
MOUNTAIN_PASS = ("USA", "CHN", "concentrate|mountain_pass")


def test_the_base_year_ships_the_contracted_feed() -> None:
    run = result("baseline").runs["rare_earths"]
    trade = run.solution(2024).trade
    assert trade[MT_WELD] >= 11857 - 1e-6  # Lynas Malaysia runs on Mt Weld concentrate
    assert trade[MOUNTAIN_PASS] >= 40826 - 1e-6  # MP Materials' concentrate to Shenghe
    absorbed = run.solution(2024).absorbed
    assert absorbed[("USA", "concentrate|mountain_pass")] == pytest.approx(0.0, abs=1e-6)
    assert run.solution(2030).trade[MT_WELD] >= 11857 - 1e-6  # the contract runs to 2040


def test_a_ban_on_a_contracted_route_ends_the_contract() -> None:
    text = """
name: no-mt-weld
description: Australia stops concentrate exports to Malaysia from 2026
pack: rare_earths
years: [2024, 2027]
levers:
  - {type: export_ban, region: AUS, to: [MYS], stages: [mining], from_year: 2026}
"""
    run = execute(Scenario.from_text(text)).runs["rare_earths"]
    assert run.solution(2025).trade[MT_WELD] >= 11857 - 1e-6
    assert run.solution(2026).trade.get(MT_WELD, 0.0) == pytest.approx(0.0, abs=1e-6)


def test_a_contract_on_a_route_the_network_lacks_is_named(tmp_path: Path) -> None:
    pack = tmp_path / "rare_earths"
    shutil.copytree(BUNDLED_DIR / "rare_earths", pack)
    table = pack / "trade_contracts.csv"
    table.write_text(table.read_text().replace("AUS,MYS,mining", "AUS,KOR,mining"))
    text = f"name: x\ndescription: x\npack: {pack}\nyears: [2024, 2025]\n"
    with pytest.raises(NetworkError, match=r"no trade arc AUS -> KOR, concentrate\|mount_weld"):
        execute(Scenario.from_text(text))
    assert mf.load_pack(str(pack)).name == "rare_earths"
