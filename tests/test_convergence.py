"""The convergence study: the same headlines at two resolutions, and their deviations."""

from __future__ import annotations

from pathlib import Path

from mineralflow.convergence import TOLERANCE, deviations, study


def test_the_study_compares_every_headline_with_the_finest_run(tmp_path: Path) -> None:
    spec = tmp_path / "short.yaml"
    spec.write_text(
        "name: short\ndescription: aluminium to 2027\npack: aluminium\nyears: [2024, 2027]\n"
    )
    table = study(str(spec), (1, 2))
    assert {"x1", "x2", "scale"} <= set(table.columns)
    assert set(table["group"]) == {"production", "share", "price", "shortage", "demand reduction"}
    assert (table.loc[table["group"] == "price", "scale"] > 0).all()
    # the base year is the calibration point, an edge at every resolution
    base = table[(table["year"] == 2024) & (table["group"] == "production")]
    assert (abs(base["x1"] - base["x2"]) <= 1e-6 * base["x2"].abs().clip(lower=1)).all()
    summary = deviations(table)
    assert set(summary["resolution"]) == {"x1"}
    assert (summary["largest deviation"] >= 0).all()
    assert (summary["over tolerance"] <= summary["headlines"]).all()
    assert TOLERANCE == 2.0
