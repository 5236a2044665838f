"""Does Russia's 50,000 t plan move China's position, and by when?

Runs the baseline and the ``russia-50kt`` scenario to 2030 through the Python API, prints how
China's shares change, and writes the HTML report of the comparison.

    python examples/russia_50kt.py [OUTPUT_FOLDER]
"""

from __future__ import annotations

import sys
from pathlib import Path

import mineralflow as mf


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("results")
    folder.mkdir(parents=True, exist_ok=True)
    cache = mf.CalibrationCache()  # calibrate each pack once for both scenarios
    until_2030 = {"years": (2024, 2030)}
    base = mf.simulate(mf.Scenario.bundled("baseline").model_copy(update=until_2030), cache=cache)
    plan = mf.Scenario.bundled("russia-50kt").model_copy(update=until_2030)
    russia = mf.simulate(plan, cache=cache)
    print(f"baseline: run {base.run_id}; russia-50kt: run {russia.run_id}")

    changes = mf.compare(base, russia, years=[2025, 2030])
    shares = changes[(changes["group"] == "share") & (changes["region"].isin(["CHN", "RUS"]))]
    for row in shares.itertuples():
        print(f"{row.variable} {row.region} {row.year}: {row.a:.1f} % -> {row.b:.1f} %")

    prices = russia.tables.prices  # prices[commodity, region, product, year], USD/kg
    dy = prices[(prices["region"] == "World") & (prices["product"] == "Dy")]
    print(f"world Dy oxide price 2030: {dy.loc[dy['year'] == 2030, 'value'].iloc[0]:.0f} USD/kg")

    written = mf.report(russia, folder / "russia-50kt.html", base=base)
    print(f"report: {written}")


if __name__ == "__main__":
    main()
