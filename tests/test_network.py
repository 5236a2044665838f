"""The network built from a pack: heavy separation, recipe variants, demand caps."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mineralflow as mf
from mineralflow.market.calibration import calibrate
from mineralflow.market.curves import demand_blocks
from mineralflow.network import NetworkError, build_network


@pytest.fixture(scope="module")
def network():  # type: ignore[no-untyped-def]
    return build_network(mf.load_pack("rare_earths"))


@pytest.fixture(scope="module")
def solved():  # type: ignore[no-untyped-def]
    pack = mf.load_pack("rare_earths")
    cal = calibrate(pack, build_network(pack), 2024)
    return cal, cal.problem.solve(cal.data, 2024)


def _outputs(network, process: str) -> pd.Series:  # type: ignore[no-untyped-def]
    c = network.coefficients
    rows = c[(c["process"] == process) & (c["coeff"] > 0)]
    return rows.set_index("product")["coeff"]


def test_light_separation_leaves_the_heavy_fraction_as_a_mixed_product(network) -> None:  # type: ignore[no-untyped-def]
    out = _outputs(network, "MYS|separation|monazite_sands")
    assert "Dy" not in out
    assert "Tb" not in out
    assert out.sum() == pytest.approx(1.0, abs=1e-9)  # one t of REO out per unit of activity
    assert out["heavy|monazite_sands"] == pytest.approx(0.0517)
    heavy = _outputs(network, "CHN|heavy_separation|monazite_sands")
    assert heavy.sum() == pytest.approx(1.0, abs=1e-9)
    assert set(heavy.index) <= {"Eu", "Gd", "Tb", "Dy", "Y", "other"}
    assert network.products.loc["Dy", "stage"] == "heavy_separation"


def test_only_china_and_the_heavy_projects_can_separate_heavy_elements(network) -> None:  # type: ignore[no-untyped-def]
    groups = network.groups
    heavy = set(groups.loc[groups["stage"] == "heavy_separation", "region"])
    assert heavy == {"CHN", "MYS", "USA"}
    assert "EST" in set(groups.loc[groups["stage"] == "separation", "region"])


def test_base_year_ships_the_malaysian_heavy_fraction_to_china(solved) -> None:  # type: ignore[no-untyped-def]
    _, sol = solved
    assert sol.production["CHN|heavy_separation"] == pytest.approx(35_400, rel=1e-6)
    assert sol.production["MYS|heavy_separation"] == pytest.approx(0, abs=1e-6)
    trade = sol.trade
    heavy_out = trade[
        (trade.index.get_level_values(0) == "MYS")
        & trade.index.get_level_values(2).str.startswith("heavy|")
    ]
    assert heavy_out.xs("CHN", level=1).sum() > 50
    assert not (
        trade.index.get_level_values(2).isin(["Dy", "Tb"])
        & (trade.index.get_level_values(0) == "MYS")
        & (trade > 1e-6)
    ).any()


def test_recipe_variants_are_idle_in_the_base_year(solved) -> None:  # type: ignore[no-untyped-def]
    cal, sol = solved
    variants = sol.activity[sol.activity.index.str.endswith("|tb_diffusion")]
    assert len(variants) > 0
    assert variants.abs().max() < 1e-6
    extra = cal.data.network.processes["extra_cost"]
    assert (extra[extra.index.str.endswith("|tb_diffusion")] == 6).all()


def test_heavy_free_grades_exist_only_from_their_first_commercial_year(solved) -> None:  # type: ignore[no-untyped-def]
    cal, sol = solved
    heavy_free = cal.data.network.processes.index.str.endswith("|heavy_free")
    assert heavy_free.sum() > 0  # 2016 onwards: in a 2024 network
    assert sol.activity[sol.activity.index.str.endswith("|heavy_free")].abs().max() < 1e-6
    hindcast = build_network(mf.load_pack("rare_earths"), 2009)
    assert not hindcast.processes.index.str.endswith("|heavy_free").any()
    assert hindcast.processes.index.str.endswith("|tb_diffusion").any()


def test_demand_cap_bounds_every_block_value() -> None:
    price = np.array([50.0, 50.0])
    eta = np.array([-0.05, -0.05])
    _, uncapped = demand_blocks(np.ones(2), price, eta)
    _, capped = demand_blocks(np.ones(2), price, eta, np.array([4.0, np.inf]))
    assert uncapped[0].max() > 15 * 50  # the linear curve's first block, near its choke
    assert capped[0].max() == pytest.approx(200.0)
    assert np.array_equal(capped[1], uncapped[1])
    assert np.array_equal(capped[0][uncapped[0] <= 200], uncapped[0][uncapped[0] <= 200])


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_separating_a_group_at_the_element_stage_is_refused(re_copy: Path) -> None:
    _edit(
        re_copy / "stages.csv",
        "the heavy fraction leaves as a mixed heavy concentrate,,,MF-DEF",
        "the heavy fraction leaves as a mixed heavy concentrate,heavy,,MF-DEF",
    )
    with pytest.raises(NetworkError, match="stage 'separation' cannot separate"):
        build_network(mf.load_pack(re_copy))


@pytest.mark.parametrize(
    ("old", "new", "match"),
    [
        (
            "ev_traction,tb_diffusion,Tb,1.5,6",
            "ev_traction,tb_diffusion,Tb,1.5,7",
            r"variant 'tb_diffusion' of recipe 'ev_traction'.*6, 7",
        ),
        (
            "wind,heavy_free,Tb,0,40,2016",
            "wind,heavy_free,Tb,0,40,2018",
            r"variant 'heavy_free' of recipe 'wind'.*from_year",
        ),
    ],
    ids=["two costs", "two first years"],
)
def test_a_variant_whose_rows_disagree_is_refused(
    re_copy: Path, old: str, new: str, match: str
) -> None:
    _edit(re_copy / "recipe_variants.csv", old, new)
    with pytest.raises(NetworkError, match=match):
        build_network(mf.load_pack(re_copy))
