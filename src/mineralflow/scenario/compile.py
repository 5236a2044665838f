"""Turning a scenario's levers into the arrays the dynamics run on (a :class:`Plan`).

Every name a lever uses (region, stage, product, element, sector) is checked against the
calibrated network here, so that a mistake is reported before anything is solved, naming the
lever and listing what the pack allows.  The semantics of each lever are documented in
``docs/scenarios.md``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from mineralflow.contracts import PREFIX as CONTRACT
from mineralflow.data.pack import Pack
from mineralflow.data.validate import suggest
from mineralflow.dynamics import Plan, base_plan
from mineralflow.extraterritorial import RULE, Rules, supply_entries
from mineralflow.floors import Floors
from mineralflow.investment import Pipeline
from mineralflow.market.calibration import Calibration
from mineralflow.market.problem import MarketProblem
from mineralflow.reserves import Reserve
from mineralflow.scenario.levers import (
    LICENCE_GROUPS,
    AnnouncedProjects,
    CapacityProject,
    CapacityTarget,
    DemandGrowth,
    Elasticity,
    ExportBan,
    ExportLicensing,
    ExportQuota,
    ExportTax,
    ExtraterritorialLicensing,
    ImportBan,
    PriceFloor,
    ProjectSupport,
    Stockpile,
    Tariff,
    TechnologyTransfer,
    TradeAgreement,
)
from mineralflow.scenario.loading import ScenarioError
from mineralflow.scenario.model import Scenario

#: limit rows being collected: weights by LP column, lower and upper bounds by year, names
Limits = tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray], list[str]]


def _listing(values: Any, limit: int = 15) -> str:
    values = sorted({str(v) for v in values})
    text = ", ".join(values[:limit])
    return text + (f", ... ({len(values)} in all)" if len(values) > limit else "")


class _Compiler:
    def __init__(
        self,
        scenario: Scenario,
        key: str,
        pack: Pack,
        cal: Calibration,
        years: list[int],
        base_exports: Callable[[], pd.Series],
    ) -> None:
        self.scenario = scenario
        self.key = key
        self.pack = pack
        self.pack_name = pack.name
        self.cal = cal
        self.years = np.array(years)
        self.net = cal.data.network
        self.problem: MarketProblem = cal.problem
        self.base_exports = base_exports
        arcs = self.problem.arcs
        self.exporter = arcs.get_level_values(0).to_numpy()
        self.importer = arcs.get_level_values(1).to_numpy()
        self.arc_product = arcs.get_level_values(2).to_numpy()
        self.groups = self.net.groups.reindex(self.problem.groups)
        self.regions = set(self.problem.nodes.get_level_values(0))
        self.trade0 = self.problem.layout.col("trade").start
        # extraterritorial rule rows: (lever, row name, node, supply columns, entries)
        self._rules: list[tuple[int, str, int, np.ndarray, np.ndarray]] = []
        self._rule_levers: dict[int, tuple[ExtraterritorialLicensing, np.ndarray]] = {}

    # ------------------------------------------------------------------ checks
    def fail(self, index: int, field: str | None, message: str) -> ScenarioError:
        return ScenarioError(f"{self.scenario.where(index, field)}: {message}")

    def region(self, index: int, field: str, code: str) -> str:
        if code not in self.regions:
            raise self.fail(
                index,
                field,
                f"region '{code}' has no market in pack '{self.pack_name}'"
                f"{suggest(code, self.regions)}; regions: {_listing(self.regions, 40)}",
            )
        return code

    def stage(self, index: int, field: str, name: str) -> str:
        stages = [s.name for s in self.net.stages]
        if name not in stages:
            raise self.fail(
                index,
                field,
                f"unknown stage '{name}'{suggest(name, stages)}; stages of pack "
                f"'{self.pack_name}': {', '.join(stages)}",
            )
        return name

    def known(self, index: int, field: str, what: str, name: str, choices: Any) -> str:
        """``name`` if it is one of ``choices``; else a message listing them (``what``: noun)."""
        choices = {str(c) for c in choices}
        if name not in choices:
            raise self.fail(
                index,
                field,
                f"unknown {what} '{name}'{suggest(name, choices)}; {what}s: "
                f"{_listing(choices, 40)}",
            )
        return name

    def product(self, index: int, field: str, name: str) -> str:
        return self.known(index, field, "product", name, self.net.products.index)

    def sector(self, index: int, field: str, name: str) -> str:
        sectors = self.problem.demand_keys.get_level_values(1)
        return self.known(index, field, "sector", name, sectors)

    def products(self, index: int, lever: Any) -> set[str]:
        """The products a trade lever selects (see the levers module)."""
        products = self.net.products
        chosen: set[str] = set()
        for i, name in enumerate(lever.products):
            chosen.add(self.product(index, f"products[{i}]", name))
        for i, name in enumerate(lever.stages):
            self.stage(index, f"stages[{i}]", name)
            chosen |= set(products.index[products["stage"] == name])
        elements = set(products["element"].dropna())
        for i, name in enumerate(lever.elements):
            if name not in elements:
                raise self.fail(
                    index,
                    f"elements[{i}]",
                    f"pack '{self.pack_name}' has no element '{name}'{suggest(name, elements)}"
                    f"; elements: {_listing(elements, 40)}",
                )
            chosen |= self._containing(name)
        if not (lever.products or lever.stages or lever.elements):
            chosen = set(products.index)
        return chosen

    def _containing(self, element: str) -> set[str]:
        """The element's own products and everything made from them, downstream."""
        products = self.net.products
        found = set(products.index[products["element"] == element])
        coef = self.net.coefficients
        inputs = coef[coef["coeff"] < 0].groupby("process")["product"].apply(set)
        outputs = coef[coef["coeff"] > 0].groupby("process")["product"].apply(set)
        while True:
            more = set()
            for process, used in inputs.items():
                if used & found:
                    more |= outputs.get(process, set())
            if more <= found:
                return found
            found |= more

    def arcs(self, index: int, lever: Any, *, exports: bool) -> np.ndarray:
        """Mask of the trade arcs a lever touches."""
        selected = self.products(index, lever)
        mask = np.isin(self.arc_product, list(selected))
        own = self.exporter if exports else self.importer
        other = self.importer if exports else self.exporter
        mask &= own == self.region(index, "region", lever.region)
        partners = getattr(lever, "to", []) if exports else lever.from_
        field = "to" if exports else "from"
        for i, code in enumerate(partners):
            self.region(index, f"{field}[{i}]", code)
        if partners:
            mask &= np.isin(other, partners)
        if not mask.any():
            verb = "exports" if exports else "imports"
            raise self.fail(
                index,
                None,
                f"selects no trade: in pack '{self.pack_name}' {lever.region} {verb} none of "
                f"{_listing(selected, 10)}"
                + (f" {'to' if exports else 'from'} {', '.join(partners)}" if partners else ""),
            )
        return mask

    def weights(self, index: int, products: np.ndarray) -> tuple[np.ndarray, str]:
        """t counted per t shipped: one unit for all, or the REO-equivalent weight."""
        table = self.net.products.reindex(products)
        units = set(table["unit"])
        if len(units) == 1:
            return np.ones(len(products)), units.pop()
        weight = table["reo_weight"].to_numpy(float)
        if (weight > 0).all():
            return weight, "t REO-equivalent"
        bad = sorted(set(table.index[~(weight > 0)]))
        raise self.fail(
            index,
            None,
            f"tonnes cannot add up products in different units ({', '.join(sorted(units))}); "
            f"{_listing(bad, 6)} have no REO-equivalent weight: select fewer products "
            "or use share_of_base",
        )

    # ------------------------------------------------------------------ levers
    def compile(self, base: Plan) -> Plan:
        """``base`` (the pack's own plan) with every lever of the scenario applied."""
        shape = (len(self.years), len(self.problem.arcs))
        trade_cost = {"export_tax": np.zeros(shape), "tariff": np.zeros(shape)}
        closed = base.closed.copy()
        limits: Limits = ([], [], [], [])
        capacity = base.capacity.copy()
        pipeline = base.pipeline
        floors = base.floors
        capacity_min = base.capacity_min.copy()
        growth = base.growth.copy()
        reserve = base.reserve.copy()
        gaps = self.cal.gaps.copy()
        gap_path: dict[tuple[str, str], np.ndarray] = {}
        bans: list[tuple[int, np.ndarray, np.ndarray]] = []
        limited: list[tuple[int, np.ndarray, np.ndarray]] = []
        for k, lever in self.scenario.levers_for(self.key):
            active = self._active(lever)
            if isinstance(lever, ExportBan | ImportBan):
                mask = self.arcs(k, lever, exports=isinstance(lever, ExportBan))
                closed[np.ix_(active, mask)] = True
                bans.append((k, active, mask))
            elif isinstance(lever, ExportTax | Tariff):
                mask = self.arcs(k, lever, exports=isinstance(lever, ExportTax))
                trade_cost[lever.type][np.ix_(active, mask)] = self._levy(lever, active, mask, base)
            elif isinstance(
                lever, ExportQuota | ExportLicensing | TradeAgreement | ExtraterritorialLicensing
            ):
                limited.append((k, active, self._limited(k, lever, active, limits, reserve)))
            elif isinstance(lever, CapacityProject | AnnouncedProjects | ProjectSupport):
                pipeline = self._projects(k, lever, capacity, pipeline)
            elif isinstance(lever, CapacityTarget):
                capacity_min = np.maximum(capacity_min, self._target_limits(k, lever, limits))
            elif isinstance(lever, TechnologyTransfer):
                self._transfer(k, lever, gaps, gap_path)
            elif isinstance(lever, DemandGrowth):
                self._growth(k, lever, growth)
            elif isinstance(lever, Stockpile | PriceFloor):
                floors = self._government(k, lever, active, reserve, floors)
            elif isinstance(lever, Elasticity):
                self._check_elasticity(k, lever)
        self._check_banned_limits(bans, limited)
        plan = replace(
            base,
            closed=closed,
            trade_cost=base.trade_cost + trade_cost["export_tax"] + trade_cost["tariff"],
            capacity=capacity,
            pipeline=pipeline,
            floors=floors,
            capacity_min=capacity_min,
            growth=growth,
            reserve=reserve,
        )
        if gap_path:
            level, inputs = self._technology(gaps, gap_path)
            plan = replace(plan, level_scale=level, input_scale=inputs)
        plan = _end_banned_contracts(plan, self.problem.layout.col("trade").start)
        return self._with_rules(plan.with_limits(*limits))

    def _government(
        self,
        k: int,
        lever: Stockpile | PriceFloor,
        active: np.ndarray,
        reserve: Reserve,
        floors: Floors,
    ) -> Floors:
        """A government's stockpile (into ``reserve``, in place) or price floor (added to
        the floors returned)."""
        if isinstance(lever, Stockpile):
            self._stockpile(k, lever, active, reserve)
            return floors
        return self._floor(k, lever, active, floors)

    def _floor(self, k: int, lever: PriceFloor, active: np.ndarray, floors: Floors) -> Floors:
        """``floors`` and the lever's: the processes of its region that make its product."""
        node = self._node(k, lever)
        net, procs = self.net, self.problem.processes
        coef = net.coefficients[net.coefficients["product"] == lever.product]
        coef = coef[coef["coeff"] > 0]
        region = net.processes["region"].reindex(coef["process"]).to_numpy()
        coef = coef[region == lever.region]
        if coef.empty:
            raise self.fail(k, "product", f"no plant in {lever.region} makes {lever.product}")
        row = np.zeros((1, len(procs)))
        np.add.at(row[0], procs.get_indexer(coef["process"]), coef["coeff"].to_numpy(float))
        price = np.where(active, lever.price, np.nan)[:, None]
        return Floors(
            region=(*floors.region, lever.region),
            product=(*floors.product, lever.product),
            node=np.append(floors.node, node),
            price=np.hstack([floors.price, price]),
            share=np.append(floors.share, lever.share),
            weights=sp.vstack([floors.weights, sp.csr_matrix(row)]).tocsr(),
        )

    def _stockpile(self, k: int, lever: Stockpile, active: np.ndarray, reserve: Reserve) -> None:
        """A purchase (build) or sale (release) at the lever's node in its active years, in
        t or in USD (in place), and what the stockpile holds at the start."""
        sign = 1.0 if lever.action == "build" else -1.0
        node = self._node(k, lever)
        if lever.tonnes is not None:
            reserve.tonnes[active, node] += sign * lever.tonnes
        else:
            reserve.usd[active, node] += sign * float(lever.usd or 0.0)
        reserve.held[node] += lever.held

    def _check_banned_limits(
        self,
        bans: list[tuple[int, np.ndarray, np.ndarray]],
        limited: list[tuple[int, np.ndarray, np.ndarray]],
    ) -> None:
        """A quota or an agreement on trade that a ban closes in the same years is refused.

        Both would be met only by the ban winning silently (a quota) or not at all (an
        agreement), so the scenario says two things at once.
        """
        for k, active, mask in limited:
            for j, ban_active, ban_mask in bans:
                years = self.years[active & ban_active]
                arcs = np.flatnonzero(mask & ban_mask)
                if len(years) == 0 or len(arcs) == 0:
                    continue
                first = arcs[0]
                raise self.fail(
                    k,
                    None,
                    f"limits trade that another lever bans in {years[0]}-{years[-1]} "
                    f"({self.scenario.where(j)}; for example {self.exporter[first]} -> "
                    f"{self.importer[first]}, {self.arc_product[first]}); a ban leaves nothing "
                    "to limit: drop one of the two or give them separate years",
                )

    def _active(self, lever: Any) -> np.ndarray:
        """Which plan years a lever applies in (every year for levers without a window)."""
        if hasattr(lever, "active"):
            return np.array([lever.active(int(y)) for y in self.years])
        return np.ones(len(self.years), dtype=bool)

    def _levy(
        self, lever: ExportTax | Tariff, active: np.ndarray, mask: np.ndarray, base: Plan
    ) -> np.ndarray:
        """(active years, arcs) USD/kg a tax or tariff adds: a tariff replaces the duty the
        pack's dated policies set on those arcs, so its cost is the difference."""
        cost = np.broadcast_to(self._trade_cost(lever, mask), (int(active.sum()), int(mask.sum())))
        if isinstance(lever, Tariff):
            return cost - base.policy_tariff[np.ix_(active, mask)]
        return cost

    def _trade_cost(self, lever: ExportTax | Tariff, mask: np.ndarray) -> np.ndarray:
        """USD/kg a tax or tariff adds on the arcs of ``mask``."""
        if lever.usd_per_kg is not None:
            return np.full(int(mask.sum()), lever.usd_per_kg)
        nodes = pd.MultiIndex.from_arrays([self.exporter[mask], self.arc_product[mask]])
        price = self.cal.base_prices.reindex(nodes).to_numpy(float)
        return float(lever.rate or 0.0) * np.nan_to_num(price, nan=0.0)

    def _limited(
        self,
        k: int,
        lever: ExportQuota | ExportLicensing | TradeAgreement | ExtraterritorialLicensing,
        active: np.ndarray,
        limits: Limits,
        reserve: Reserve,
    ) -> np.ndarray:
        """Limit rows of a lever on trade; returns the mask of the arcs a ban must not close.

        A ban may close licensed trade: it is licensing at its strictest, so it holds and
        the licence's rows go slack (the reserve's purchases stay as the licence set them).
        """
        if isinstance(lever, ExportLicensing):
            self._licensing(k, lever, active, limits, reserve)
        elif isinstance(lever, ExtraterritorialLicensing):
            self._extraterritorial(k, lever, active, limits)
        else:
            return self._trade_limits(k, lever, active, limits)
        return np.zeros(len(self.problem.arcs), dtype=bool)

    def _extraterritorial(
        self, k: int, lever: ExtraterritorialLicensing, active: np.ndarray, limits: Limits
    ) -> None:
        """One limit row per region abroad and selected product it exports where the rule
        reaches: those exports less the node's supply, at most 0 in force (the supply side
        scales each year with the covered share, :mod:`mineralflow.extraterritorial`)."""
        self.region(k, "region", lever.region)
        for i, code in enumerate(lever.exempt):
            self.region(k, f"exempt[{i}]", code)
        selected = sorted(self.products(k, lever))
        if lever.approved >= 1.0:  # every covered export is approved: nothing to limit
            return
        reached = np.isin(self.arc_product, selected) & (self.exporter != lever.region)
        reached &= ~np.isin(self.importer, [lever.region, *lever.exempt])
        if not reached.any():
            raise self.fail(
                k, None, f"reaches no trade: no region but {lever.region} exports "
                f"{_listing(selected, 10)} to a destination the rule covers",
            )  # fmt: skip
        rows, lower, upper, names = limits
        nodes = self.problem.nodes
        for exporter, product in sorted(
            set(zip(self.exporter[reached], self.arc_product[reached], strict=True))
        ):
            row = np.zeros(self.problem.n_cols)
            mine = reached & (self.exporter == exporter) & (self.arc_product == product)
            row[self.trade0 + np.flatnonzero(mine)] = 1.0
            cols, values = supply_entries(self.problem, str(exporter), str(product))
            row[cols] += values
            rows.append(row)
            lower.append(np.full(len(self.years), -np.inf))
            upper.append(np.where(active, 0.0, np.inf))
            names.append(f"{RULE} {lever.region} (levers[{k}]) {exporter} {product}")
            node = int(nodes.get_loc((exporter, product)))
            self._rules.append((k, names[-1], node, cols, values))
        home = nodes.get_level_values(0) == lever.region
        self._rule_levers[k] = (lever, home & np.isin(nodes.get_level_values(1), selected))

    def _with_rules(self, plan: Plan) -> Plan:
        """``plan`` with the extraterritorial rules' rows that it kept."""
        position = {name: k for k, name in enumerate(plan.limit_names)}
        kept = [r for r in self._rules if r[1] in position]
        if not kept:
            return plan
        levers = sorted({r[0] for r in kept})
        of = [self._rule_levers[r[0]][0] for r in kept]
        rules = Rules(
            names=tuple(r[1] for r in kept),
            row=np.array([position[r[1]] for r in kept], dtype=np.int64),
            node=np.array([r[2] for r in kept], dtype=np.int64),
            approved=np.array([lever.approved for lever in of]),
            kept_apart=np.array([lever.kept_apart for lever in of]),
            threshold=np.array([lever.threshold for lever in of]),
            source=np.array([levers.index(r[0]) for r in kept], dtype=np.int64),
            sources=np.vstack([self._rule_levers[k][1] for k in levers]),
            entry_rule=np.repeat(np.arange(len(kept)), [len(r[3]) for r in kept]),
            entry_col=np.concatenate([r[3] for r in kept]),
            entry_base=np.concatenate([r[4] for r in kept]),
        )
        return replace(plan, rules=rules)

    @cached_property
    def licences_in_force(self) -> dict[tuple[str, str], np.ndarray]:
        """By (exporter, product): the position of the licensing lever in force each year.

        A later ``export_licensing`` lever replaces an earlier one for the products and
        years they share (a branch's licensing replaces its base's); -1 where none is.
        """
        owner: dict[tuple[str, str], np.ndarray] = {}
        for k, lever in self.scenario.levers_for(self.key):
            if not isinstance(lever, ExportLicensing):
                continue
            active = self._active(lever)
            for product in self.products(k, lever):
                years = owner.setdefault((lever.region, product), np.full(len(self.years), -1))
                years[active] = k
        return owner

    def _licensing(
        self,
        k: int,
        lever: ExportLicensing,
        active: np.ndarray,
        limits: Limits,
        reserve: Reserve,
    ) -> None:
        """One limit row per product and destination group (the approved share of its
        base-year exports) in the years the lever is in force and, for ``stockpiled`` and
        ``held``, the support purchase at the home market, up to what licences withhold (in
        ``reserve``, in place)."""
        for field in ("friendly", "restricted"):
            for i, code in enumerate(getattr(lever, field)):
                self.region(k, f"{field}[{i}]", code)
        mask = self.arcs(k, lever, exports=True)
        arcs_at = np.flatnonzero(mask)
        group = np.array([lever.group_of(str(d)) for d in self.importer[arcs_at]])
        owner = self.licences_in_force
        for product in sorted(set(self.arc_product[arcs_at])):
            in_force = active & (owner[(lever.region, product)] == k)
            mine = self.arc_product[arcs_at] == product
            withheld = 0.0
            for name in LICENCE_GROUPS:
                cols = arcs_at[mine & (group == name)]
                if len(cols) > 0:
                    share = lever.approved.get(name, lever.approved["neutral"])
                    label = f"export_licensing {lever.region} (levers[{k}]) {product} {name}"
                    amount = self._approve(limits, label, cols, in_force, share)
                    withheld += (1.0 - share) * amount
            if lever.unapproved != "market" and withheld > 0.0:
                node = self._market(k, lever.region, product)
                reserve.support[in_force, node] = withheld
                reserve.private[in_force, node] = lever.unapproved == "held"

    def _approve(
        self, limits: Limits, label: str, cols: np.ndarray, in_force: np.ndarray, share: float
    ) -> float:
        """A limit row: the arcs ``cols`` carry at most ``share`` of their base-year exports
        in the years in force; returns those exports, t."""
        rows, lower, upper, names = limits
        amount = float(self.base_exports().reindex(self.problem.arcs[cols]).fillna(0.0).sum())
        row = np.zeros(self.problem.n_cols)
        row[self.trade0 + cols] = 1.0
        rows.append(row)
        lower.append(np.full(len(self.years), -np.inf))
        upper.append(np.where(in_force, share * amount, np.inf))
        names.append(label)
        return amount

    def _trade_limits(
        self,
        k: int,
        lever: ExportQuota | TradeAgreement,
        active: np.ndarray,
        limits: Limits,
    ) -> np.ndarray:
        """Limit rows of a quota (at most) or an agreement (at least) on trade arcs.

        Returns the mask of the arcs it limits.
        """
        rows, lower, upper, names = limits
        n_years = len(self.years)
        mask = self.arcs(k, lever, exports=True)
        arcs_at = np.flatnonzero(mask)
        label = f"{lever.type} {lever.region} (levers[{k}])"
        if isinstance(lever, ExportQuota) and lever.share_of_base is not None:
            base = self.base_exports()
            for product in sorted(set(self.arc_product[arcs_at])):
                cols = arcs_at[self.arc_product[arcs_at] == product]
                row = np.zeros(self.problem.n_cols)
                row[self.trade0 + cols] = 1.0
                amount = float(base.reindex(self.problem.arcs[cols]).fillna(0.0).sum())
                rows.append(row)
                lower.append(np.full(n_years, -np.inf))
                upper.append(np.where(active, lever.share_of_base * amount, np.inf))
                names.append(f"{label} {product}")
            return mask
        w, _ = self.weights(k, self.arc_product[arcs_at])
        row = np.zeros(self.problem.n_cols)
        row[self.trade0 + arcs_at] = w
        rows.append(row)
        tonnes = float(lever.tonnes or 0.0)
        if isinstance(lever, ExportQuota):
            lower.append(np.full(n_years, -np.inf))
            upper.append(np.where(active, tonnes, np.inf))
        else:
            lower.append(np.where(active, tonnes, -np.inf))
            upper.append(np.full(n_years, np.inf))
        names.append(label)
        return mask

    def _target_limits(
        self,
        k: int,
        lever: CapacityTarget,
        limits: Limits,
    ) -> np.ndarray:
        """Capacity a target needs by (year, group); an enforced target adds a limit row."""
        path, share, stage, start, mask = self._target(k, lever)
        normal = float(self.cal.stage_params.loc[stage, "base_utilisation"])
        if lever.enforce:
            # the region's output at the stage follows the plan up to the target year;
            # afterwards it stays at least at the target and may grow
            rows, lower, upper, names = limits
            sup = self.problem.layout.col("supply")
            row = np.zeros(self.problem.n_cols)
            row[sup.span] = np.repeat(mask.astype(float), sup.steps)
            rows.append(row)
            planned = (self.years >= start) & (self.years <= lever.year)
            after = self.years > lever.year
            lower.append(np.where(planned | after, path, -np.inf))
            upper.append(np.where(planned, path, np.inf))
            names.append(f"capacity_target {lever.region} {stage} (levers[{k}])")
        return path[:, None] * share[None, :] / normal

    def _groups_of(self, index: int, region: str, stage: str) -> np.ndarray:
        self.region(index, "region", region)
        mask = (self.groups["region"] == region).to_numpy() & (
            self.groups["stage"] == stage
        ).to_numpy()
        if not mask.any():
            able = sorted(set(self.groups.loc[self.groups["stage"] == stage, "region"]))
            raise self.fail(
                index,
                "region",
                f"{region} has no {stage} in pack '{self.pack_name}' (no output, project or "
                f"technology row); regions at this stage: {', '.join(able)}",
            )
        return mask

    def _project(self, k: int, lever: CapacityProject) -> np.ndarray:
        stage = self.stage(k, "stage", lever.stage)
        mask = self._groups_of(k, lever.region, stage)
        if lever.deposit is not None:
            variants = self.groups["variant"].to_numpy()
            chosen = mask & (variants == lever.deposit)
            if not chosen.any():
                options = sorted(set(variants[mask]))
                raise self.fail(
                    k,
                    "deposit",
                    f"{lever.region} has no deposit class '{lever.deposit}'"
                    f"{suggest(lever.deposit, options)}; its classes: {', '.join(options)}",
                )
            mask = chosen
        base = self.cal.data.groups.reindex(self.problem.groups)["capacity"].to_numpy(float)
        part = np.where(mask, base, 0.0)
        part = part / part.sum() if part.sum() > 0 else mask / mask.sum()
        ramp = np.clip((self.years - lever.start_year + 1) / lever.ramp_years, 0.0, 1.0)
        size = lever.capacity * lever.probability
        return (ramp * size)[:, None] * part[None, :]

    def _announced(self, k: int, lever: AnnouncedProjects, pipeline: Pipeline) -> Pipeline:
        """The pipeline with the lever's projects given its prior chance, started later."""
        for i, code in enumerate(lever.regions):
            self.region(k, f"regions[{i}]", code)
        for i, code in enumerate(lever.exclude):
            self.region(k, f"exclude[{i}]", code)
        if "projects" not in self.pack.tables:
            raise self.fail(k, None, f"pack '{self.pack_name}' has no projects table")
        regions = self.groups["region"].to_numpy()[pipeline.group]
        if lever.regions:
            rows = np.isin(regions, lever.regions)
        else:
            rows = ~np.isin(regions, lever.exclude)
        # projects that had started in the first year are built: the lever leaves them
        rows &= pipeline.start > 0
        if lever.probability is not None:
            pipeline = replace(pipeline, prior=np.where(rows, lever.probability, pipeline.prior))
        if lever.delay_years:
            lead = self.cal.stage_params["lead_time"].round().clip(lower=1).astype(int)
            stage = self.groups["stage"].to_numpy()[pipeline.group]
            pipeline = pipeline.delayed(rows, lever.delay_years, lead.reindex(stage).to_numpy())
        return pipeline

    def _projects(
        self,
        k: int,
        lever: CapacityProject | AnnouncedProjects | ProjectSupport,
        capacity: np.ndarray,
        pipeline: Pipeline,
    ) -> Pipeline:
        """A project lever: a scenario's own project adds to ``capacity`` (in place); the
        others change the pack's pipeline, which is returned."""
        if isinstance(lever, CapacityProject):
            capacity += self._project(k, lever)
            return pipeline
        if isinstance(lever, AnnouncedProjects):
            return self._announced(k, lever, pipeline)
        return self._support(k, lever, pipeline)

    def _support(self, k: int, lever: ProjectSupport, pipeline: Pipeline) -> Pipeline:
        """The pipeline with the lever's share of capital cost paid for its projects."""
        if "projects" not in self.pack.tables:
            raise self.fail(k, None, f"pack '{self.pack_name}' has no projects table")
        names = sorted(set(self.pack.table("projects")["project"].astype(str)))
        for i, name in enumerate(lever.projects):
            self.known(k, f"projects[{i}]", "project", name, names)
        for i, code in enumerate(lever.regions):
            self.region(k, f"regions[{i}]", code)
        regions = self.groups["region"].to_numpy()[pipeline.group]
        rows = np.isin(np.asarray(pipeline.project, dtype=object), lever.projects)
        rows = (rows | np.isin(regions, lever.regions)) & (pipeline.start > 0)
        if not rows.any():
            raise self.fail(k, None, "no selected project starts after the first year")
        share = lever.share
        if share is None:  # an amount: shared by capital cost, at most all of it
            stage = self.groups["stage"].to_numpy()[pipeline.group]
            unit = self.cal.stage_params["capital_cost"].reindex(stage).to_numpy(float)
            cost = float((pipeline.size * 1000.0 * unit)[rows].sum())
            share = min(float(lever.usd or 0.0) / cost, 1.0) if cost > 0 else 1.0
        support = np.where(rows, np.minimum(pipeline.support + share, 1.0), pipeline.support)
        return replace(pipeline, support=support)

    def _target(
        self, k: int, lever: CapacityTarget
    ) -> tuple[np.ndarray, np.ndarray, str, int, np.ndarray]:
        stage = self.stage(k, "stage", lever.stage)
        mask = self._groups_of(k, lever.region, stage)
        q0 = self.cal.base_production.reindex(self.problem.groups).fillna(0.0).to_numpy(float)
        base_out = float(q0[mask].sum())
        if lever.multiple is not None:
            if base_out <= 0:
                raise self.fail(
                    k,
                    "multiple",
                    f"{lever.region} had no {stage} output in {self.cal.year}; give tonnes",
                )
            target = lever.multiple * base_out
        else:
            target = float(lever.tonnes or 0.0)
        start = lever.from_year if lever.from_year is not None else self.cal.year + 1
        if lever.year <= self.cal.year:
            raise self.fail(k, "year", f"must be after the base year {self.cal.year}")
        span = lever.year - start + 1
        step = np.clip((self.years - start + 1) / span, 0.0, 1.0)
        path = np.where(self.years >= start, base_out + (target - base_out) * step, 0.0)
        weight = np.where(mask, q0, 0.0)
        if weight.sum() <= 0:
            cap = self.cal.data.groups.reindex(self.problem.groups)["capacity"].to_numpy(float)
            weight = np.where(mask, np.maximum(cap, 0.0), 0.0)
        share = weight / weight.sum() if weight.sum() > 0 else mask / mask.sum()
        return path, share, stage, start, mask

    def _transfer(
        self,
        k: int,
        lever: TechnologyTransfer,
        gaps: pd.Series,
        path: dict[tuple[str, str], np.ndarray],
    ) -> None:
        stage = self.stage(k, "stage", lever.stage)
        self._groups_of(k, lever.to, stage)
        donor = self.groups[
            (self.groups["region"] == lever.from_) & (self.groups["stage"] == stage)
        ]
        if donor.empty:
            raise self.fail(k, "from", f"{lever.from_} has no {stage} to transfer technology from")
        # the recipient can come as close as the donor's own technology, not closer
        donor_gap = float(gaps.get((lever.from_, stage), 0.0))
        key = (lever.to, stage)
        current = path.get(key, np.full(len(self.years), float(gaps.get(key, 0.0))))
        if current.max() <= donor_gap:
            raise self.fail(
                k,
                "to",
                f"{lever.to} has no technology gap at {stage} beyond {lever.from_}'s "
                f"({current.max():g} against {donor_gap:g}, technology.csv); gaps: "
                + ", ".join(
                    f"{key[0]} {key[1]} {g:g}" for key, g in zip(gaps.index, gaps, strict=True)
                ),
            )
        done = np.clip(self.years - lever.from_year + 1, 0, None)
        if lever.until is not None:
            done = np.minimum(done, lever.until - lever.from_year + 1)
        path[key] = np.minimum(current, np.maximum(current - lever.per_year * done, donor_gap))

    def _technology(
        self, gaps: pd.Series, path: dict[tuple[str, str], np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray]:
        params = self.cal.stage_params
        level = np.ones((len(self.years), len(self.problem.groups)))
        inputs = np.ones((len(self.years), len(self.problem.processes)))
        procs = self.net.processes.reindex(self.problem.processes)
        for (region, stage), gap_t in path.items():
            gap0 = float(gaps.get((region, stage), 0.0))
            factor = float(params.loc[stage, "gap_cost_factor"])
            loss = float(params.loc[stage, "gap_yield_loss"])
            g = ((self.groups["region"] == region) & (self.groups["stage"] == stage)).to_numpy()
            level[:, g] = ((1.0 + gap_t * factor) / (1.0 + gap0 * factor))[:, None]
            p = ((procs["region"] == region) & (procs["stage"] == stage)).to_numpy()
            inputs[:, p] = ((1.0 - gap0 * loss) / (1.0 - gap_t * loss))[:, None]
        return level, inputs

    def _growth(self, k: int, lever: DemandGrowth, growth: np.ndarray) -> None:
        keys = self.problem.demand_keys
        sectors = keys.get_level_values(1)
        self.sector(k, "sector", lever.sector)
        mask = np.asarray(sectors == lever.sector)
        if lever.region is not None:
            regions = keys.get_level_values(0)
            self.region(k, "region", lever.region)
            mask &= np.asarray(regions == lever.region)
            if not mask.any():
                raise self.fail(k, "region", f"{lever.region} has no {lever.sector} demand")
        base = self.cal.year
        if lever.rate is not None:
            active = np.array([lever.active(int(y)) for y in self.years]) & (self.years > base)
            growth[np.ix_(active, mask)] = lever.rate
            return
        points = sorted((lever.path or {}).items())
        if points[0][0] <= base:
            raise self.fail(k, "path", f"years must be after the base year {base}")
        xs = [base] + [y for y, _ in points]
        ys = [1.0] + [v for _, v in points]
        index = np.interp(self.years, xs, ys)
        rate = np.r_[0.0, index[1:] / index[:-1] - 1.0]
        later = self.years > base
        growth[np.ix_(later, mask)] = rate[later][:, None]

    def _node(self, k: int, lever: Stockpile | PriceFloor) -> int:
        self.region(k, "region", lever.region)
        self.product(k, "product", lever.product)
        return self._market(k, lever.region, lever.product)

    def _market(self, k: int, region: str, product: str) -> int:
        """Position of the (region, product) node, or a message naming the lever."""
        nodes = self.problem.nodes
        found = nodes.get_indexer([(region, product)])[0]
        if found < 0:
            where = nodes[nodes.get_level_values(1) == product].get_level_values(0)
            raise self.fail(
                k,
                "region",
                f"{region} has no market for {product} in pack '{self.pack_name}'; "
                f"regions with one: {_listing(where, 40)}",
            )
        return int(found)

    def _check_elasticity(self, k: int, lever: Elasticity) -> None:
        if lever.kind == "supply":
            self.stage(k, "scope", lever.scope)
        else:
            self.sector(k, "scope", lever.scope)


def compile_plan(
    scenario: Scenario,
    key: str,
    pack: Pack,
    cal: Calibration,
    years: list[int],
    base_exports: Callable[[], pd.Series],
) -> Plan:
    """The levers for one pack (``key`` as the scenario names it) as a :class:`Plan`.

    The pack's own plan (:func:`~mineralflow.dynamics.base_plan`) is the starting point.
    ``base_exports`` gives the base year's trade by arc (t); it is called only when a quota
    is a share of the base year.
    """
    compiler = _Compiler(scenario, key, pack, cal, years, base_exports)
    return compiler.compile(base_plan(pack, cal, years))


def _end_banned_contracts(plan: Plan, trade0: int) -> Plan:
    """The plan with each pack contract lifted in the years a lever closes its route."""
    lower = plan.limit_lower.copy()
    for k, name in enumerate(plan.limit_names):
        if not name.startswith(CONTRACT):
            continue
        arc = int(plan.limits[k].indices[0]) - trade0
        lower[plan.closed[:, arc], k] = -np.inf
    return replace(plan, limit_lower=lower)
