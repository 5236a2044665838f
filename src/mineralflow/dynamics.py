"""Year to year: demand growth and substitution, projects, price-driven investment, policies.

One :class:`~mineralflow.market.problem.MarketProblem` is loaded into one HiGHS session for
the whole run; each year :func:`step` sets only its bounds, costs and right-hand sides:

* demand: each sector's reference quantity grows at its published rate
  (``demand_growth.csv``) and moves towards its long-run response to last year's price
  (substitution and thrifting, at the gap between the long-run and the short-run
  elasticity) by the stage's ``demand_adjustment`` share a year (partial adjustment);
* capacity: investors expect each group's unit value added adaptively; groups expand when
  the expectation exceeds their full cost, and the pack's announced projects are decided
  on the change in their expected return (:mod:`mineralflow.investment`); new capacity
  arrives after the stage's lead time and runs at the stage's normal utilisation;
* policy: export quotas, trade costs, closed arcs and limits of the year; government
  stockpiles' trades (:mod:`mineralflow.reserves`) and price floors' payments
  (:mod:`mineralflow.floors`), solved again until they agree with the prices they lead to.

Everything a year needs from outside comes from a :class:`Plan` of arrays by year: the
pack's own inputs make the base plan (:func:`base_plan`), and a scenario's levers change
its arrays.

Years before the pack's base year (a hindcast) take supply as history recorded it: the
published output of each country and stage is an upper limit, and what the calibration
released from stocks cannot grow beyond its base-year amount.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import scipy.sparse as sp

from mineralflow.contracts import limit_rows as contract_rows
from mineralflow.data.pack import Pack
from mineralflow.extraterritorial import Rules
from mineralflow.floors import ROUNDS, Floors
from mineralflow.investment import (
    Investors,
    Pipeline,
    decide_projects,
    excess_return,
    expansion,
    expect,
    utilisation,
)
from mineralflow.market.calibration import Calibration, calibrate
from mineralflow.market.curves import FAMILY_EDGES, CurveRows, Edges, Grid, family_blocks, grid_rows
from mineralflow.market.errors import InfeasibleError, MarketError
from mineralflow.market.problem import SCALE, MarketProblem, RawSolution, Solution
from mineralflow.market.session import INF, Session, highs_seconds
from mineralflow.market.windows import Centres, solve_on_windows
from mineralflow.metrics.origins import TraceLayout
from mineralflow.network import Network, build_network, nearest_year
from mineralflow.policies import tariff_costs
from mineralflow.reserves import Reserve, agree, traded

SUBSTITUTION_BOUNDS = (0.5, 1.5)
#: covered shares that differ by less than this between two solves of a year agree
RULE_TOLERANCE = 1e-3


@dataclass
class Plan:
    """Everything that enters the run year by year, as arrays (rows follow ``years``).

    Columns follow the calibrated problem's order: groups, demand keys, trade arcs, quota
    regions, stock keys, processes, nodes; ``limits`` has one row per scenario limit and a
    column per LP column.  The pack's own inputs make the base plan (:func:`base_plan`);
    a scenario's levers change it.
    """

    years: list[int]
    growth: np.ndarray  # (years, demand keys): demand growth rate
    capacity: np.ndarray  # (years, groups): t of capacity added for certain (scenario projects)
    capacity_min: np.ndarray  # (years, groups): capacity at least this (t)
    output_cap: np.ndarray  # (years, groups): output at most this (t; inf for none)
    release_cap: np.ndarray  # (years, stock keys): releases at most this (t; inf for none)
    quotas: np.ndarray  # (years, quota regions): t REO-equivalent exports (inf for none)
    trade_cost: np.ndarray  # (years, arcs): USD/kg above transport and base-year duties
    policy_tariff: np.ndarray  # (years, arcs): USD/kg of the pack's dated duties in force
    closed: np.ndarray  # (years, arcs): no trade
    reserve: Reserve  # government stockpiles: t or USD a year by (year, node), held at start
    floors: Floors  # guaranteed prices paid as deficiency payments (scenario levers)
    level_scale: np.ndarray  # (years, groups): cost level against calibration
    input_scale: np.ndarray  # (years, processes): inputs against calibration
    limits: sp.csr_matrix  # (limits, LP columns): t counted per t of a column
    limit_lower: np.ndarray  # (years, limits): t, -inf for none
    limit_upper: np.ndarray  # (years, limits): t, inf for none
    limit_names: list[str] = field(default_factory=list)
    # the pack's announced projects, decided during the run on expected margins
    pipeline: Pipeline = field(default_factory=Pipeline.empty)
    # extraterritorial licensing: limit rows whose supply side scales with a covered share
    rules: Rules = field(default_factory=Rules)

    def with_limits(
        self,
        rows: list[np.ndarray],
        lower: list[np.ndarray],
        upper: list[np.ndarray],
        names: list[str],
    ) -> Plan:
        """The plan with more limit rows; rows that are free in every year are left out."""
        keep = [
            i
            for i in range(len(rows))
            if np.isfinite(lower[i]).any() or np.isfinite(upper[i]).any()
        ]
        if not keep:
            return self
        n_cols = self.limits.shape[1]
        extra = sp.csr_matrix(np.vstack([rows[i] for i in keep]).reshape(len(keep), n_cols))
        return replace(
            self,
            limits=sp.vstack([self.limits, extra]).tocsr(),
            limit_lower=np.column_stack([self.limit_lower, *[lower[i] for i in keep]]),
            limit_upper=np.column_stack([self.limit_upper, *[upper[i] for i in keep]]),
            limit_names=[*self.limit_names, *[names[i] for i in keep]],
        )


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
    # stock held at the end of each year by stock key (problem.stock_keys order), t
    stock: dict[int, np.ndarray] = field(default_factory=dict)
    # the demand curves' edges each year was solved on (fractions of reference demand, by
    # demand key): which blocks sit at the cap, and so what counts as shortage
    demand_grid: dict[int, np.ndarray] = field(default_factory=dict)
    # capacity ordered by expansion or decided in announced projects (probability-weighted)
    # each year, by group, t
    investment: dict[int, np.ndarray] = field(default_factory=dict)
    # the plan's price floors and what each paid in each year, million USD
    floors: Floors | None = None
    payments: dict[int, np.ndarray] = field(default_factory=dict)
    # t government stockpiles hold at the end of each year, by node
    reserve: dict[int, np.ndarray] = field(default_factory=dict)
    # t exporters bought into their own stocks (what licences withheld) each year, by stock key
    kept: dict[int, np.ndarray] = field(default_factory=dict)
    # by extraterritorial rule row: the share of its supply the exporter could ship each year
    rule_factors: dict[int, np.ndarray] = field(default_factory=dict)
    wall_seconds: float = 0.0
    # seconds inside HiGHS: every solve of the run, those of rounds a price floor or a
    # stockpile budget repeats included
    solver_seconds: float = 0.0
    _tables: dict[int, Solution] = field(default_factory=dict, repr=False)

    def solution(self, year: int) -> Solution:
        """The labelled solution of ``year`` (built on first use)."""
        if year not in self._tables:
            self._tables[year] = self.problem.tables(self.raw[year])
        return self._tables[year]

    @property
    def solutions(self) -> dict[int, Solution]:
        return {y: self.solution(y) for y in self.years}


# ------------------------------------------------------------------ the pack's own plan
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
    rows = table.sort_values(["sector", "region", "start_year", "end_year"], kind="stable")
    for row in sorted(rows.itertuples(), key=lambda r: r.region == "WLD"):
        active = (year_arr >= row.start_year) & (year_arr <= row.end_year)
        match = sectors == row.sector
        if row.region != "WLD":
            match = match & (regions == row.region)
        cells = active & match[None, :] & ~taken
        out[cells] = float(row.rate)
        taken |= cells
    return out


def project_status(pack: Pack) -> dict[str, tuple[float, bool]]:
    """By state of a project (project_status.csv): its chance of being built before margins,
    and whether its investment decision is already taken."""
    if "project_status" not in pack.tables:
        return {}
    t = pack.table("project_status")
    return {
        str(status): (float(p), decided == "yes")
        for status, p, decided in zip(t["status"], t["probability"], t["decided"], strict=True)
    }


def _timing(start: int, lead: int, decided: bool) -> tuple[int, int]:
    """A project's (start, decision) as positions in the run's years: a decision taken
    before the run counts in the first year; one still to take comes after the first year's
    solve at the earliest, and a start that leaves less than the lead time moves later."""
    if decided:
        return start, max(start - lead, 0)
    decide = max(start - lead, 1)
    return max(start, decide + lead), decide


def _project_parts(
    pack: Pack, calibration: Calibration, groups: object, row: object, start: int
) -> list[tuple[int, float]]:
    """The groups a project adds capacity to, with their shares: a mine's by its region's
    mine feed in its start year, any other project's group alone."""
    first = calibration.data.network.stages[0]
    stage, region = str(row.stage), str(row.region)  # type: ignore[attr-defined]
    if first.kind == "deposits" and stage == first.name:
        feed = pack.table("mine_feed")
        mix = nearest_year(feed[feed["region"] == region], start)
        parts = list(zip(mix["deposit"], mix["share"].astype(float), strict=True))
    else:
        parts = [("", 1.0)]
    out = []
    for variant, share in parts:
        at = np.flatnonzero(groups.select(region=region, stage=stage, variant=variant))  # type: ignore[attr-defined]
        if len(at) != 1:
            raise MarketError(
                f"projects.csv of pack '{pack.name}': project '{row.project}' has no "  # type: ignore[attr-defined]
                f"{stage} group in {region}" + (f" for deposit {variant}" if variant else "")
            )
        out.append((int(at[0]), share))
    return out


def project_pipeline(
    pack: Pack, problem: MarketProblem, calibration: Calibration, years: list[int]
) -> Pipeline:
    """The pack's announced projects that add capacity after the first of ``years``: those
    starting later, and those still ramping up then (:class:`~mineralflow.investment.Pipeline`).
    """
    if "projects" not in pack.tables or not years:
        return Pipeline.empty()
    params = calibration.stage_params
    chance = project_status(pack)
    groups = problem.layout.col("supply")
    cols: dict[str, list] = {
        k: [] for k in ("project", "group", "size", "start", "decide", "ramp", "prior")
    }
    table = pack.table("projects").sort_values(["project", "stage"], kind="stable")
    for row in table.itertuples():
        stage, start = str(row.stage), int(row.start_year)
        ramp = max(float(params.loc[stage, "ramp_years"]), 1.0)
        if start + ramp - 1 <= years[0]:
            continue  # at full capacity in the first year: in its capacity already
        lead = int(max(round(float(params.loc[stage, "lead_time"])), 1))
        if str(row.status) not in chance:
            raise MarketError(
                f"projects.csv of pack '{pack.name}': project '{row.project}' has status "
                f"'{row.status}', which project_status.csv does not give a probability"
            )
        prior, decided = chance[str(row.status)]
        at, decide = _timing(start - years[0], lead, decided)
        for group, share in _project_parts(pack, calibration, groups, row, start):
            cols["project"].append(str(row.project))
            cols["group"].append(group)
            cols["size"].append(float(row.capacity) * share)
            cols["start"].append(at)
            cols["decide"].append(decide)
            cols["ramp"].append(ramp)
            cols["prior"].append(prior)
    ints = {k: np.asarray(cols[k], dtype=np.int64) for k in ("group", "start", "decide")}
    floats = {k: np.asarray(cols[k], dtype=float) for k in ("size", "ramp", "prior")}
    return Pipeline(
        tuple(cols["project"]),
        ints["group"],
        floats["size"],
        ints["start"],
        ints["decide"],
        floats["ramp"],
        floats["prior"],
        np.zeros(len(cols["project"])),
    )


def historical_years(pack: Pack, calibration: Calibration, years: list[int]) -> np.ndarray:
    """Which ``years`` are history: after the calibration year, before the pack's base year."""
    return np.array([calibration.year < y < pack.manifest.base_year for y in years], dtype=bool)


def historical_caps(
    pack: Pack, problem: MarketProblem, calibration: Calibration, years: list[int]
) -> np.ndarray:
    """Published output as an upper limit, by (year, group), for years before the pack's base.

    A hindcast takes supply decisions that governments made (mining quotas, crackdowns) as
    given and lets prices answer; later years are left to the model (``inf``).
    """
    groups = problem.layout.col("supply").dims
    out = np.full((len(years), len(groups)), np.inf)
    first = calibration.data.network.stages[0]
    feed = pack.table("mine_feed") if first.kind == "deposits" else None
    history = historical_years(pack, calibration, years)
    for i, year in enumerate(years):
        if not history[i]:
            continue
        published = pack.select("production", year=year)
        totals = published.groupby(["region", "stage"])["value"].sum()
        for j, (region, stage, variant) in enumerate(
            groups[["region", "stage", "variant"]].itertuples(index=False)
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

    In the base year these releases close what published and estimated output and demand
    leave open.  Left to prices, they would grow with the price like any supply; in a hindcast
    that would answer a supply cut with supply that governments were at the same time cracking
    down on (China's 2010-2011 campaigns against illegal mining and smuggling), so they are
    held at their base amount.
    """
    out = np.full((len(years), len(stock_keys)), np.inf)
    base = calibration.data.stocks["release"].reindex(stock_keys).fillna(0.0).to_numpy(float)
    out[historical_years(pack, calibration, years)] = base
    return out


def quota_matrix(pack: Pack, problem: MarketProblem, years: list[int]) -> np.ndarray:
    """Export quotas of the pack's quotas table, t by (year, quota region); inf for none."""
    out = np.full((len(years), len(problem.quota_regions)), np.inf)
    if "quotas" not in pack.tables:
        return out
    table = pack.table("quotas")
    table = table[(table["kind"] == "export") & table["year"].isin(years)]
    problem.check_quotas(sorted(set(table["region"].astype(str))))
    regions = pd.Index(problem.quota_regions)
    for region, year, value in zip(table["region"], table["year"], table["value"], strict=True):
        out[years.index(int(year)), regions.get_loc(region)] = float(value)
    return out


def base_plan(pack: Pack, calibration: Calibration, years: list[int]) -> Plan:
    """The plan of the pack's own inputs: growth, projects, quotas, history; no levers."""
    problem = calibration.problem
    n = len(years)
    duties = policy_tariffs(pack, calibration, years)
    base_duties = calibration.data.trade_cost
    in_base = (
        np.zeros(len(problem.arcs))
        if base_duties is None
        else base_duties.reindex(problem.arcs).fillna(0.0).to_numpy(float)
    )
    return Plan(
        years=list(years),
        growth=growth_matrix(pack, problem.demand_keys, years),
        capacity=np.zeros((n, len(problem.groups))),
        output_cap=historical_caps(pack, problem, calibration, years),
        release_cap=historical_release_caps(pack, calibration, problem.stock_keys, years),
        quotas=quota_matrix(pack, problem, years),
        closed=np.zeros((n, len(problem.arcs)), dtype=bool),
        reserve=Reserve.empty(n, len(problem.nodes)),
        floors=Floors.empty(n, len(problem.processes)),
        level_scale=np.ones((n, len(problem.groups))),
        input_scale=np.ones((n, len(problem.processes))),
        limits=sp.csr_matrix((0, problem.n_cols)),
        limit_lower=np.zeros((n, 0)),
        limit_upper=np.zeros((n, 0)),
        capacity_min=np.zeros((n, len(problem.groups))),
        trade_cost=duties - in_base[None, :],
        policy_tariff=duties,
        pipeline=project_pipeline(pack, calibration.problem, calibration, years),
    ).with_limits(*contract_rows(pack, problem, list(years)))


def policy_tariffs(pack: Pack, calibration: Calibration, years: list[int]) -> np.ndarray:
    """(years, arcs) USD/kg of the duties of the pack's ``policy_events.csv`` in force."""
    problem = calibration.problem
    stage_of = calibration.data.network.products["stage"]
    return tariff_costs(pack, problem.arcs, stage_of, calibration.reference_prices, years)


# ------------------------------------------------------------------ one year at a time
@dataclass(frozen=True)
class Drivers:
    """What the year-to-year rules need from the calibration, in the problem's order."""

    investors: Investors  # by group: what investment compares and orders
    d0: np.ndarray  # by demand key: base-year demand, t
    p0: np.ndarray  # by demand key: base-year basket price, USD/kg
    eta_gap: np.ndarray  # by demand key: long-run minus short-run elasticity
    adjust: np.ndarray  # by demand key: share of the gap closed a year
    stock0: np.ndarray  # by stock key: opening stock, t (inf: no level kept)
    accrual: np.ndarray  # by stock key: base-year absorption beyond release, t a year
    holding: np.ndarray  # by stock key: cost of holding a kg a year, USD/kg
    stock_of_node: np.ndarray  # by node: its stock key's ordinal (-1: no stock holders)

    @staticmethod
    def of(calibration: Calibration, problem: MarketProblem) -> Drivers:
        cal = calibration
        g0 = cal.data.groups.reindex(problem.groups)
        params = cal.stage_params
        d = cal.data.demand.reindex(problem.demand_keys)
        keys = problem.demand_keys
        stage_of_key = cal.data.network.demand["stage"].reindex(keys)
        long_eta = cal.long_eta.reindex(keys.get_level_values(1)).to_numpy(float)
        stocks = cal.data.stocks.reindex(problem.stock_keys)
        return Drivers(
            investors=Investors.of(g0, params),
            d0=d["reference"].to_numpy(float),
            p0=np.maximum(d["price"].to_numpy(float), 1e-9),
            eta_gap=long_eta - d["eta"].to_numpy(float),
            adjust=stage_of_key.map(params["demand_adjustment"]).to_numpy(float),
            stock0=stocks["level"].to_numpy(float),
            accrual=(stocks["absorb"] - stocks["release"]).clip(lower=0.0).to_numpy(float),
            holding=stocks["holding"].to_numpy(float),
            stock_of_node=problem.stock_keys.get_indexer(problem.nodes),
        )


@dataclass(frozen=True)
class YearState:
    """What carries from one year to the next: demand paths, capacity on order, stocks."""

    index: int  # position of the next year in the plan
    growth_index: np.ndarray  # by demand key: demand against the base year, before substitution
    substitution: np.ndarray  # by demand key: factor from substitution and thrifting
    invested: np.ndarray  # by group: capacity added by price-driven investment so far, t
    orders: np.ndarray  # (plan year, group): capacity arriving in that year, t
    stock: np.ndarray  # by stock key: stock held at the start of the year, t
    # by group: expected unit value added (USD/kg), and that of the base year
    expected: np.ndarray
    base_value: np.ndarray
    decided: np.ndarray  # by pipeline row: probability it is built (NaN: not yet decided)
    held: np.ndarray  # by node: t government stockpiles hold at the start of the year
    # what each curve took the year before, as a fraction of its reference quantity: the
    # year's first windows are laid around it (mineralflow.market.windows)
    centres: Centres | None = None
    prices: np.ndarray | None = None  # by node: the year before's prices, USD/kg
    # (rule levers, nodes): the covered share of each node the year before
    covered: np.ndarray | None = None

    @staticmethod
    def start(drivers: Drivers, plan: Plan) -> YearState:
        """The state before the plan's first year."""
        inv = drivers.investors
        n_groups, n_keys = len(inv.rate), len(drivers.d0)
        horizon = len(plan.years) + int(inv.lead.max(initial=0)) + 1
        return YearState(
            index=0,
            growth_index=np.ones(n_keys),
            substitution=np.ones(n_keys),
            invested=np.zeros(n_groups),
            orders=np.zeros((horizon, n_groups)),
            stock=drivers.stock0.copy(),
            expected=inv.level.copy(),
            base_value=inv.level.copy(),
            decided=np.full(len(plan.pipeline.group), np.nan),
            held=plan.reserve.held.copy(),
        )


def _held_against(stock: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """``stock / reference`` where the reference is a finite, positive level; 1 elsewhere
    (stocks without a level, or with none to compare with)."""
    kept = np.isfinite(reference) & (reference > 0)
    return np.divide(stock, reference, out=np.ones_like(stock), where=kept)


def stock_ratio(stock: np.ndarray, stock0: np.ndarray) -> np.ndarray:
    """Stock held against the opening stock, at most 1 (1 for stocks without a level): holders
    offer their base-year schedule in proportion to what is left of it."""
    return np.minimum(_held_against(stock, stock0), 1.0)


def storage_shift(stock: np.ndarray, reference: np.ndarray, holding: np.ndarray) -> np.ndarray:
    """USD/kg by which stock holders' valuation falls when they hold more than their
    reference level (:func:`reference_stock`).

    The supply-of-storage relation (Working 1949; Brennan 1958): the more is held, the
    lower the convenience of holding one more kg against its holding cost, so holders sell
    cheaper and buy less; with little left they ask more.  The shift is the holding cost
    times ``tanh(ln(stock / reference))``: zero at the reference, at most one year's holding
    cost either way.  Stocks without a level do not shift.
    """
    squared = _held_against(stock, reference) ** 2
    return holding * (squared - 1.0) / (squared + 1.0)


def reference_stock(drivers: Drivers, years_since_base: int) -> np.ndarray:
    """The level each holder would hold on its base-year course: the opening stock, plus
    what it took up each year where the base year left it a surplus to absorb (La and Ce,
    for rare earths).  Only stock away from that course shifts the holders' valuation."""
    return drivers.stock0 + drivers.accrual * years_since_base


@dataclass(frozen=True)
class YearModel:
    """A loaded problem and the base numbers every year is set from."""

    problem: MarketProblem
    session: Session
    drivers: Drivers
    rows: CurveRows  # the calibrated curves' parameters
    edges: Edges  # the fixed edges each year is solved on first
    base_year: int  # the calibration's year
    trade_cost: np.ndarray  # transport (and tie-breaking) cost of every arc, USD/kg
    disposal_cost: np.ndarray  # cost of disposing of a kg at each node (and its tie), USD/kg
    inputs: np.ndarray  # input coefficients of the calibration
    input_process: np.ndarray  # ordinal of each input coefficient's process
    # origin tracing of the year's solution, for extraterritorial rules (None without)
    tracer: TraceLayout | None = None

    @staticmethod
    def load(
        calibration: Calibration, problem: MarketProblem, rules: Rules | None = None
    ) -> YearModel:
        curves = problem.curves(calibration.data)
        return YearModel(
            problem=problem,
            session=problem.open(calibration.data),
            drivers=Drivers.of(calibration, problem),
            rows=curves.rows,
            edges=calibration.data.edges,
            base_year=calibration.year,
            trade_cost=curves.arrays.cost[problem.layout.col("trade").span].copy(),
            disposal_cost=curves.arrays.cost[problem.layout.col("dispose").span].copy(),
            inputs=curves.inputs,
            input_process=problem.processes.get_indexer(problem.inputs["process"]),
            tracer=TraceLayout(calibration.data.network, problem) if rules else None,
        )


@dataclass(frozen=True)
class YearRecord:
    """One solved year and the quantities it was solved for."""

    raw: RawSolution
    reference_demand: np.ndarray  # by demand key, t
    capacity: np.ndarray  # by group, t
    stock: np.ndarray  # by stock key: stock held at the end of the year, t
    demand_grid: np.ndarray  # (demand keys, edges): the demand curves' edges when solved
    investment: np.ndarray  # by group: capacity ordered or decided in the year, t
    payments: np.ndarray  # by price floor: million USD paid in the year
    reserve: np.ndarray  # by node: t government stockpiles hold at the end of the year
    kept: np.ndarray  # by stock key: t exporters bought into their own stocks in the year
    rule_factors: np.ndarray  # by extraterritorial rule row: the share of supply shippable


def _year_rows(
    model: YearModel,
    plan: Plan,
    i: int,
    supply: tuple[np.ndarray, np.ndarray],
    demand: np.ndarray,
    stock: np.ndarray,
) -> CurveRows:
    """The year's curves: capacity and its normal utilisation (``supply``), output caps and
    demand of the year, and releases of at most what is held, offered in proportion to what
    is left of the opening stock."""
    base, d = model.rows, model.drivers
    release = {
        **base.release,
        "amount": base.release["amount"] * stock_ratio(stock, d.stock0),
        "cap": np.minimum(plan.release_cap[i], stock),
    }
    capacity, u0 = supply
    curves = {**base.supply, "capacity": capacity, "u0": u0, "cap": plan.output_cap[i]}
    return CurveRows(curves, {**base.use, "reference": demand}, base.absorb, release, base.route)


def _push_curves(
    model: YearModel, plan: Plan, i: int, rows: CurveRows, stock: np.ndarray
) -> Callable[[dict[str, Grid]], None]:
    """What sends the year's curves on given grids to HiGHS: supply costs scaled by the
    year's cost level, stock holders' curves shifted by the holding cost of what is held
    (:func:`storage_shift`)."""
    s, lay, d = model.session, model.problem.layout, model.drivers
    tie = model.problem.tie
    shift = storage_shift(stock, reference_stock(d, i), d.holding)

    def push(grids: dict[str, Grid]) -> None:
        for name in FAMILY_EDGES:
            block = lay.col(name)
            if not block.entities:
                continue
            widths, unit = family_blocks(rows, name, grids[name])
            cost = block.spread(unit) + tie[block.span]
            if name == "supply":
                cost = cost * np.repeat(plan.level_scale[i], block.steps)
            elif name == "absorb":
                cost = cost + np.repeat(shift, block.steps)
            elif name == "release":  # a release never pays its holder
                cost = np.maximum(cost - np.repeat(shift, block.steps), 0.0)
            s.set(name, upper=block.spread(widths) / SCALE, cost=cost)

    return push


def _push(model: YearModel, plan: Plan, i: int, factors: np.ndarray) -> None:
    """Set the year's trade, coefficients and rows (only changes reach HiGHS); ``factors``
    scale the supply side of the extraterritorial rules' rows."""
    s, lay = model.session, model.problem.layout
    s.set(
        "trade",
        upper=np.where(plan.closed[i], 0.0, INF),
        cost=model.trade_cost + plan.trade_cost[i],
    )
    rules = plan.rules
    inputs = model.inputs * plan.input_scale[i][model.input_process]
    s.set_coefficients(np.concatenate([inputs, rules.entry_base * factors[rules.entry_rule]]))
    quotas = plan.quotas[i]
    s.set_rows("export_quota", upper=np.where(np.isfinite(quotas), quotas / SCALE, INF))
    if "limit" in lay.rows:
        lo, up = plan.limit_lower[i], plan.limit_upper[i].copy()
        # a rule binds only where a covered share leaves less than the whole supply
        up[plan.rules.row[factors >= 1.0]] = np.inf
        s.set_rows(
            "limit",
            lower=np.where(np.isfinite(lo), lo / SCALE, -INF),
            upper=np.where(np.isfinite(up), up / SCALE, INF),
        )


def _capacity(model: YearModel, state: YearState, plan: Plan, invested: np.ndarray) -> np.ndarray:
    """Capacity (t) of every group in the plan's year ``state.index``: the base year's, what
    scenarios add, the decided projects' and what was ordered, at least a target's."""
    inv, i = model.drivers.investors, state.index
    projects = plan.pipeline.capacity(state.decided, len(plan.years), len(inv.rate))[i]
    built = inv.base_capacity + plan.capacity[i] + projects + invested
    return np.maximum(built, plan.capacity_min[i])


@dataclass(frozen=True)
class _Investment:
    """What a solved year's prices lead investors to: expectations, orders, decisions."""

    expected: np.ndarray  # by group, USD/kg
    base_value: np.ndarray  # by group, USD/kg
    orders: np.ndarray  # (plan year, group): capacity arriving in that year, t
    decided: np.ndarray  # by pipeline row
    committed: np.ndarray  # by group: capacity ordered or decided in the year, t


@dataclass(frozen=True)
class _Solved:
    """A year's last solve and what its policies paid and traded."""

    raw: RawSolution
    grids: dict[str, Grid]
    centres: Centres
    paid: np.ndarray  # by price floor: USD per kg of its product
    traded: np.ndarray  # by node: t government stockpiles bought (+) or sold (-)
    kept: np.ndarray  # by stock key: t exporters bought into their own stocks


def _solve(
    model: YearModel,
    plan: Plan,
    state: YearState,
    curves: tuple[CurveRows, Callable[[dict[str, Grid]], None]],
) -> _Solved:
    """Solve the plan's year on windows; with a price floor or a stockpile budget in force,
    again until what they pay and trade agrees with the prices they lead to."""
    problem, session, i = model.problem, model.session, state.index
    rows, push = curves
    # the base year is the calibration point, an edge of the fixed grid: solved on it alone
    refine = plan.years[i] != model.base_year
    own_cost = problem.activity_cost + problem.tie[problem.layout.col("activity").span]
    floors, reserve, held = plan.floors, plan.reserve, state.held
    solved: list[tuple[RawSolution, dict[str, Grid], Centres]] = []
    # a support purchase is a disposal the reserve pays the year before's price for
    support = reserve.support_price(i, state.prices)
    open_ = np.isnan(support)
    session.set(
        "dispose",
        cost=np.where(open_, model.disposal_cost, -support),
        upper=np.where(open_, INF, reserve.support[i] / SCALE),
    )

    def solve(paid: np.ndarray, trade: np.ndarray) -> np.ndarray:
        session.set("activity", cost=own_cost - floors.per_activity(paid))
        session.set_rows("balance", lower=trade / SCALE, upper=trade / SCALE)
        start = solved[-1][2] if solved else state.centres  # each round from the last
        solved.append(solve_on_windows(
            problem, session, rows, model.edges, plan.years[i], push, refine, start
        ))  # fmt: skip
        return solved[-1][0].row_dual[problem.layout.row("balance").span]

    paid, trade = np.zeros(len(floors.node)), traded(reserve.wanted(i, None), held)
    prices = solve(paid, trade)
    for _ in range(ROUNDS - 1):
        if not (floors.in_force(i) or reserve.priced(i)):
            break
        now_paid, now_trade = floors.subsidy(i, prices), traded(reserve.wanted(i, prices), held)
        if floors.agrees(i, paid, now_paid) and agree(trade, now_trade):
            break
        paid, trade = now_paid, now_trade
        prices = solve(paid, trade)
    bought = np.where(open_, 0.0, solved[-1][0].x[problem.layout.col("dispose").span])
    # exporters' own purchases join the home market's stock where it has stock holders
    own = reserve.private[i] & (model.drivers.stock_of_node >= 0)
    kept = np.zeros(len(model.drivers.stock0))
    np.add.at(kept, model.drivers.stock_of_node[own], bought[own])
    return _Solved(*solved[-1], paid, trade + np.where(own, 0.0, bought), kept)


def _solve_ruled(
    model: YearModel,
    plan: Plan,
    state: YearState,
    curves: tuple[CurveRows, Callable[[dict[str, Grid]], None]],
) -> tuple[_Solved, np.ndarray, np.ndarray | None]:
    """Solve the year (:func:`_solve`); with extraterritorial rules in force, again until
    the covered shares of the year's own flows agree with those its rule rows were set from,
    the first from the year before's, each solve's moving halfway to the last one's flows
    (at most ``ROUNDS`` solves).  Returns the solve, the
    rules' factors it was solved with and the covered shares of its flows."""
    i, rules = state.index, plan.rules
    in_force = np.isfinite(plan.limit_upper[i, rules.row])
    factors = np.where(in_force, rules.factors(state.covered), 1.0)
    for round_ in range(ROUNDS):
        _push(model, plan, i, factors)
        solved = _solve(model, plan, state, curves)
        if model.tracer is None:
            return solved, factors, None
        covered = rules.covered(model.tracer, solved.raw.x)
        now = np.where(in_force, rules.factors(covered), 1.0)
        if round_ == ROUNDS - 1 or np.allclose(now, factors, rtol=0.0, atol=RULE_TOLERANCE):
            break
        # halfway: a plant that sheds its covered inputs once restricted would otherwise
        # flip between the two solves; the mix it settles at lies between them
        factors = 0.5 * (factors + now)
    return solved, factors, covered


def _invest(
    model: YearModel,
    state: YearState,
    plan: Plan,
    solved: tuple[RawSolution, np.ndarray],
    capacity: np.ndarray,
) -> _Investment:
    """Update expectations from the year's value added (with what price floors pay, USD per
    kg of activity, in ``solved``); expand groups whose expected value added exceeds their
    full cost; decide the projects due (:mod:`mineralflow.investment`)."""
    inv, i = model.drivers.investors, state.index
    raw, paid = solved
    realised = model.problem.value_added(raw, paid)
    if i == 0:  # the calibration prices: producing groups earn their cost level exactly
        produced = (inv.base_capacity > 0) & np.isfinite(realised)
        expected = np.where(produced, inv.level, realised)
        base_value = expected
    else:
        expected = expect(state.expected, realised, inv.weight)
        base_value = state.base_value
    scale = plan.level_scale[i]
    excess = excess_return(expected, inv.level * scale, inv.charge)
    ordered = expansion(capacity, inv.rate, excess)
    orders = state.orders.copy()
    arrival = np.minimum(i + inv.lead, len(orders) - 1)
    np.add.at(orders, (arrival, np.arange(len(capacity))), ordered)
    # a project's expected return changes with its region's value added and with its costs
    change = (expected - base_value - inv.level * (scale - plan.level_scale[0])) / inv.charge
    pipeline = plan.pipeline
    decided = decide_projects(pipeline, state.decided, i, change, inv.response)
    # decisions the run takes (those taken before it, counted in its first year, are not)
    now = np.isnan(state.decided) & np.isfinite(decided) & (i > 0)
    committed = ordered.copy()
    np.add.at(committed, pipeline.group[now], (pipeline.size * decided)[now])
    return _Investment(expected, base_value, orders, decided, committed)


def step(model: YearModel, state: YearState, plan: Plan) -> tuple[YearState, YearRecord]:
    """Solve the plan's year ``state.index`` and carry demand and investment to the next."""
    i, d = state.index, model.drivers
    inv = d.investors
    growth_index, invested = state.growth_index, state.invested
    if i > 0:
        growth_index = growth_index * (1.0 + plan.growth[i])
        invested = invested + state.orders[i]
    capacity = _capacity(model, state, plan, invested)
    demand = d.d0 * growth_index * state.substitution
    u0 = utilisation(inv.base_u0, inv.base_capacity, capacity, inv.normal)
    rows = _year_rows(model, plan, i, (capacity, u0), demand, state.stock)
    push = _push_curves(model, plan, i, rows, state.stock)
    solved, factors, covered = _solve_ruled(model, plan, state, (rows, push))
    raw, grids, centres, paid = solved.raw, solved.grids, solved.centres, solved.paid
    held = state.held + solved.traded
    lay = model.problem.layout
    stock_change = lay.col("absorb").totals(raw.x) - lay.col("release").totals(raw.x)
    stock = np.maximum(state.stock + stock_change + solved.kept, 0.0)
    floors = plan.floors
    invest = _invest(model, state, plan, (raw, floors.per_activity(paid)), capacity)
    # substitution answers this year's basket price from next year, closing the stage's
    # share of the gap to the long-run response each year
    prices = raw.row_dual[lay.row("balance").span]
    price = model.problem.basket @ prices
    target = np.clip(np.maximum(price / d.p0, 1e-3) ** d.eta_gap, *SUBSTITUTION_BOUNDS)
    substitution = state.substitution ** (1.0 - d.adjust) * target**d.adjust
    after = YearState(
        index=i + 1,
        growth_index=growth_index,
        substitution=substitution,
        invested=invested,
        orders=invest.orders,
        stock=stock,
        expected=invest.expected,
        base_value=invest.base_value,
        decided=invest.decided,
        held=held,
        centres=centres,
        prices=prices,
        covered=covered,
    )
    demand_grid = grid_rows(grids["use"], "demand", len(demand)).copy()
    payments = floors.payments(paid, raw.x[lay.col("activity").span])
    record = YearRecord(
        raw, demand, capacity, stock, demand_grid, invest.committed, payments, held, solved.kept,
        factors,
    )  # fmt: skip
    return after, record


def _model(calibration: Calibration, plan: Plan) -> YearModel:
    """The year model of ``plan``: the calibrated problem with the plan's limit rows (those
    of extraterritorial rules with a supply side that changes by year)."""
    rules = plan.rules
    scaled = (rules.row[rules.entry_rule], rules.entry_col, rules.entry_base)
    problem = calibration.problem.with_limits(plan.limits, plan.limit_names, scaled)
    return YearModel.load(calibration, problem, rules)


def state_at(calibration: Calibration, plan: Plan, year: int) -> YearState:
    """What carries into ``year`` when every earlier year of ``plan`` is solved."""
    model = _model(calibration, plan)
    state = YearState.start(model.drivers, plan)
    while plan.years[state.index] < year:
        state, _ = step(model, state, plan)
    return state


def year_solves(calibration: Calibration, plan: Plan, state: YearState) -> bool:
    """Whether the plan's year ``state.index`` can be solved from ``state``."""
    try:
        step(_model(calibration, plan), state, plan)
    except InfeasibleError:
        return False
    return True


def simulate(
    pack: Pack,
    years: tuple[int, int],
    *,
    base_year: int | None = None,
    calibration: Calibration | None = None,
    plan: Plan | None = None,
    progress: Callable[[int], None] | None = None,
) -> Run:
    """Calibrate to the base year (unless given) and solve every year to ``years[1]``.

    ``plan`` holds the run's inputs by year (default: the pack's own, :func:`base_plan`).
    """
    started, in_highs = time.perf_counter(), highs_seconds()
    base = pack.manifest.base_year if base_year is None else base_year
    cal = calibration or calibrate(pack, build_network(pack, base), base)
    run_years = list(range(cal.year, years[1] + 1))
    plan = base_plan(pack, cal, run_years) if plan is None else plan
    if plan.years[: len(run_years)] != run_years:
        raise ValueError("the plan's years do not match the run's")
    model = _model(cal, plan)
    state = YearState.start(model.drivers, plan)
    run = Run(pack, cal.data.network, cal, model.problem, [], {}, {}, {})
    run.floors = plan.floors
    for year in run_years:
        state, record = step(model, state, plan)
        run.raw[year] = record.raw
        run.reference_demand[year] = record.reference_demand
        run.capacity[year] = record.capacity
        run.stock[year] = record.stock
        run.demand_grid[year] = record.demand_grid
        run.investment[year] = record.investment
        run.payments[year] = record.payments
        run.reserve[year] = record.reserve
        run.kept[year] = record.kept
        run.rule_factors[year] = record.rule_factors
        run.years.append(year)
        if progress is not None:
            progress(year)
    run.wall_seconds = time.perf_counter() - started
    run.solver_seconds = highs_seconds() - in_highs
    return run
