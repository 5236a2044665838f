"""Calibration of the market to a base year (positive mathematical programming).

1. Base quantities: each group's output from ``production.csv`` (mining split across deposit
   classes by ``mine_feed.csv``), each sector's demand from ``demand.csv``.
2. Reference prices at the main producer ("anchor"): published prices where the pack has
   them; otherwise cost-plus from inputs (metals, magnets) or netback from outputs
   (concentrates), using the anchor's operating cost of the stage.
3. Reconciliation: a least-cost flow LP with every output and demand fixed finds trade flows
   and the stock changes that close each node's balance.  Its duals give each region's price
   offset from the anchor, consistent with the trade costs.
4. Curves through the base point: each group's marginal cost equals its value added at the
   base-year prices (PMP), each sector's inverse demand passes through its demand and basket
   price, and stock holders absorb (or release) the base-year stock change at the base price.

By construction the base-year quantities and prices are an equilibrium of the calibrated
model, so re-solving the base year reproduces them up to the block resolution.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import highspy
import numpy as np
import pandas as pd

from mineralflow.contracts import floors
from mineralflow.data.pack import Pack
from mineralflow.market.curves import DEFAULT_EDGES, Edges
from mineralflow.market.errors import CalibrationError
from mineralflow.market.problem import INF, SCALE, MarketData, MarketProblem
from mineralflow.market.routes import (
    largest_sources,
    published_routes,
    route_prices,
    route_targets,
)
from mineralflow.market.session import Arrays
from mineralflow.network import AGGREGATES, Network, nearest_year, parameter_table
from mineralflow.policies import tariff_costs

SINK_COST = 0.001  # USD/kg: a tiny cost so that stocks absorb only what nothing else takes
RELEASE_COST = 1000.0  # USD/kg: releases only close balances that nothing else can close
PREMIUM_TOLERANCE = 1e-3  # USD/kg: route duals below it are the tie-breaking costs' noise


#: parameters.csv entries (and the uncertain projects) that the calibration does not read:
#: only the years after it (investment, the project pipeline, demand adjustment) do, so a
#: change to them alone keeps the calibration (tests/test_ensemble.py checks that the
#: results agree)
AFTER_CALIBRATION = frozenset({
    "investment_rate", "capital_cost", "capital_recovery", "expectation_weight",
    "project_response", "lead_time", "ramp_years", "demand_adjustment", "project_goes_ahead",
})  # fmt: skip


@dataclass
class Calibration:
    """The calibrated base year: market data plus the reference points it passes through."""

    year: int
    data: MarketData
    base_production: pd.Series  # by group, t
    base_prices: pd.Series  # by (region, product), USD/kg
    reference_prices: pd.Series  # by product, at its reference market
    anchor: dict[str, str]  # stage -> region
    long_eta: pd.Series  # by sector: long-run demand elasticity
    entry_level: pd.Series  # by group: cost level of new capacity (USD/kg)
    stage_params: pd.DataFrame  # by stage: model parameters
    gaps: pd.Series  # by (region, stage): technology gap
    problem: MarketProblem  # the LP structure of the network, ready to be loaded


def elasticity(pack: Pack, scope: str, kind: str, horizon: str) -> float:
    table = pack.table("elasticities")
    lookup = {
        (str(s), str(k), str(h)): float(v)
        for s, k, h, v in zip(
            table["scope"], table["kind"], table["horizon"], table["value"], strict=True
        )
    }
    value = lookup.get((scope, kind, horizon))
    if value is None:
        raise CalibrationError(
            f"elasticities.csv of pack '{pack.name}' has no {horizon}-run {kind} elasticity "
            f"for '{scope}'"
        )
    return value


def base_production(pack: Pack, network: Network, year: int) -> pd.Series:
    """Output of each group in the base year, t (latest edition of each figure)."""
    prod = pack.select("production", year=year)
    prod = prod[~prod["region"].isin(AGGREGATES)]
    totals = prod.groupby(["region", "stage"])["value"].sum()
    first = network.stages[0]
    out = pd.Series(0.0, index=network.groups.index)
    feed = pack.table("mine_feed") if first.kind == "deposits" else None
    for group, row in network.groups.iterrows():
        total = float(totals.get((row["region"], row["stage"]), 0.0))
        if feed is not None and row["stage"] == first.name:
            shares = nearest_year(feed[feed["region"] == row["region"]], year)
            share = shares.loc[shares["deposit"] == row["variant"], "share"]
            total *= float(share.iloc[0]) if len(share) else 0.0
        out[group] = total
    return out


def base_demand(pack: Pack, network: Network, year: int) -> pd.Series:
    rows = pack.select("demand", year=year)
    return rows.set_index(["region", "sector"])["value"].groupby(level=[0, 1]).sum()


def technology_gaps(pack: Pack) -> pd.Series:
    if "technology" not in pack.tables:
        return pd.Series(dtype=float)
    t = pack.table("technology")
    return t.set_index(["region", "stage"])["gap"].astype(float)


def _margins(pack: Pack, network: Network, anchor: dict[str, str], year: int) -> dict[str, float]:
    costs = pack.table("costs") if "costs" in pack.tables else pd.DataFrame()
    out: dict[str, float] = {}
    for stage in network.stages:
        if costs.empty:
            continue
        if stage.name not in anchor:
            continue
        rows = costs[
            (costs["region"] == anchor[stage.name])
            & (costs["stage"] == stage.name)
            & (costs["cost_type"] == "operating")
        ]
        if len(rows):
            before = rows[rows["year"] <= year]
            pick = before if len(before) else rows
            out[stage.name] = float(pick.sort_values("year")["value"].iloc[-1])
    return out


@dataclass(frozen=True)
class _Recipe:
    """One anchor process: its stage, outputs and inputs as (product, t per unit) pairs."""

    stage: str
    outs: list[tuple[str, float]]
    ins: list[tuple[str, float]]  # t taken per unit, positive


def _cost_plus(
    recipe: _Recipe,
    price: dict[str, float],
    market: dict[str, str],
    anchor: dict[str, str],
    margin: Callable[[str, str], float],
) -> bool:
    """Price a process's one output from its priced inputs plus the stage's margin."""
    outs, ins = recipe.outs, recipe.ins
    if not (len(outs) == 1 and outs[0][0] not in price and ins and all(p in price for p, _ in ins)):
        return False
    product, per_unit = outs[0]
    cost = sum(q * price[p] for p, q in ins)
    price[product] = (cost + margin(recipe.stage, product)) / per_unit
    market[product] = anchor[recipe.stage]
    return True


def _netback(
    recipe: _Recipe,
    price: dict[str, float],
    market: dict[str, str],
    anchor: dict[str, str],
    margin: Callable[[str, str], float],
    network: Network,
) -> bool:
    """Price a process's one input from its priced outputs less the stage's margin."""
    outs, ins = recipe.outs, recipe.ins
    if not (len(ins) == 1 and ins[0][0] not in price and all(p in price for p, _ in outs)):
        return False
    product, per_unit = ins[0]
    value = sum(q * price[p] for p, q in outs)
    net = value - margin(recipe.stage, product)
    price[product] = max(net, 0.1 * value) / per_unit
    market[product] = anchor[str(network.products.loc[product, "stage"])]
    return True


def _recipes(coef: pd.DataFrame) -> list[_Recipe]:
    """The anchor processes' coefficients, as plain lists, in process order."""
    out = []
    for _, rows in coef.groupby("process", sort=True):
        pairs = list(zip(rows["product"].astype(str), rows["coeff"].astype(float), strict=True))
        out.append(
            _Recipe(
                str(rows["stage"].iloc[0]),
                [(p, q) for p, q in pairs if q > 0],
                [(p, -q) for p, q in pairs if q < 0],
            )
        )
    return out


def reference_prices(
    pack: Pack, network: Network, anchor: dict[str, str], year: int
) -> tuple[pd.Series, pd.Series]:
    """Base-year price of every product and the market it refers to."""
    prices = pack.select("prices", year=year)
    prices = prices[prices["basis"] == "annual average"]
    price: dict[str, float] = {}
    market: dict[str, str] = {}
    for row in prices.itertuples():
        product = str(row.product)
        if product in network.products.index:
            price[product] = float(row.value)
            stage = str(network.products.loc[product, "stage"])
            market[product] = anchor[stage] if row.market == "WLD" else str(row.market)
    margins = _margins(pack, network, anchor, year)
    coef = network.coefficients.merge(
        network.processes[["region", "stage"]], left_on="process", right_index=True
    )
    coef = coef[coef["region"] == coef["stage"].map(anchor)]
    recipes = _recipes(coef)

    def margin(stage: str, product: str) -> float:
        if stage not in margins:
            raise CalibrationError(
                f"product '{product}' has no {year} price in prices.csv of pack '{pack.name}', "
                f"and costs.csv has no operating cost of stage '{stage}' in "
                f"{anchor[stage]} to derive it from"
            )
        return margins[stage]

    for _ in range(len(network.stages) + 1):
        changed = False
        for recipe in recipes:
            changed |= _cost_plus(recipe, price, market, anchor, margin)
        for recipe in recipes:
            changed |= _netback(recipe, price, market, anchor, margin, network)
        if not changed:
            break
    missing = [p for p in network.products.index if p not in price]
    if missing:
        raise CalibrationError(
            f"no {year} price for {', '.join(missing)} in prices.csv of pack '{pack.name}', "
            "and none can be derived from neighbouring products and costs"
        )
    return pd.Series(price), pd.Series(market)


def _anchors(network: Network, q0: pd.Series) -> dict[str, str]:
    out = {}
    by = q0.groupby([network.groups["region"], network.groups["stage"]]).sum()
    for stage in network.stages:
        part = by.xs(stage.name, level=1) if stage.name in by.index.get_level_values(1) else None
        if part is None or part.max() <= 0:
            if stage.kind == "recycled":  # no recycling recorded that year: nothing to anchor
                continue
            raise CalibrationError(f"no region produces at stage '{stage.name}' in the base year")
        out[stage.name] = str(part.idxmax())
    return out


@dataclass
class _BaseYear:
    """Step 1: the base year's published quantities and reference prices."""

    params: pd.DataFrame
    q0: pd.Series  # by group, t
    d0: pd.Series  # by demand key, t
    anchor: dict[str, str]
    ref_price: pd.Series
    ref_market: pd.Series
    gaps: pd.Series


def _base_year(pack: Pack, network: Network, year: int) -> _BaseYear:
    """Base quantities (output by group, demand by key) and reference prices."""
    params = parameter_table(pack, [s.name for s in network.stages])
    q0 = base_production(pack, network, year)
    anchor = _anchors(network, q0)
    ref_price, ref_market = reference_prices(pack, network, anchor, year)
    d0 = base_demand(pack, network, year)
    missing = d0.index.difference(network.demand.index)
    if len(missing):
        raise CalibrationError(f"demand rows {list(missing)} are not in the network")
    d0 = d0.reindex(network.demand.index).fillna(0.0)
    return _BaseYear(params, q0, d0, anchor, ref_price, ref_market, technology_gaps(pack))


def _gap_of(gaps: pd.Series, frame: pd.DataFrame) -> pd.Series:
    """Technology gap of each row's (region, stage), 0 where technology.csv gives none."""
    pairs = zip(frame["region"], frame["stage"], strict=True)
    return pd.Series([float(gaps.get(p, 0.0)) for p in pairs], index=frame.index)


def _reconciliation_data(pack: Pack, network: Network, base: _BaseYear, year: int) -> MarketData:
    """Market data for the reconciliation LP: every node may absorb or release."""
    params = base.params
    stage_of = network.groups["stage"]
    proc_gap = _gap_of(base.gaps, network.processes)
    loss = network.processes["stage"].map(params["gap_yield_loss"])
    coef = network.coefficients.merge(
        network.processes[["region"]], left_on="process", right_index=True
    )
    baskets = base.d0.reset_index().merge(network.baskets, on="sector")
    nodes = pd.concat(
        [coef[["region", "product"]], baskets[["region", "product"]]]
    ).drop_duplicates()
    all_stocks = pd.DataFrame(
        {
            "absorb": 1.0,
            "absorb_price": 1.0,
            "release": 1.0,
            "release_price": 1.0,
            "elasticity": 1.0,
        },
        index=pd.MultiIndex.from_frame(nodes),
    )
    eps = pd.Series(
        [elasticity(pack, s, "supply", "short") for s in stage_of], index=network.groups.index
    )
    normal = stage_of.map(params["base_utilisation"]).astype(float)
    capacity = _base_capacity(pack, network, base.q0, normal, year)
    u0 = pd.Series(
        np.where(capacity > 0, (base.q0 / capacity).clip(upper=1.0), normal), index=normal.index
    )
    eta = pd.Series(
        [elasticity(pack, s, "demand", "short") for s in network.demand.index.get_level_values(1)],
        index=network.demand.index,
    )
    groups = pd.DataFrame(
        {
            "region": network.groups["region"],
            "stage": stage_of,
            "capacity": capacity,
            "level": 1.0,
            "u0": u0.where(u0 > 0, normal),
            "eps": eps,
        }
    )
    return MarketData(
        network=network,
        groups=groups,
        demand=pd.DataFrame({"reference": base.d0, "price": 1.0, "eta": eta}),
        stocks=all_stocks,
        disposal=network.products["stage"].map(params["disposal_cost"]),
        transport=_transport(network, params, base.ref_price),
        input_scale=1.0 / (1.0 - proc_gap * loss),
    )


def _transport(network: Network, params: pd.DataFrame, ref_price: pd.Series) -> pd.Series:
    """USD/kg of moving each product between two regions: the stage's cost per kg plus a
    share of the product's value (insurance, financing and security of the cargo), so a
    kg of terbium costs more to ship than a kg of lanthanum."""
    stage = network.products["stage"]
    value = ref_price.reindex(network.products.index).fillna(0.0)
    return stage.map(params["transport_cost"]) + stage.map(params["transport_value_share"]) * value


def _base_prices(
    recon: MarketProblem,
    flows: dict[str, pd.Series],
    duals: np.ndarray,
    base: _BaseYear,
    data: MarketData,
) -> pd.Series:
    """Every node's base price: its reference price plus the spatial offset of the duals."""
    node_index = recon.nodes
    products = node_index.get_level_values(1)
    transport = data.transport
    pi = pd.Series(duals, index=node_index)
    ref_node = pd.MultiIndex.from_arrays([base.ref_market.reindex(products).to_numpy(), products])
    anchor_pi = pi.reindex(ref_node).to_numpy()
    anchor_pi = np.where(np.isnan(anchor_pi), pi.groupby(level=1).transform("mean"), anchor_pi)
    reach = 3 * transport.reindex(products).to_numpy()
    offset = np.clip(pi.to_numpy() - anchor_pi, -reach, reach)
    prices = pd.Series(base.ref_price.reindex(products).to_numpy() + offset, index=node_index)
    return _import_parity(prices, recon, flows, recon.coef, transport)


def _supply_levels(
    network: Network, data: MarketData, base: _BaseYear, prices: pd.Series
) -> tuple[pd.Series, pd.Series]:
    """PMP cost levels by group (value added at base prices) and entrants' levels."""
    coef = network.coefficients.merge(
        network.processes[["region"]], left_on="process", right_index=True
    )
    scale = coef["process"].map(data.input_scale)
    coeff = np.where(coef["coeff"] < 0, coef["coeff"] * scale, coef["coeff"])
    at = pd.MultiIndex.from_arrays([coef["region"], coef["product"]])
    value = pd.Series(coeff * prices.reindex(at).to_numpy(), index=coef.index)
    va_process = value.groupby(coef["process"]).sum()
    va_process = va_process - network.processes["extra_cost"].reindex(va_process.index)
    # the best variant sets a group's margin: in equilibrium no idle variant may beat it
    level = va_process.groupby(network.processes["group"]).max().reindex(network.groups.index)
    # entrants and idle groups: the anchor's value added, raised by the technology gap
    stage_of = network.groups["stage"]
    ref_va = va_process.groupby(network.processes["stage"]).median()
    variant_va = _variant_reference(network, va_process, base.anchor)
    first = network.stages[0].name
    variants = network.products["variant"]
    for product in network.stage_products(first):
        if variants[product]:
            variant_va.setdefault((first, variants[product]), float(base.ref_price[product]))
    gap = _gap_of(base.gaps, network.groups)
    entry = pd.Series(
        [
            variant_va.get((s, v), ref_va.get(s, 1.0))
            for s, v in zip(stage_of, network.groups["variant"], strict=True)
        ],
        index=network.groups.index,
    ) * (1.0 + gap * stage_of.map(base.params["gap_cost_factor"]))
    floor = 0.05 * stage_of.map(ref_va).abs()
    level = level.where(level.notna() & (base.q0 > 0), entry)
    return level.clip(lower=floor), entry


def _demand_curves(
    network: Network, data: MarketData, base: _BaseYear, prices: pd.Series
) -> pd.DataFrame:
    """Each sector's demand curve through its base demand and basket price."""
    baskets = base.d0.reset_index().merge(network.baskets, on="sector")
    at = pd.MultiIndex.from_arrays([baskets["region"], baskets["product"]])
    value = baskets["coeff"] * prices.reindex(at).to_numpy()
    basket_price = value.groupby([baskets["region"], baskets["sector"]]).sum()
    d0 = base.d0
    cap = network.demand["stage"].reindex(d0.index).map(base.params["max_price_multiple"])
    return pd.DataFrame(
        {
            "reference": d0,
            "price": basket_price.reindex(d0.index),
            "eta": data.demand["eta"],
            "cap": cap,
        }
    )


def _stocks(
    network: Network, flows: dict[str, pd.Series], base: _BaseYear, prices: pd.Series
) -> pd.DataFrame:
    """Stock holders' curves: what the reconciliation absorbed or released, and a turnover."""
    absorbed = flows["absorb"].copy()
    released = flows["release"].copy()
    # stock holders at each product's reference market trade a small turnover both ways, so
    # that every price is pinned near its reference even where baskets make it degenerate
    coef = network.coefficients
    made = coef[coef["coeff"] > 0]
    output = made["coeff"] * made["process"].map(flows["activity"])
    stage_of = network.products["stage"]
    turnover = stage_of.map(base.params["stock_turnover"])
    for product_key, amount in output.groupby(made["product"]).sum().items():
        product = str(product_key)
        node = (str(base.ref_market[product]), product)
        if node in absorbed.index and amount > 0:
            absorbed[node] += float(turnover[product]) * amount
            released[node] += float(turnover[product]) * amount
    keep = (absorbed > 1e-3) | (released > 1e-3)
    node_price = prices.reindex(absorbed.index).clip(lower=0.01)
    products = absorbed.index.get_level_values(1)
    stage_params = base.params.reindex(stage_of.reindex(products).to_numpy())
    through = _throughput(network, flows, base).reindex(absorbed.index).fillna(0.0)
    cover = stage_params["stock_cover"].to_numpy(float)
    # the opening stock holds the base year's draws and the cover on top
    level = np.where(
        np.isinf(cover), np.inf, released.to_numpy(float) + cover * through.to_numpy(float)
    )
    holding = stage_params["holding_cost"].to_numpy(float) * node_price.to_numpy(float)
    keep_at = keep.to_numpy()
    return pd.DataFrame(
        {
            "absorb": absorbed[keep],
            "absorb_price": node_price[keep],
            "release": released[keep],
            "release_price": node_price[keep],
            "elasticity": stage_params["stock_elasticity"].to_numpy(float)[keep_at],
            "level": level[keep_at],
            "holding": holding[keep_at],
        }
    )


def _throughput(network: Network, flows: dict[str, pd.Series], base: _BaseYear) -> pd.Series:
    """t of each node's product used there in the base year (by processes and buyers), or
    made there where nothing uses it: what a stock cover is counted in."""
    coef = network.coefficients.merge(
        network.processes[["region"]], left_on="process", right_index=True
    )
    amount = coef["coeff"] * coef["process"].map(flows["activity"]).to_numpy(float)
    at = [coef["region"], coef["product"]]
    used = (-amount.where(coef["coeff"] < 0, 0.0)).groupby(at).sum()
    made = amount.where(coef["coeff"] > 0, 0.0).groupby(at).sum()
    baskets = base.d0.rename("amount").reset_index().merge(network.baskets, on="sector")
    bought = (
        (baskets["amount"] * baskets["coeff"])
        .groupby([baskets["region"], baskets["product"]])
        .sum()
    )
    used = used.add(bought, fill_value=0.0)
    return used.where(used > 0, made.reindex(used.index).fillna(0.0)).combine_first(made)


def calibrate(pack: Pack, network: Network, year: int, edges: Edges = DEFAULT_EDGES) -> Calibration:
    """Calibrate ``network`` to ``year``: the steps of the module docstring, in order.

    ``edges`` sets the resolution of every curve (docs/validation.md, convergence study).
    """
    base = _base_year(pack, network, year)
    published = published_routes(pack, base.params["route_elasticity"], year)
    recon_data = replace(
        _reconciliation_data(pack, network, base, year),
        edges=edges,
        routes=_open_routes(published.index),
    )
    recon = MarketProblem(recon_data)
    duties = tariff_costs(pack, recon.arcs, network.products["stage"], base.ref_price, [year])
    if duties.any():
        recon_data = replace(recon_data, trade_cost=pd.Series(duties[0], index=recon.arcs))
    fixed = (base.q0, base.d0, floors(pack, recon, year))
    market, reference = base.ref_market.to_dict(), base.ref_price.to_dict()
    solution = _reconcile(recon, recon_data, fixed, market, reference)
    if solution is None:
        raise CalibrationError(f"the {year} base quantities cannot be reconciled")
    recon_data, solution = _reconcile_routes(
        (network, base, year, published), recon, recon_data, solution, (fixed, market, reference)
    )
    flows, duals = solution
    prices = _base_prices(recon, flows, duals, base, recon_data)
    level, entry = _supply_levels(network, recon_data, base, prices)
    data = replace(
        recon_data,
        groups=recon_data.groups.assign(level=level),
        demand=_demand_curves(network, recon_data, base, prices),
        stocks=_stocks(network, flows, base, prices),
        quota_stage=export_quota_stage(pack),
        routes=_route_curves(network, recon_data, flows, base, prices),
    )
    sectors = sorted(set(base.d0.index.get_level_values(1)))
    long_eta = pd.Series({s: elasticity(pack, s, "demand", "long") for s in sectors})
    return Calibration(
        year=year,
        data=data,
        base_production=base.q0,
        base_prices=prices,
        reference_prices=base.ref_price,
        anchor=base.anchor,
        long_eta=long_eta,
        entry_level=entry,
        stage_params=base.params,
        gaps=base.gaps,
        problem=_structure(data),
    )


def _open_routes(routes: pd.Index) -> pd.DataFrame:
    """Routes the reconciliation leaves free (no target, no premium)."""
    return pd.DataFrame(
        {"target": 0.0, "at_least": True, "targeted": False, "premium": 0.0, "price": 0.0,
         "elasticity": 1.0, "floor": 0.0},
        index=routes,
    )  # fmt: skip


def _reconcile_routes(
    context: tuple[Network, _BaseYear, int, pd.DataFrame],
    recon: MarketProblem,
    data: MarketData,
    solution: tuple[dict[str, pd.Series], np.ndarray],
    args: tuple,
) -> tuple[MarketData, tuple[dict[str, pd.Series], np.ndarray]]:
    """The reconciliation again with the published trade routes held at their targets
    (mineralflow.market.routes); unchanged where the pack calibrates no route."""
    network, base, year, published = context
    makers = network.groups.loc[base.q0.reindex(network.groups.index).fillna(0.0) > 0]
    targets = route_targets(
        published, solution[0]["trade"], network.products["stage"],
        pd.MultiIndex.from_frame(makers[["region", "stage"]]),
    )  # fmt: skip
    if not len(targets):
        return replace(data, routes=None), solution
    routes = _open_routes(published.index)
    routes.loc[targets.index, ["target", "at_least", "targeted"]] = [0.0, False, True]
    routes.loc[targets.index, "target"] = targets
    data = replace(data, routes=routes)
    found = _reconcile(recon, data, *args)
    # a largest source whose exact target prices its importer above it takes the residual
    if found is not None:
        premium = -found[0]["route_dual"].reindex(targets.index)
        relax = largest_sources(targets) & (premium > PREMIUM_TOLERANCE)
        if relax.any():
            routes.loc[relax.index[relax], "at_least"] = True
            data = replace(data, routes=routes)
            found = _reconcile(recon, data, *args)
    if found is None:
        raise CalibrationError(_unreconciled_routes(year, targets))
    return data, found


def _unreconciled_routes(year: int, targets: pd.Series) -> str:
    """The message for published flows the base year's supply and demand cannot carry."""
    listed = "; ".join(
        f"{route[0]} -> {route[1]} {route[2]}: {value:,.0f} t" for route, value in targets.items()
    )
    return (
        f"the {year} base quantities cannot be reconciled with the published trade flows "
        f"({listed}): an exporter cannot ship more than it makes, nor an importer take more "
        "than it uses and re-exports; correct trade.csv or import_sources.csv, or remove "
        "the stage's route_elasticity (parameters.csv) to leave its trade least-cost"
    )


def _route_curves(
    network: Network,
    data: MarketData,
    flows: dict[str, pd.Series],
    base: _BaseYear,
    prices: pd.Series,
) -> pd.DataFrame | None:
    """The calibrated routes: base-year flow, premium (the reconciliation's dual of the
    route), delivered price, elasticity and floor: minus the route's transport cost and
    base-year duty, so that no shipment is paid for its own sake."""
    if data.routes is None:
        return None
    # the largest sources' routes carry what the reconciliation gave them (at least the target)
    targeted = data.routes.index[data.routes["targeted"].to_numpy(bool)]
    routes = flows["route"].reindex(targeted).rename("target").to_frame()
    stage = routes.index.get_level_values("stage")
    stage_of = network.products["stage"]
    # the route's column enters its row with -1: at the target its premium equals minus
    # the row's dual, as the reconciliation's fixed shipments priced it
    routes["premium"] = -flows["route_dual"].reindex(routes.index).to_numpy()
    routes["price"] = route_prices(flows["trade"], prices, stage_of).reindex(routes.index)
    routes["elasticity"] = base.params["route_elasticity"].reindex(stage).to_numpy(float)
    transport = data.transport.groupby(stage_of).max().reindex(stage).to_numpy(float)
    routes["floor"] = -(transport + _route_duties(data, stage_of).reindex(routes.index).fillna(0.0))
    return routes


def _route_duties(data: MarketData, stage_of: pd.Series) -> pd.Series:
    """The highest base-year duty (USD/kg) on each route's arcs (empty without duties)."""
    if data.trade_cost is None:
        return pd.Series(dtype=float)
    frame = data.trade_cost.rename("duty").reset_index()
    frame["stage"] = stage_of.reindex(frame["product"]).to_numpy()
    return frame.groupby(["exporter", "importer", "stage"])["duty"].max()


def _import_parity(
    prices: pd.Series,
    problem: MarketProblem,
    flows: dict[str, pd.Series],
    coef: pd.DataFrame,
    transport: pd.Series,
) -> pd.Series:
    """Price nodes that neither make nor receive a product at its cheapest delivered cost.

    Such a node's dual is not pinned by any flow; the equilibrium value is the import parity
    price, so that no idle process there looks more profitable than it would be.
    """
    trade = flows["trade"]
    inflow = trade.groupby(level=[1, 2]).sum()
    made = set(
        zip(
            coef.loc[coef["coeff"] > 0, "region"],
            coef.loc[coef["coeff"] > 0, "product"],
            strict=True,
        )
    )
    arcs = trade.index.to_frame(index=False)
    arcs["delivered"] = (
        prices.reindex(pd.MultiIndex.from_arrays([arcs["exporter"], arcs["product"]])).to_numpy()
        + transport.reindex(arcs["product"]).to_numpy()
    )
    parity = arcs.groupby(["importer", "product"])["delivered"].min()
    out = prices.copy()
    for node, value in parity.items():
        if node in made or inflow.get(node, 0.0) > 1e-6 or node not in out.index:
            continue
        out[node] = value
    return out


def _structure(data: MarketData) -> MarketProblem:
    """The LP structure of the calibrated network, with the base-year arrays computed."""
    problem = MarketProblem(data)
    problem.curves(data)
    return problem


def export_quota_stage(pack: Pack) -> str | None:
    """The stage export quotas are written in (they cover it and every later stage)."""
    if "quotas" not in pack.tables:
        return None
    table = pack.table("quotas")
    stages = table.loc[table["kind"] == "export", "stage"]
    return str(stages.iloc[0]) if len(stages) else None


def _variant_reference(network: Network, va: pd.Series, anchor: dict[str, str]) -> dict:
    """Value added of each (stage, variant) process in its anchor region."""
    procs = network.processes
    out = {}
    for pid, row in procs.iterrows():
        if row["region"] == anchor.get(row["stage"]) and pid in va.index:
            out[(row["stage"], row["variant"])] = float(va[pid])
    return out


def _base_capacity(
    pack: Pack, network: Network, q0: pd.Series, u0: pd.Series, year: int
) -> pd.Series:
    """Capacity of each group: published capacity where known, else output / utilisation.

    The published figure is that of the latest year up to ``year``, else of the first year
    after it (capacity is often published for the year after the latest output figures).
    """
    cap = q0 / u0
    if "capacity" in pack.tables:
        table = pack.select("capacity")
        after = table["year"] > year
        # the years after it rank below those up to it, the earliest after it highest of them
        rank = np.where(after, -table["year"], table["year"])
        table = table.assign(rank=rank).sort_values("rank", kind="stable")
        latest = table.groupby(["region", "stage"])["value"].last()
        for group, row in network.groups.iterrows():
            known = latest.get((row["region"], row["stage"]))
            if known is not None and row["variant"] == "" and known >= q0[group] > 0:
                cap[group] = float(known)
    return cap


def _hold_routes(problem: MarketProblem, data: MarketData, arrays: Arrays) -> None:
    """Published flows: each route's shipments held at its target (at least, where the
    route is marked ``at_least``), with no premium (in place)."""
    route = problem.layout.col("route")
    if not route.entities:
        return
    first = route.at(np.arange(route.entities), 0)
    arrays.upper[route.span] = arrays.cost[route.span] = 0.0
    r = data.routes.reindex(route.index)  # type: ignore[union-attr]
    arrays.lower[first] = r["target"].to_numpy() / SCALE
    arrays.upper[first] = np.where(r["at_least"].to_numpy(bool), INF, arrays.lower[first])


def _reconcile(
    problem: MarketProblem,
    data: MarketData,
    fixed: tuple[pd.Series, pd.Series, np.ndarray],
    market: dict[str, str],
    reference: dict[str, float],
) -> tuple[dict[str, pd.Series], np.ndarray] | None:
    """Least-cost flows with outputs and demand fixed and the contracted routes at least at
    their floors (``fixed``: output by group, demand by key, t by arc); returns flows and
    node duals."""
    q0, d0, floor = fixed
    lay = problem.layout
    arrays = problem.curves(data).arrays.copy()
    lower, upper, cost = arrays.lower, arrays.upper, arrays.cost
    lower[:] = 0.0
    lower[lay.col("trade").span] = floor / SCALE
    for name, amount in (("supply", q0), ("use", d0)):
        block = lay.col(name)
        first = block.at(np.arange(block.entities), 0)
        upper[block.span] = cost[block.span] = 0.0
        lower[first] = upper[first] = amount.reindex(block.index).to_numpy() / SCALE
    # stocks absorb anywhere; releases (recycled scrap, unreported output, stocks drawn down)
    # are placed at each product's reference market, the main producer
    keys = problem.stock_keys
    at_market = np.array([market.get(product) == region for region, product in keys], dtype=bool)
    # a release costs more the more valuable the product, so that the least valuable one
    # closes a gap that several could close (an unexplained t of Nd rather than of Dy)
    value = np.array([reference.get(product, 0.0) for _, product in keys])
    for name, unit_cost, where in (
        ("absorb", np.full(len(keys), SINK_COST), np.ones(len(keys), dtype=bool)),
        ("release", RELEASE_COST * (1.0 + value / 10.0), at_market),
    ):
        block = lay.col(name)
        upper[block.span] = 0.0
        upper[block.at(np.arange(block.entities), 0)] = np.where(where, INF, 0.0)
        cost[block.span] = np.repeat(unit_cost, block.steps) + problem.tie[block.span]
    upper[lay.col("dispose").span] = 0.0
    route = lay.col("route")
    _hold_routes(problem, data, arrays)
    # base-year output is made the standard way: costlier variants answer later scarcity
    act = lay.col("activity").span
    upper[act] = np.where(problem.activity_cost > 0, 0.0, upper[act])
    session = problem.open(data, arrays)
    status, _ = session.run()
    if status != highspy.HighsModelStatus.kOptimal:
        return None
    x, duals, _ = session.solution()
    x = x * SCALE
    flows = {
        "activity": pd.Series(x[act], index=problem.processes),
        "trade": pd.Series(x[lay.col("trade").span], index=problem.arcs),
        "absorb": pd.Series(lay.col("absorb").totals(x), index=keys),
        "release": pd.Series(lay.col("release").totals(x), index=keys),
        "route": pd.Series(route.totals(x), index=route.index),
        "route_dual": pd.Series(duals[lay.row("route").span], index=route.index),
    }
    return flows, duals[lay.row("balance").span]
