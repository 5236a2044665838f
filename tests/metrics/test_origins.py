"""Origin tracing: dependence shares and the flows between stages."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from runs import result


def _rows(frame: pd.DataFrame, prefix: str, year: int) -> pd.DataFrame:
    rows = frame[frame["variable"].str.startswith(prefix) & (frame["year"] == year)]
    return rows.assign(part=rows["variable"].str.split("|"))


@pytest.mark.parametrize("year", [2024, 2030, 2040])
def test_dependence_shares_add_up_per_region_and_stage(year: int) -> None:
    frame = result("baseline").frame
    dep = _rows(frame, "Dependence|", year)
    assert not dep.empty
    stage = dep["part"].str[:3].str.join("|")
    totals = dep.groupby([dep["region"], stage])["value"].sum()
    np.testing.assert_allclose(totals.to_numpy(), 100.0, atol=0.05)


def test_japan_depends_on_chinese_separation_and_the_ban_removes_it() -> None:
    # before the ban (from 2026); by 2030 the baseline's licensing has moved Japan's buying too
    base = _rows(result("baseline").frame, "Dependence|Rare Earths|", 2024)
    ban = _rows(result("china-full-export-ban").frame, "Dependence|Rare Earths|", 2030)

    def china(rows: pd.DataFrame, stage: str) -> float:
        hit = rows[(rows["region"] == "JPN") & (rows["variable"] == f"{stage}|CHN")]
        return float(hit["value"].sum())

    for stage in ("Separation", "Heavy Separation", "Metal", "Magnet"):
        assert china(base, f"Dependence|Rare Earths|{stage}") > 50
        assert china(ban, f"Dependence|Rare Earths|{stage}") == 0.0
    # Japan still consumes: the ban moves its dependence elsewhere, it does not erase it
    assert not ban[ban["region"] == "JPN"].empty


def test_consumption_flows_equal_consumption() -> None:
    frame = result("baseline").frame
    flows = _rows(frame, "Flow|Aluminium|", 2024)
    into_use = flows[flows["variable"].str.endswith("|Consumption")]
    by_dest = into_use.groupby(into_use["region"].str.split(">").str[1])["value"].sum()
    use = frame[(frame["variable"] == "Consumption|Aluminium") & (frame["year"] == 2024)]
    use = use[use["region"] != "World"].set_index("region")["value"]
    pd.testing.assert_series_equal(
        by_dest.sort_index(), use.sort_index(), check_names=False, check_index_type=False, rtol=1e-6
    )


def test_mine_output_flows_on_to_separation() -> None:
    """Every tonne mined (less what is stocked) is traced to a separation plant somewhere;
    concentrate stocked where it was shipped (Mountain Pass concentrate in China) counts
    against the world, not its mine's country."""
    frame = result("baseline").frame
    flows = _rows(frame, "Flow|Rare Earths|Mining|", 2024)
    out = flows.groupby(flows["region"].str.split(">").str[0])["value"].sum()
    mined = frame[(frame["variable"] == "Production|Rare Earths|Mining") & (frame["year"] == 2024)]
    stocked = frame[
        (frame["variable"] == "Stock Change|Rare Earths|Mining") & (frame["year"] == 2024)
    ]
    mined = mined[mined["region"] != "World"].set_index("region")["value"]
    net = mined.sub(stocked.set_index("region")["value"], fill_value=0.0)
    net = net[net > 1.0]
    assert out.sum() == pytest.approx(net.sum(), rel=1e-6)
    assert (out.reindex(mined.index).fillna(0.0) <= mined * (1 + 1e-6)).all()
    assert set(flows["part"].str[3]) == {"Separation"}
