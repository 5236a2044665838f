"""Year to year: demand growth and substitution, projects, price-driven investment, policies.

One :class:`~mineralflow.market.problem.MarketProblem` is built for the whole run; each year
only its bounds and right-hand sides change:

* demand: each sector's reference quantity grows at its published rate
  (``demand_growth.csv``) and moves towards its long-run response to last year's price
  (substitution and thrifting, at the gap between the long-run and the short-run
  elasticity) by the stage's ``demand_adjustment`` share a year (partial adjustment);
* capacity: announced projects enter at their start year and ramp up; a group that ran
  above its normal utilisation (so that its price exceeded the calibrated normal margin)
  orders new capacity that arrives after the stage's lead time;
* policy: the pack's export quotas of the year, and any constraints a scenario adds.

Years before the pack's base year (a hindcast) take supply as history recorded it: the
published output of each country and stage is an upper limit, and what the calibration
found unreported (releases from stocks, recycled scrap, output outside the statistics)
cannot grow beyond its base-year amount.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from mineralflow.data.pack import Pack
from mineralflow.market.calibration import Calibration, calibrate
from mineralflow.market.problem import MarketProblem, RawSolution, Solution
from mineralflow.network import Network, build_network, nearest_year

#: Probability that an announced project is built on schedule, by its status in projects.csv.
STATUS_PROBABILITY = {
    "operating": 1.0,
    "construction": 0.9,
    "committed": 0.75,
    "planned": 0.5,
    "stalled": 0.25,
}
SUBSTITUTION_BOUNDS = (0.5, 1.5)


@dataclass
class Policies:
    """Constraints of one year beyond the pack's own: filled by scenarios."""

    quotas: dict[str, float] = field(default_factory=dict)
    tariffs: dict[tuple[str, str, str], float] = field(default_factory=dict)
    bans: set[tuple[str, str, str]] = field(default_factory=set)


@dataclass
class Plan:
    """What a scenario's levers change, as arrays by year (rows follow ``years``).

    Columns follow the calibrated problem's order: groups, demand keys, trade arcs,
    processes, nodes, LP columns.  ``None`` leaves that part of the model as the pack has it.
    """

    years: list[int]
    growth: np.ndarray | None = None  # (years, demand keys): growth rate replacing the pack's
    capacity: np.ndarray | None = None  # (years, groups): t of capacity added
    capacity_min: np.ndarray | None = None  # (years, groups): capacity at least this (t)
    trade_cost: np.ndarray | None = None  # (years, arcs): USD/kg above transport
    closed: np.ndarray | None = None  # (years, arcs): no trade
    limits: sp.csr_matrix | None = None  # (limits, LP columns): t counted per t of a column
    limit_names: list[str] = field(default_factory=list)
    limit_lower: np.ndarray | None = None  # (years, limits): t, -inf for none
    limit_upper: np.ndarray | None = None  # (years, limits): t, inf for none
    stockpile: np.ndarray | None = None  # (years, nodes): t bought (+) or sold (-)
    level_scale: np.ndarray | None = None  # (years, groups): cost level against calibration
    input_scale: np.ndarray | None = None  # (years, processes): inputs against calibration


@dataclass
class Run:
    """A simulated run: the network, its calibration and one solution per year."""

    pack: Pack
    network: Network
    calibration: Calibration
    problem: MarketProblem
    years: list[int]
    raw: dict[int, RawSolution]
    # demand each sector would buy at base-year prices after growth and substitution, by demand
    # key in problem.demand_keys order: shortage is what the year's prices ration away from it
    reference_demand: dict[int, np.ndarray]
    capacity: dict[int, np.ndarray]  # by group, in problem.groups order
    quotas: dict[int, dict[str, float]]
    wall_seconds: float = 0.0
    _tables: dict[int, Solution] = field(default_factory=dict, repr=False)

    @property
    def solver_seconds(self) -> float:
        return sum(s.solve_seconds for s in self.raw.values())

    def solution(self, year: int) -> Solution:
        """The labelled solution of ``year`` (built on first use)."""
        if year not in self._tables:
            self._tables[year] = self.problem.tables(self.raw[year])
        return self._tables[year]

    @property
    def solutions(self) -> dict[int, Solution]:
        return {y: self.solution(y) for y in self.years}


def growth_matrix(pack: Pack, keys: pd.Index, years: list[int]) -> np.ndarray:
    """Yearly demand growth rate by (year, demand key): a region's own row beats WLD's."""
    out = np.zeros((len(years), len(keys)))
    if "demand_growth" not in pack.tables:
        return out
    table = pack.table("demand_growth")
    regions = keys.get_level_values(0).to_numpy()
    sectors = keys.get_level_values(1).to_numpy()
    year_arr = np.array(years)[:, None]
    taken = np.zeros((len(years), len(keys)), dtype=bool)
    for row in sorted(table.itertuples(), key=lambda r: r.region == "WLD"):
        active = (year_arr >= row.start_year) & (year_arr <= row.end_year)
        match = sectors == row.sector
        if row.region != "WLD":
            match = match & (regions == row.region)
        cells = active & match[None, :] & ~taken
        out[cells] = float(row.rate)
        taken |= cells
    return out


def project_matrix(
    pack: Pack,
    network: Network,
    calibration: Calibration,
    years: list[int],
    *,
    keep: Callable[[str], bool] | None = None,
    probability: float | None = None,
    delay: int = 0,
) -> np.ndarray:
    """Capacity (t) that announced projects add, by (year, group), probability-weighted.

    ``keep`` selects projects by region, ``probability`` replaces the weight of their status
    (:data:`STATUS_PROBABILITY`) and ``delay`` moves their start (scenario levers).
    """
    groups = network.groups.index
    out = np.zeros((len(years), len(groups)))
    if "projects" not in pack.tables:
        return out
    params = calibration.stage_params
    first = network.stages[0]
    feed = pack.table("mine_feed") if first.kind == "deposits" else None
    year_arr = np.array(years, dtype=float)
    for row in pack.table("projects").itertuples():
        if int(row.start_year) <= calibration.year:
            continue  # already in the base-year capacity
        if keep is not None and not keep(str(row.region)):
            continue
        start = int(row.start_year) + delay
        stage = str(row.stage)
        ramp = max(float(params.loc[stage, "ramp_years"]), 1.0)
        share = np.clip((year_arr - start + 1) / ramp, 0.0, 1.0)
        weight = (
            STATUS_PROBABILITY.get(str(row.status), 0.5) if probability is None else probability
        )
        size = float(row.capacity) * weight
        if feed is not None and stage == first.name:
            mix = nearest_year(feed[feed["region"] == row.region], start)
            parts = [
                (f"{row.region}|{stage}|{d}", float(p))
                for d, p in zip(mix["deposit"], mix["share"], strict=True)
            ]
        else:
            parts = [(f"{row.region}|{stage}", 1.0)]
        for group, part in parts:
            out[:, groups.get_loc(group)] += size * part * share
    return out


def historical_years(pack: Pack, calibration: Calibration, years: list[int]) -> np.ndarray:
    """Which ``years`` are history: after the calibration year, before the pack's base year."""
    return np.array([calibration.year < y < pack.manifest.base_year for y in years], dtype=bool)


def historical_caps(
    pack: Pack, network: Network, calibration: Calibration, years: list[int]
) -> np.ndarray:
    """Published output as an upper limit, by (year, group), for years before the pack's base.

    A hindcast takes supply decisions that governments made (mining quotas, crackdowns) as
    given and lets prices answer; later years are left to the model (``inf``).
    """
    out = np.full((len(years), len(network.groups)), np.inf)
    first = network.stages[0]
    feed = pack.table("mine_feed") if first.kind == "deposits" else None
    history = historical_years(pack, calibration, years)
    for i, year in enumerate(years):
        if not history[i]:
            continue
        published = pack.select("production", year=year)
        totals = published.groupby(["region", "stage"])["value"].sum()
        for j, (region, stage, variant) in enumerate(
            network.groups[["region", "stage", "variant"]].itertuples(index=False)
        ):
            if (region, stage) not in totals.index:
                continue
            value = float(totals[(region, stage)])
            if feed is not None and stage == first.name:
                mix = nearest_year(feed[feed["region"] == region], year)
                share = mix.loc[mix["deposit"] == variant, "share"]
                value *= float(share.iloc[0]) if len(share) else 0.0
            out[i, j] = value
    return out


def historical_release_caps(
    pack: Pack, calibration: Calibration, stock_keys: pd.Index, years: list[int]
) -> np.ndarray:
    """Upper limits (t) on stock releases by (year, stock key): the base-year amount in
    years before the pack's base year, ``inf`` otherwise.

    In the base year these releases close what published output and demand leave open
    (unreported mine output, recycled scrap, stocks drawn down).  Left to prices, they would
    grow with the price like any supply; in a hindcast that would answer a supply cut with
    supply that governments were at the same time cracking down on (China's 2010-2011
    campaigns against illegal mining and smuggling), so they are held at their base amount.
    """
    out = np.full((len(years), len(stock_keys)), np.inf)
    base = calibration.data.stocks["release"].reindex(stock_keys).fillna(0.0).to_numpy(float)
    out[historical_years(pack, calibration, years)] = base
    return out


def pack_quotas(pack: Pack) -> dict[int, dict[str, float]]:
    """Export quotas from the pack's quotas table: year -> exporting region -> t."""
    if "quotas" not in pack.tables:
        return {}
    table = pack.table("quotas")
    table = table[table["kind"] == "export"]
    out: dict[int, dict[str, float]] = {}
    for region, year, value in zip(table["region"], table["year"], table["value"], strict=True):
        out.setdefault(int(year), {})[str(region)] = float(value)
    return out


def basket_matrix(problem: MarketProblem) -> sp.csr_matrix:
    """Sparse map from node prices to each demand key's basket price."""
    b = problem.baskets
    rows = problem.demand_keys.get_indexer(pd.MultiIndex.from_arrays([b["region"], b["sector"]]))
    cols = problem.node_of(b["region"], b["product"])
    shape = (len(problem.demand_keys), len(problem.nodes))
    return sp.csr_matrix((b["coeff"].to_numpy(float), (rows, cols)), shape=shape)


def simulate(
    pack: Pack,
    years: tuple[int, int],
    *,
    base_year: int | None = None,
    calibration: Calibration | None = None,
    policies: Callable[[int], Policies] | None = None,
    plan: Plan | None = None,
    progress: Callable[[int], None] | None = None,
) -> Run:
    """Calibrate to the base year and solve every year from there to ``years[1]``.

    ``calibration`` reuses a calibration made earlier for the same pack and base year (it
    is the same for every scenario of a pack).  Between years only quantities change, so the
    LP is re-solved warm through the fast path; years whose policies add tariffs or bans go
    through the full update.
    """
    started = time.perf_counter()
    base = pack.manifest.base_year if base_year is None else base_year
    if calibration is None:
        calibration = calibrate(pack, build_network(pack, base), base)
    cal = calibration
    network = cal.data.network
    data0 = cal.data
    run_years = list(range(base, years[1] + 1))
    if plan is not None and plan.years[: len(run_years)] != run_years:
        raise ValueError("the plan's years do not match the run's")
    if plan is not None and plan.limits is not None:
        problem = cal.problem.with_limits(plan.limits, plan.limit_names)
    else:
        problem = cal.problem.fresh()
    groups = problem.groups
    keys = problem.demand_keys
    g0 = data0.groups.reindex(groups)
    params = cal.stage_params
    lead = np.maximum(np.rint(g0["stage"].map(params["lead_time"]).to_numpy(float)), 1).astype(int)
    rate = g0["stage"].map(params["investment_rate"]).to_numpy(float)
    u0 = g0["u0"].to_numpy(float)
    base_capacity = g0["capacity"].to_numpy(float)
    d = data0.demand.reindex(keys)
    d0 = d["reference"].to_numpy(float)
    p0 = np.maximum(d["price"].to_numpy(float), 1e-9)
    long_eta = cal.long_eta.reindex(keys.get_level_values(1)).to_numpy(float)
    eta_gap = long_eta - d["eta"].to_numpy(float)
    stage_of_key = network.demand["stage"].reindex(keys)
    adjust = stage_of_key.map(params["demand_adjustment"]).to_numpy(float)
    span = tuple(run_years)
    growth = cal.cache.get(("growth", span))
    if growth is None:
        growth = cal.cache[("growth", span)] = growth_matrix(pack, keys, run_years)
    projects = cal.cache.get(("projects", span))
    if projects is None:
        projects = cal.cache[("projects", span)] = project_matrix(pack, network, cal, run_years)
    caps = cal.cache.get(("caps", span))
    if caps is None:
        caps = cal.cache[("caps", span)] = historical_caps(pack, network, cal, run_years)
    release_caps = cal.cache.get(("releases", span))
    if release_caps is None:
        release_caps = cal.cache[("releases", span)] = historical_release_caps(
            pack, cal, problem.stock_keys, run_years
        )
    historical = historical_years(pack, cal, run_years)
    if plan is not None and plan.growth is not None:
        growth = np.where(np.isnan(plan.growth), growth, plan.growth)
    basket = cal.cache.get("basket")
    if basket is None:
        basket = cal.cache["basket"] = basket_matrix(problem)
    known_quotas = cal.cache.get("quotas")
    if known_quotas is None:
        known_quotas = cal.cache["quotas"] = pack_quotas(pack)
    balance = problem.rows["balance"]

    pushed_trade: tuple[np.ndarray, np.ndarray] | None = None
    pushed_tech: tuple[np.ndarray, np.ndarray] | None = None
    no_cost = np.zeros(len(problem.arcs))
    open_arcs = np.zeros(len(problem.arcs), dtype=bool)
    invested = np.zeros(len(groups))
    orders = np.zeros((len(run_years) + int(lead.max(initial=0)) + 1, len(groups)))
    growth_index = np.ones(len(keys))
    substitution = np.ones(len(keys))
    run = Run(pack, network, cal, problem, [], {}, {}, {}, {})
    for i, year in enumerate(run_years):
        if i > 0:
            growth_index = growth_index * (1.0 + growth[i])
            invested = invested + orders[i]
        capacity = base_capacity + projects[i] + invested
        if plan is not None and plan.capacity is not None:
            capacity = capacity + plan.capacity[i]
        if plan is not None and plan.capacity_min is not None:
            capacity = np.maximum(capacity, plan.capacity_min[i])
        reference = d0 * growth_index
        extra = policies(year) if policies is not None else Policies()
        quotas = {**known_quotas.get(year, {}), **extra.quotas}
        if i == 0:
            problem.load(data0)
        # trade costs and closed arcs: pushed only when they differ from the last year's,
        # so that a one-year measure is undone the year after
        cost = no_cost if plan is None or plan.trade_cost is None else plan.trade_cost[i]
        closed = open_arcs if plan is None or plan.closed is None else plan.closed[i]
        if extra.tariffs:
            cost = cost + problem.arc_values(extra.tariffs)
        if extra.bans:
            closed = closed | np.array([a in extra.bans for a in problem.arcs])
        if pushed_trade is None or not (
            np.array_equal(cost, pushed_trade[0]) and np.array_equal(closed, pushed_trade[1])
        ):
            if pushed_trade is not None or cost.any() or closed.any():
                problem.set_trade(cost, closed)
            pushed_trade = (cost, closed)
        if plan is not None and plan.level_scale is not None and plan.input_scale is not None:
            tech = (plan.level_scale[i], plan.input_scale[i])
            if pushed_tech is None or not (
                np.array_equal(tech[0], pushed_tech[0]) and np.array_equal(tech[1], pushed_tech[1])
            ):
                problem.set_technology(*tech)
                pushed_tech = tech
        problem.check_quotas(quotas)
        quota_vec = np.array([quotas.get(r, np.inf) for r in problem.quota_regions])
        limits = None
        if plan is not None and plan.limit_lower is not None and plan.limit_upper is not None:
            limits = (plan.limit_lower[i], plan.limit_upper[i])
        raw = problem.solve_quantities(
            year,
            capacity,
            reference * substitution,
            quota_vec,
            caps[i],
            limits=limits,
            balance_rhs=None if plan is None or plan.stockpile is None else plan.stockpile[i],
            release_cap=release_caps[i] if historical[i] else None,
        )
        run.raw[year] = raw
        run.reference_demand[year] = reference * substitution
        run.capacity[year] = capacity
        run.quotas[year] = quotas
        run.years.append(year)
        # investment: groups above their normal utilisation order capacity
        supply = raw.x[problem.cols["supply"]].reshape(len(groups), problem.n_sup).sum(axis=1)
        util = np.divide(supply, capacity, out=np.zeros_like(supply), where=capacity > 0)
        pressure = np.clip((util - u0) / np.maximum(1.0 - u0, 0.05), 0.0, 1.0)
        arrival = np.minimum(i + lead, len(orders) - 1)
        np.add.at(orders, (arrival, np.arange(len(groups))), capacity * rate * pressure)
        # substitution answers this year's basket price from next year, closing the stage's
        # share of the gap to the long-run response each year
        price = basket @ raw.row_dual[balance]
        target = np.clip(np.maximum(price / p0, 1e-3) ** eta_gap, *SUBSTITUTION_BOUNDS)
        substitution = substitution ** (1.0 - adjust) * target**adjust
        if progress is not None:
            progress(year)
    run.wall_seconds = time.perf_counter() - started
    return run
