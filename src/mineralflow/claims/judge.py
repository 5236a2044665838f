"""Hold each claim against the data pack: consistent, inconsistent, outdated, unverifiable, plan.

A claim is held against the figure of the **latest edition** of its source for the claim's
year.  It is ``consistent`` when that figure lies within the claim's bounds widened by the
tolerance, ``outdated`` when it does not but a figure of an older edition (or of one of the two
years before) does, and ``inconsistent`` otherwise.  The tolerance is 5 % of the figure for a
plain number, 10 % for an approximate one (约, "about"), never less than half the last digit
the text gives (27万 is read to the nearest 10,000 t), and at least 1 percentage point for a
share.  Plans are not judged; their reference is today's figure, for scale.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from mineralflow.claims import lexicon as lx
from mineralflow.claims.claim import Claim, Reference
from mineralflow.data.pack import Pack

REL_EXACT = 0.05
REL_APPROX = 0.10
SHARE_FLOOR_PP = 1.0
OUTDATED_YEARS = 2
AGGREGATES = ("WLD", "ROW")


@dataclass(frozen=True)
class _Figure:
    value: float
    unit: str
    source_id: str
    edition: str | None
    published: int
    year: int | None
    basis: str


def _records(rows: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in r.items()} for r in rows.to_dict("records")]


def _figure(
    r: dict[str, Any], basis: str, value: float | None = None, unit: str | None = None
) -> _Figure:
    """A figure from a pack row (with its edition columns), optionally with a derived value."""
    edition = r.get("edition")
    published = r.get("published")
    return _Figure(
        value=float(r["value"] if value is None else value),
        unit=str(r.get("unit", "") if unit is None else unit),
        source_id=str(r["source_id"]),
        edition=edition if isinstance(edition, str) else None,
        published=0 if published is None or pd.isna(published) else int(published),
        year=None if r.get("year") is None else int(r["year"]),
        basis=basis,
    )


def _share(flow: _Figure, basis: str, value: float) -> _Figure:
    """A flow's share of a total, as a figure with the flow's source and edition."""
    return replace(flow, value=value, unit="%", basis=basis)


def _latest_for(figures: list[_Figure], year: int | None) -> list[_Figure]:
    """``figures`` latest first, the latest standing for ``year``: a capacity, a share over a
    period or a floor is a state that holds until the pack records another."""
    return [replace(figures[0], year=year), *figures[1:]] if figures else []


def _group_rows(
    frame: pd.DataFrame,
    region: str,
    column: str = "region",
    keys: tuple[str, ...] = ("source_id", "year"),
    value: str = "value",
) -> pd.DataFrame:
    """``frame``'s rows of ``region``; for several regions together (CHN+BRA), one row per
    ``keys`` (an edition's year, a period) with the members' sum of ``value``, where those
    rows give every member, and the first of the other columns.  Row order is kept."""
    parts = region.split("+")
    rows = frame[frame[column].isin(parts)]
    if len(parts) == 1:
        return rows
    by = list(keys)
    rows = rows.groupby(by, sort=False).filter(lambda g: set(g[column]) == set(parts))
    firsts = {c: (c, "first") for c in rows.columns if c not in (*by, column, value)}
    return rows.groupby(by, sort=False, as_index=False).agg(**{value: (value, "sum")}, **firsts)


def _within(claim: Claim, reference: float, tol: float) -> bool:
    """Whether ``reference`` lies within the claim's bounds widened by ``tol``."""
    low = -math.inf if claim.low is None else claim.low
    high = math.inf if claim.high is None else claim.high
    return low - tol <= reference <= high + tol


def rounding(number_text: str, value: float) -> float:
    """Half the place value of the last significant digit the text gives (27万 -> 5,000)."""
    digits = re.search(r"\d[\d,]*(?:\.\d+)?", number_text)
    if digits is None or value == 0:
        return 0.0
    token = digits.group(0).replace(",", "")
    number = float(token)
    if number == 0:
        return 0.0
    if "." in token:
        place = 10.0 ** -len(token.split(".")[1])
    else:
        stripped = token.rstrip("0")
        place = 10.0 ** (len(token) - len(stripped))
    return 0.5 * place * abs(value / number)


class Judge:
    """Verdicts against one pack (all editions of every figure)."""

    def __init__(self, pack: Pack) -> None:
        self.pack = pack
        self.sources = pack.table("sources").set_index("source_id")
        self.production = self._rows("production")
        self.reserves = self._rows("reserves") if "reserves" in pack.tables else None
        self.prices = self._rows("prices") if "prices" in pack.tables else None
        self.quotas = pack.table("quotas") if "quotas" in pack.tables else None
        self.tariffs = self._events("tariff")
        self.floors = self._events("price_floor")
        self.stages = list(pack.table("stages").sort_values("order")["stage"])
        countries = pack.table("regions")
        self.countries = set(countries.loc[countries["kind"] == "country", "code"])
        self._figures: dict[tuple[object, ...], tuple[list[_Figure], str]] = {}
        self._citations: dict[str, str] = {}

    def _events(self, kind: str) -> pd.DataFrame | None:
        """The pack's dated policy events of one kind, with the year each took effect."""
        if "policy_events" not in self.pack.tables:
            return None
        events = self.pack.table("policy_events")
        events = events[events["kind"] == kind]
        return events.assign(year=pd.to_datetime(events["date"]).dt.year)

    def _rows(self, name: str) -> pd.DataFrame:
        frame = self.pack.select(name, latest=False)
        return frame.sort_values("published", ascending=False, kind="stable")

    def cite(self, source_id: str) -> str:
        """Publisher, title and table or page of a source, as the pack records it."""
        if source_id not in self._citations:
            self._citations[source_id] = self._citation(source_id)
        return self._citations[source_id]

    def _citation(self, source_id: str) -> str:
        if source_id not in self.sources.index:
            return source_id
        row = self.sources.loc[source_id]
        parts = [row["publisher"], row["title"], row.get("table_or_page")]
        return ", ".join(str(p) for p in parts if isinstance(p, str) and p)

    # -- figures -------------------------------------------------------------------------

    def _stage(self, claim: Claim) -> str:
        if claim.stage in self.stages:
            return str(claim.stage)
        return self.stages[0]

    def _flow(self, frame: pd.DataFrame, region: str, stage: str, years: range) -> list[_Figure]:
        rows = frame[(frame["stage"] == stage) & frame["year"].isin(years)]
        return [_figure(r, "") for r in _records(_group_rows(rows, region))]

    def _world(self, frame: pd.DataFrame, stage: str, year: int, source_id: str) -> float | None:
        rows = frame[
            (frame["region"] == "WLD")
            & (frame["stage"] == stage)
            & (frame["year"] == year)
            & (frame["source_id"] == source_id)
        ]
        return float(rows["value"].iloc[0]) if len(rows) else None

    def _latest_total(self, frame: pd.DataFrame, stage: str, year: int) -> float | None:
        rows = frame[(frame["stage"] == stage) & (frame["year"] == year)]
        rows = rows[rows["region"].isin(self.countries | {"ROW"})]
        latest = rows.drop_duplicates(subset=["region"], keep="first")
        return float(latest["value"].sum()) if len(latest) else None

    def figures(self, claim: Claim) -> tuple[list[_Figure], str]:
        """Candidate reference figures, newest edition first, and what they are.

        Claims that ask the same question (region, metric, stage, basis, year) share one
        lookup, so a long text costs one pack lookup per distinct question.
        """
        key = (
            claim.year, claim.region, claim.metric, claim.unit, claim.stage, claim.basis,
            claim.other_region, claim.quote if claim.metric == "quota" else None,
        )  # fmt: skip
        if key not in self._figures:
            self._figures[key] = self._lookup(claim)
        found, basis = self._figures[key]
        return list(found), basis

    def _lookup(self, claim: Claim) -> tuple[list[_Figure], str]:
        year = claim.year
        region = claim.region
        if region is None:
            return [], "no region"
        if claim.metric == "growth" and claim.unit == "%" and year:
            return self._growth_rates(claim, region, year)
        if claim.metric in ("production", "growth") and claim.unit in ("t", "x"):
            return self._outputs(claim, region, year)
        if claim.metric == "net_import_reliance" and "net_import_reliance" in self.pack.tables:
            table = self.pack.select("net_import_reliance", latest=False)
            nir_stage = claim.stage if claim.stage in self.stages else "separation"
            rows = table[
                (table["region"] == region)
                & (table["stage"] == nir_stage)
                & table["value"].notna()
                & table["year"].isin(range((year or 9999) - OUTDATED_YEARS, (year or 9999) + 1))
            ].sort_values("published", ascending=False, kind="stable")
            basis = f"net import reliance of {region}, {nir_stage} stage (USGS definition)"
            return [_figure(r, basis, unit="%") for r in _records(rows)], basis
        if claim.metric == "share" and claim.basis in ("production", "capacity") and year:
            return self._shares(claim, region, year)
        if claim.metric == "share" and claim.basis == "reserves" and self.reserves is not None:
            return self._reserve_shares(region)
        if claim.metric == "reserves" and self.reserves is not None:
            rows = self.reserves[self.reserves["region"] == region]
            return [_figure(r, f"reserves of {region}") for r in _records(rows)], "reserves"
        if claim.metric == "rank" and year:
            return self._ranks(claim, region, year)
        if claim.metric == "price" and self.prices is not None and claim.basis and year:
            return self._prices(claim, region, year)
        if claim.metric == "quota" and self.quotas is not None and year:
            return self._quotas(claim, region, year)
        if claim.metric == "tariff" and self.tariffs is not None and year:
            return self._tariff_levels(claim, region, year)
        return self._other_lookup(claim, region, year)

    def _prices(self, claim: Claim, region: str, year: int) -> tuple[list[_Figure], str]:
        """An oxide's price in the claim's market: the world (FOB) price for the world, the
        home price for a market the pack quotes; no figure for a market it does not (a price
        asked in Rotterdam is not the FOB China average)."""
        assert self.prices is not None
        markets = set(self.prices["market"])
        market = "WLD" if region in ("WLD", "ROW") else region
        if market not in markets:
            return [], f"the pack quotes no {claim.basis} price in {region}"
        rows = self.prices[
            (self.prices["product"] == claim.basis)
            & (self.prices["market"] == market)
            & self.prices["year"].isin(range(year - OUTDATED_YEARS, year + 1))
        ]
        what = "aluminium price" if claim.basis == "aluminium" else f"{claim.basis} oxide price"
        basis = f"{what}, annual average" + ("" if market == "WLD" else f", {market}")
        return [_figure(r, basis) for r in _records(rows)], basis

    def _outputs(self, claim: Claim, region: str, year: int | None) -> tuple[list[_Figure], str]:
        """Output of ``region`` at the claim's stage in its year (the latest, with none)."""
        stage = self._stage(claim)
        if year is None:
            latest = self.production[
                (self.production["region"] == region) & (self.production["stage"] == stage)
            ]
            if latest.empty:
                return [], f"no {stage} output of {region} in the pack"
            year = int(latest["year"].max())
        span = range(year - OUTDATED_YEARS, year + 1)
        basis = f"{stage} output of {region}"
        flows = self._flow(self.production, region, stage, span)
        return [replace(f, basis=basis) for f in flows], basis

    def _other_lookup(
        self, claim: Claim, region: str, year: int | None
    ) -> tuple[list[_Figure], str]:
        """Capacities, trade flows, shares of imports and price floors, where the pack has them."""
        tables = self.pack.tables
        if claim.metric == "capacity" and "capacity" in tables:
            return self._capacities(claim, region, year)
        if claim.metric in ("exports", "imports") and claim.unit == "t" and "trade" in tables:
            return self._trade(claim, region, year)
        if claim.metric == "consumption" and "consumption" in tables and year is not None:
            return self._consumption(claim, region, year)
        if claim.metric == "share" and claim.basis == "imports" and "import_sources" in tables:
            return self._import_shares(claim, region, year)
        if claim.metric == "price_floor" and self.floors is not None:
            return self._floors(claim, region, year)
        if claim.metric == "count" and claim.basis == "elements" and year is not None:
            return self._element_counts(claim, region, year)
        return [], f"the pack has no figure for {claim.metric}"

    def _consumption(self, claim: Claim, region: str, year: int) -> tuple[list[_Figure], str]:
        """A region's apparent consumption at the claim's stage, or at the one stage the pack
        records for the region (US use of rare earths is of compounds and metals)."""
        table = self._rows("consumption")
        stages = set(table.loc[table["region"] == region, "stage"])
        only = str(min(stages)) if len(stages) == 1 else ""
        stage = str(claim.stage) if claim.stage in stages else only
        basis = f"apparent consumption of {region} ({stage or 'no stage recorded'})"
        flows = self._flow(table, region, stage, range(year - OUTDATED_YEARS, year + 1))
        return [replace(f, basis=basis) for f in flows], basis

    def _element_counts(self, claim: Claim, region: str, year: int) -> tuple[list[_Figure], str]:
        """How many elements ``region``'s export controls named: the licensing events of the
        claim's year or the two before whose list has the claim's count."""
        events = self._events("export_licence")
        if events is None:
            return [], "the pack has no export controls"
        span = range(year - OUTDATED_YEARS, year + 1)
        rows = events[(events["actor"] == region) & events["year"].isin(span)]
        rows = rows[rows["elements"].fillna("").str.strip() != ""]
        basis = f"elements under {region}'s export licences announced in {span[0]}-{year}"
        figures = [
            _figure(
                {**r, "value": len(str(r["elements"]).split()), "published": r["year"]},
                f"{basis} ({r['date']}: {r['elements']})",
                unit="count",
            )
            for r in _records(rows)
        ]
        # a count that matches no event's list may count another list (all 17 rare earths,
        # both rounds together): never inconsistent
        held = [f for f in figures if self.holds(claim, f.value)]
        return held, (basis if held else f"no export licence of {region} names {claim.value:g}")

    def _capacities(self, claim: Claim, region: str, year: int | None) -> tuple[list[_Figure], str]:
        """A region's capacity at the claim's stage: the latest year up to the claim's first."""
        stage = self._stage(claim)
        rows = self._rows("capacity")
        rows = rows[(rows["region"] == region) & (rows["stage"] == stage)]
        if year is not None and (rows["year"] <= year).any():
            rows = rows[rows["year"] <= year]
        rows = rows.sort_values(["year", "published"], ascending=False, kind="stable")
        basis = f"{stage} capacity of {region} (latest year in the pack up to the claim's)"
        return _latest_for([_figure(r, basis) for r in _records(rows)], year), basis

    def _trade(self, claim: Claim, region: str, year: int | None) -> tuple[list[_Figure], str]:
        """Exports from or imports into ``region`` (from or to the partner named, else all)."""
        if year is None:
            return [], "no year for the trade flow"
        stage = self._stage(claim)
        rows = self._rows("trade")
        partner = claim.other_region or "WLD"
        mine, theirs = (
            ("exporter", "importer") if claim.metric == "exports" else ("importer", "exporter")
        )
        rows = rows[
            (rows[mine] == region)
            & (rows[theirs] == partner)
            & (rows["stage"] == stage)
            & rows["year"].isin(range(year - OUTDATED_YEARS, year + 1))
        ]
        with_whom = "all partners" if partner == "WLD" else f"with {partner}"
        basis = f"{claim.metric} of {region} ({stage}), {with_whom}"
        return [_figure(r, basis) for r in _records(rows)], basis

    def _import_shares(
        self, claim: Claim, region: str, year: int | None
    ) -> tuple[list[_Figure], str]:
        """``region``'s share of an importer's imports (import_sources), latest period first;
        a group's ("Canada and the UAE together") is its members' sum where one source gives
        them all for the period."""
        rows = self.pack.table("import_sources")
        if claim.other_region:
            rows = rows[rows["importer"] == claim.other_region]
        keys = ("importer", "source_id", "period_start", "period_end")
        rows = _group_rows(rows, region, column="exporter", keys=keys, value="share")
        rows = rows.sort_values("period_end", ascending=False, kind="stable")
        basis = f"{region}'s share of {claim.other_region or 'the importer'}'s imports"
        figures = [
            _figure(
                {
                    **r,
                    "value": 100 * r["share"],
                    "year": r["period_end"],
                    "published": r["period_end"],
                },
                f"{basis} ({int(r['period_start'])}-{int(r['period_end'])})",
                unit="%",
            )
            for r in _records(rows)
        ]
        return _latest_for(figures, year), basis

    def _floors(self, claim: Claim, region: str, year: int | None) -> tuple[list[_Figure], str]:
        """Price floors the pack records for ``region`` (policy_events), latest first."""
        assert self.floors is not None
        rows = self.floors[self.floors["actor"] == region]
        if year is not None:
            rows = rows[rows["year"] <= year]
        rows = rows.sort_values("date", ascending=False, kind="stable")
        basis = f"price floor set by {region}"
        figures = [
            _figure({**r, "published": r["year"]}, f"{basis}: {r['description']}")
            for r in _records(rows)
        ]
        return _latest_for(figures, year), basis

    def _shares(self, claim: Claim, region: str, year: int) -> tuple[list[_Figure], str]:
        stage = self._stage(claim)
        frame = self.production
        basis = f"{region} share of world {stage} output"
        if claim.basis == "capacity":
            basis += " (the pack has no capacity of every country; output share as proxy)"
        out: list[_Figure] = []
        # several regions together (中美缅三国合计) are summed where one source gives them all
        flows = self._flow(frame, region, stage, range(year - OUTDATED_YEARS, year + 1))
        of = claim.other_region
        if of and of != "WLD":
            basis = f"{region} output as a share of {of}'s ({stage})"
        for f in flows:
            row_year = int(f.year or year)
            if of and of != "WLD":
                other = self._flow(frame, of, stage, range(row_year, row_year + 1))
                same = [o for o in other if o.source_id == f.source_id]
                if same and same[0].value:
                    out.append(_share(f, basis, 100 * f.value / same[0].value))
                continue
            world = self._world(frame, stage, row_year, f.source_id)
            total_basis = basis
            if world is None:
                world = self._latest_total(frame, stage, row_year)
                total_basis = basis + "; world total summed over the pack's countries"
            if world:
                out.append(_share(f, total_basis, 100 * f.value / world))
        return out, basis

    def _reserve_shares(self, region: str) -> tuple[list[_Figure], str]:
        """``region``'s share of world reserves in each edition (a group's, its members'
        sum where the edition gives them all)."""
        assert self.reserves is not None
        out: list[_Figure] = []
        basis = f"{region} share of world reserves"
        world = self.reserves[self.reserves["region"] == "WLD"]
        for r in _records(_group_rows(self.reserves, region)):
            total = world.loc[world["source_id"] == r["source_id"], "value"]
            if len(total):
                out.append(_figure(r, basis, 100 * r["value"] / float(total.iloc[0]), "%"))
        return out, basis

    def _growth_rates(self, claim: Claim, region: str, year: int) -> tuple[list[_Figure], str]:
        """A rate of growth of output, a quota or a price, from one edition's figures for the
        year and the year before (% change); other rates have no series in the pack."""
        if claim.basis == "quota":
            if self.quotas is None:
                return [], "no quotas in the pack"
            kind = self._quota_kind(claim)
            rows = self.quotas[(self.quotas["region"] == region) & (self.quotas["kind"] == kind)]
            rows = rows.assign(published=rows["year"], edition=None)
            what = f"growth of {region}'s {kind} quota"
        elif claim.basis == "price" and self.prices is not None and claim.product:
            market = "WLD" if region in AGGREGATES else region
            rows = self.prices[
                (self.prices["product"] == claim.product) & (self.prices["market"] == market)
            ]
            what = f"change of the {claim.product} price, annual average, {market}"
        elif claim.basis == "production":
            stage = self._stage(claim)
            rows = self.production[
                (self.production["region"] == region) & (self.production["stage"] == stage)
            ]
            what = f"growth of {stage} output of {region}"
        else:
            return [], f"the pack has no series for the growth of {claim.basis or 'it'}"
        out: list[_Figure] = []
        for _key, edition in rows.groupby("source_id", sort=False):
            by_year = edition.drop_duplicates("year").set_index("year")["value"]
            for y in range(year - OUTDATED_YEARS, year + 1):
                if y in by_year.index and y - 1 in by_year.index and by_year[y - 1] > 0:
                    rate = 100.0 * (float(by_year[y]) / float(by_year[y - 1]) - 1.0)
                    r = _records(edition[edition["year"] == y])[0]
                    out.append(_figure(r, f"{what} ({y - 1}-{y})", rate, "%"))
        out.sort(key=lambda f: (f.published, f.year or 0), reverse=True)
        return out, what

    def _supplier_ranks(self, claim: Claim, region: str) -> tuple[list[_Figure], str]:
        """``region``'s place among an importer's sources (import_sources), latest first."""
        table = self.pack.table("import_sources")
        if claim.other_region:
            table = table[table["importer"] == claim.other_region]
        basis = f"{region}'s rank among the sources of {claim.other_region or 'the importer'}"
        out: list[_Figure] = []
        for _key, rows in table.groupby(["importer", "source_id", "period_end"], sort=False):
            ordered = _records(rows.sort_values("share", ascending=False, kind="stable"))
            place = [i for i, r in enumerate(ordered) if r["exporter"] == region]
            if place:
                first = {**ordered[0], "year": ordered[0]["period_end"]}
                out.append(
                    _figure({**first, "published": first["year"]}, basis, place[0] + 1.0, "rank")
                )
        out.sort(key=lambda f: f.published, reverse=True)
        return out, basis

    def _ranks(self, claim: Claim, region: str, year: int) -> tuple[list[_Figure], str]:
        if claim.basis == "imports" and "import_sources" in self.pack.tables:
            return self._supplier_ranks(claim, region)
        if claim.basis == "reserves" and self.reserves is not None:
            frame, stage = self.reserves, "mining"
        else:
            frame, stage = self.production, self._stage(claim)
        frame = frame[(frame["stage"] == stage) & frame["region"].isin(self.countries)]
        out: list[_Figure] = []
        what = "reserves" if claim.basis == "reserves" else f"{stage} output"
        basis = f"{region}'s rank among countries by {what}"
        # each edition's own order, and, where no one source gives every country (separation
        # by country comes from quotas, company reports and USGS), the newest figure of each
        # country in a year, ranked together
        groups = [
            rows.drop_duplicates("region", keep="first")
            for _year, rows in frame.groupby("year", sort=False)
            if len(set(rows["source_id"])) > 1
        ]  # first: on a tie of editions, the ranking of every country wins
        groups += [rows for _key, rows in frame.groupby(["source_id", "year"], sort=False)]
        for rows in groups:
            ordered = _records(rows.sort_values("value", ascending=False, kind="stable"))
            data_year = int(ordered[0]["year"])
            if claim.basis != "reserves" and not (year - OUTDATED_YEARS <= data_year <= year):
                continue
            place = [i for i, r in enumerate(ordered) if r["region"] == region]
            if place:
                newest = max(ordered, key=lambda r: r["published"])
                out.append(_figure({**ordered[0], "published": newest["published"]}, basis,
                                   float(place[0] + 1), "rank"))  # fmt: skip
        out.sort(key=lambda f: (f.published, f.year or 0), reverse=True)
        return out, basis

    def _quotas(self, claim: Claim, region: str, year: int) -> tuple[list[_Figure], str]:
        assert self.quotas is not None
        kind = self._quota_kind(claim)
        rows = self.quotas[
            (self.quotas["region"] == region)
            & (self.quotas["kind"] == kind)
            & (self.quotas["year"] == year)
        ]
        basis = f"{region} {kind} quota"
        return [_figure({**r, "published": r["year"]}, basis) for r in _records(rows)], basis

    @staticmethod
    def _quota_kind(claim: Claim) -> str:
        """Which quota a claim speaks of: exports, separation, ionic-clay or rock mining, or
        all mining."""
        quote = claim.quote
        if re.search(lx.EXPORT_QUOTA, quote, re.IGNORECASE):
            return "export"
        if claim.stage == "separation":
            return "separation"
        if re.search(r"离子型|离子吸附|ionic", quote, re.IGNORECASE):
            return "mining_ionic"
        if re.search(r"岩矿|\bhard[- ]rock\b", quote, re.IGNORECASE):
            return "mining_rock"
        return "mining"

    def _tariff_levels(self, claim: Claim, region: str, year: int) -> tuple[list[_Figure], str]:
        """The rates ``region`` set in ``year`` on the partner named (else on all origins),
        latest first, then the rate in force when the year began."""
        assert self.tariffs is not None
        rows = self.tariffs[self.tariffs["actor"] == region]
        targets = rows[rows["target"] == claim.other_region]
        rows = targets if claim.other_region and len(targets) else rows[rows["target"] == "WLD"]
        rows = rows[rows["year"] <= year].sort_values("date", ascending=False, kind="stable")
        in_year = rows[rows["year"] == year]
        before = rows[rows["year"] < year].head(1).assign(year=year - 1)
        basis = f"{region}'s tariff on {claim.other_region or 'all origins'} ({year})"
        figures = [
            _figure({**r, "published": r["year"]}, f"{basis}: {r['description']}")
            for r in _records(pd.concat([in_year, before]))
        ]
        return figures, basis

    # -- verdicts ------------------------------------------------------------------------

    def tolerance(self, claim: Claim, reference: float) -> float:
        rel = REL_APPROX if claim.qualifier == "~" else REL_EXACT
        stated = claim.low if claim.low is not None else claim.high
        tol = rel * abs(reference)
        if claim.unit == "%":
            # "60 %" means about 60, not anything from 55 to 65: no rounding of whole numbers
            tol = max(tol, SHARE_FLOOR_PP)
        elif stated is not None:
            tol = max(tol, rounding(claim.number_text, stated))
        if claim.unit == "rank":
            tol = 0.0
        return tol

    def holds(self, claim: Claim, reference: float) -> bool:
        return _within(claim, reference, self.tolerance(claim, reference))

    def judge(self, claim: Claim) -> Claim:
        """Set the claim's verdict, reference, tolerance and note; returns the claim."""
        if claim.unit == "x" and claim.metric == "production" and claim.kind == "fact":
            return self._judge_multiple(claim)
        if claim.unit == "x" and claim.metric == "growth" and claim.kind == "fact":
            claim.note = "a multiple stated as a fact has no base year to check against"
            return claim
        if claim.period != "year" and claim.kind == "fact" and not claim.unit.endswith("/kg"):
            claim.note = "a figure for part of a year; the pack holds yearly figures"
            return claim
        if claim.entity and claim.kind == "fact":
            return self._judge_entity(claim)
        return self._judge_figure(claim)

    def _judge_figure(self, claim: Claim) -> Claim:
        """Judge ``claim`` on the pack's figures for its region, metric, stage and year."""
        figures, basis = self.figures(claim)
        if claim.kind == "plan" and not figures:
            # a plan's year lies ahead: today's figure, for scale
            figures, basis = self.figures(replace(claim, year=None))
        # reserves are a stock that each edition restates: the latest edition is the reference
        stock = claim.metric == "reserves" or claim.basis == "reserves"
        same_year = [f for f in figures if stock or claim.year is None or f.year == claim.year]
        if claim.metric == "tariff":  # a year may see several rates: any of them is that year's
            same_year = [f for f in same_year if self.holds(claim, f.value)] or same_year
        current = same_year[0] if same_year else (figures[0] if figures else None)
        if current is not None:
            claim.reference = self._reference(current)
        if claim.kind == "plan":
            claim.verdict = "plan"
            if current is not None:
                claim.note = f"today's figure for scale: {basis}"
                if claim.unit == "t" and current.value > 0 and claim.value is not None:
                    claim.note += f"; the plan is {claim.value / current.value:.1f} x that"
            return claim
        if claim.unit == "x" or current is None:
            claim.verdict = "unverifiable"
            claim.note = claim.note or basis
            return claim
        if claim.unit not in (current.unit, "t") and not current.unit.startswith(claim.unit):
            claim.verdict = "unverifiable"
            claim.note = f"the claim is in {claim.unit}, the pack's figure in {current.unit}"
            return claim
        tol = self.tolerance(claim, current.value)
        claim.tolerance = self._describe_tolerance(claim, tol)
        if self.holds(claim, current.value):
            claim.verdict = "consistent"
            claim.note = basis
            return claim
        older = [f for f in figures if f is not current and self.holds(claim, f.value)]
        if older:
            match = older[0]
            claim.verdict = "outdated"
            claim.note = (
                f"{basis}: matches {match.edition or match.source_id} ({_fmt(match.value)} "
                f"{match.unit} for {match.year}), not the latest "
                f"{current.edition or current.source_id} ({_fmt(current.value)} {current.unit})"
            )
            return claim
        claim.verdict = "inconsistent"
        claim.note = basis
        return claim

    def _judge_multiple(self, claim: Claim) -> Claim:
        """ "Six times as much as the United States": the ratio of the two regions' output at
        the claim's stage in its year, each from the newest edition that gives it."""
        claim.verdict = "unverifiable"
        if claim.region is None or claim.other_region is None or claim.year is None:
            claim.note = "a multiple of another level, with no second region to compare"
            return claim
        levels = []
        for region in (claim.region, claim.other_region):
            figures, _ = self._outputs(replace(claim, region=region), region, claim.year)
            same = [f for f in figures if f.year == claim.year and f.value > 0]
            if not same:
                claim.note = f"no {self._stage(claim)} output of {region} for {claim.year}"
                return claim
            levels.append(same[0])
        ratio = levels[0].value / levels[1].value
        basis = (
            f"{self._stage(claim)} output of {claim.region} over {claim.other_region}, "
            f"{claim.year}: {_fmt(levels[0].value)} / {_fmt(levels[1].value)} t"
        )
        claim.reference = self._reference(replace(levels[0], value=ratio, unit="x", basis=basis))
        tol = max(REL_APPROX * ratio, rounding(claim.number_text, claim.low or claim.high or 0.0))
        claim.tolerance = f"±{_fmt(tol)} x"
        claim.verdict = "consistent" if _within(claim, ratio, tol) else "inconsistent"
        claim.note = basis
        return claim

    def _judge_entity(self, claim: Claim) -> Claim:
        """One plant's or company's figure: a capacity is first held against the pack's
        projects in its region; a tonnage against the region's total, which it can match (the
        country's only plant) but never contradict; a share is not in the pack."""
        if claim.metric == "capacity" and "projects" in self.pack.tables:
            projects = self.pack.table("projects")
            for row in _records(projects[projects["region"] == claim.region]):
                if self.holds(claim, float(row["capacity"])):
                    figure = _figure(
                        {**row, "value": row["capacity"], "year": row["start_year"]},
                        f"capacity of {row['project']} ({row['stage']}, projects)",
                    )
                    claim.reference = self._reference(figure)
                    claim.tolerance = self._describe_tolerance(claim, figure.value)
                    claim.verdict, claim.note = "consistent", figure.basis
                    return claim
        if claim.metric == "share":  # a plant's share of its own output, or of a market's
            claim.verdict = "unverifiable"
            claim.note = "a share held by one plant or company; the pack holds regions' shares"
            return claim
        self._judge_figure(claim)
        if claim.verdict == "inconsistent":
            claim.verdict = "unverifiable"
            claim.note = (
                f"a figure of one plant or company, below or beside the total ({claim.note})"
            )
        return claim

    def _reference(self, figure: _Figure) -> Reference:
        return Reference(
            value=round(float(figure.value), 4),
            unit=str(figure.unit),
            source=self.cite(figure.source_id),
            source_id=str(figure.source_id),
            edition=figure.edition if isinstance(figure.edition, str) else None,
            year=None if figure.year is None else int(figure.year),
            basis=figure.basis,
        )

    @staticmethod
    def _describe_tolerance(claim: Claim, tol: float) -> str:
        if claim.unit == "rank":
            return "exact rank"
        if claim.unit == "%":
            return f"±{_fmt(tol)} percentage points"
        return f"±{_fmt(tol)} {claim.unit}"


def _fmt(value: float) -> str:
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"


#: disagreeing claims named per claim; a text that repeats a figure many times would
#: otherwise list every pair
MAX_CONFLICTS = 5


def conflicts(claims: list[Claim], tolerance: Callable[[Claim, float], float]) -> None:
    """Mark facts of one text that cannot both be true: same region, metric, basis, stage, year
    (yearly figures only; tariffs aside, as a year may see several rates).

    Two claims disagree when their bounds, each widened by its tolerance, do not overlap.  Facts
    are grouped by what they state and, within a group, sorted by bound, so each claim finds the
    claims above and below it by bisection: time grows as n log n, not with every pair.
    """
    groups: dict[tuple[object, ...], list[tuple[int, float, float]]] = {}
    for i, c in enumerate(claims):
        # a month's figure or a tariff (which may change within a year) disagrees with nothing
        if c.kind == "fact" and c.region and c.unit != "x" and c.period == "year" \
                and c.metric != "tariff" and not c.entity:  # fmt: skip
            key = (c.commodity, c.region, c.metric, c.basis, c.stage, c.year, c.unit)
            groups.setdefault(key, []).append((i, *_widened(c, tolerance)))
    for members in groups.values():
        if len(members) < 2:
            continue
        by_low = sorted(members, key=lambda m: (m[1], m[0]))
        lows = [m[1] for m in by_low]
        by_high = sorted(members, key=lambda m: (m[2], m[0]))
        highs = [m[2] for m in by_high]
        for i, low, high in members:
            above = by_low[bisect.bisect_right(lows, high) :][:MAX_CONFLICTS]  # low_j > high_i
            below = by_high[: bisect.bisect_left(highs, low)][:MAX_CONFLICTS]  # high_j < low_i
            found = sorted({m[0] for m in above + below})[:MAX_CONFLICTS]
            claims[i].conflicts.extend(found)


def _widened(claim: Claim, tolerance: Callable[[Claim, float], float]) -> tuple[float, float]:
    low = -math.inf if claim.low is None else claim.low
    high = math.inf if claim.high is None else claim.high
    point = claim.low if claim.low is not None else claim.high or 0.0
    tol = tolerance(claim, point)
    return low - tol, high + tol
