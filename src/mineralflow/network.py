"""The supply-chain network of a pack: regions x processes x products, as a few plain tables.

A *process* in a region turns input products into output products with fixed coefficients
(joint production: a deposit's concentrate yields a basket of oxides; a magnet grade needs
its recipe of metals).  Processes of one region and stage share one capacity and one cost
curve: that pair is a *group*.  *Products* move between regions along trade arcs.  *Demand*
sectors consume a product or a fixed basket of products.

How each stage is resolved follows from which tables a pack ships, never from the commodity:

* a first stage with ``mine_feed`` and ``deposit_composition`` yields one concentrate per
  deposit class, and the next stage splits each concentrate into element products;
* a stage whose ``separates`` column names an element group (``heavy``) takes that group out of
  the element stage: the element stage then leaves it as one mixed product per deposit class
  (``heavy|<deposit>``), which only the regions running the later stage can separate;
* with ``magnet_recipes``, the two stages after the element stage make element metals and
  then one magnet grade per recipe; ``recipe_variants`` adds costlier ways of making a grade
  with less of a scarce element, which the market picks when that element is dear;
* a stage whose ``recycles`` column names an earlier stage recovers products from scrap
  (secondary production): its processes make that stage's one product, or the mix of
  ``recycled_mix.csv``, without any input of the chain; the stages after it build on the
  stage before it, and it must come before every stage that takes what it recovers;
* any other stage turns the previous stage's product into its own, using the
  ``input_per_output`` parameter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from mineralflow.data.pack import Pack
from mineralflow.errors import MineralflowError

StageKind = Literal["deposits", "elements", "split", "metals", "grades", "plain", "recycled"]

AGGREGATES = ("WLD",)


class NetworkError(MineralflowError):
    """The pack lacks what the market model needs (named table, stage or product)."""


@dataclass(frozen=True)
class Stage:
    """One stage of the chain, with how its products are resolved."""

    name: str
    order: int
    unit: str
    kind: StageKind
    separates: str | None = None  # element group of a "split" stage
    recycles: str | None = None  # the stage whose product a "recycled" stage recovers


@dataclass
class Network:
    """Plain tables describing the chain of one pack.

    ``products``: index product; stage, unit, element, reo_weight (t REO-equivalent per t,
    used by quotas written in the stage's unit; 1 for plain products).
    ``processes``: index process; region, stage, variant, group, extra_cost (USD/kg of main
    output above what the group's cost curve says: a costlier recipe variant).
    ``coefficients``: process, product, coeff (+ output, - input), per unit of activity; an
    activity unit is one t of the process's main output.
    ``groups``: index group; region, stage, variant (deposit for mining groups, else '').
    ``demand``: index (region, sector); stage, unit.
    ``baskets``: sector, product, coeff: t of product per t of the sector's consumption.
    """

    pack: str
    commodity: str
    regions: list[str]
    stages: list[Stage]
    products: pd.DataFrame
    processes: pd.DataFrame
    coefficients: pd.DataFrame
    groups: pd.DataFrame
    demand: pd.DataFrame
    baskets: pd.DataFrame
    element_products: dict[str, str] = field(default_factory=dict)

    def stage(self, name: str) -> Stage:
        return next(s for s in self.stages if s.name == name)

    def stage_products(self, stage: str) -> list[str]:
        return list(self.products.index[self.products["stage"] == stage])

    @property
    def input_free_stages(self) -> set[str]:
        """Stages that supply products of earlier stages without inputs (recycled scrap,
        unreported output)."""
        return {s.name for s in self.stages if s.kind == "recycled"}


def _stage_kinds(pack: Pack) -> list[Stage]:
    """Each stage with its kind; recycling stages stand outside the chain of the others."""
    stages = pack.table("stages").sort_values("order")
    recycles = [str(v) if v else None for v in stages.get("recycles", [None] * len(stages))]
    chain = stages[[r is None for r in recycles]]
    kinds = dict(zip(chain["stage"].astype(str), _chain_kinds(pack, chain), strict=True))
    order = list(stages["stage"].astype(str))
    out = []
    for row, recycled in zip(stages.itertuples(), recycles, strict=True):
        name = str(row.stage)
        if recycled is not None:
            _check_recycled(name, recycled, order, kinds)
        sep = str(row.separates) if row.separates else None
        kind: StageKind = "recycled" if recycled is not None else kinds[name]
        out.append(Stage(name, int(row.order), str(row.unit), kind, sep, recycled))
    return out


def _check_recycled(name: str, target: str, order: list[str], kinds: dict[str, StageKind]) -> None:
    if target not in kinds or order.index(target) > order.index(name):
        raise NetworkError(
            f"stages.csv: stage '{name}' recycles '{target}', which must be an earlier stage "
            "(and not itself a recycling stage)"
        )


def _chain_kinds(pack: Pack, stages: pd.DataFrame) -> list[StageKind]:
    """The kinds of the chain's stages (recycling stages left out), in order."""
    names = list(stages["stage"])
    separates = [str(v) if v else None for v in stages["separates"]]
    kinds: list[StageKind] = ["plain"] * len(names)
    has_deposits = {"mine_feed", "deposit_composition"} <= set(pack.tables)
    if any(separates) and not has_deposits:
        raise NetworkError(
            "stages.csv: 'separates' needs an element stage (mine_feed and deposit_composition)"
        )
    if has_deposits:
        if len(names) < 2:
            raise NetworkError("a pack with deposits needs a stage after mining to split them")
        if separates[0] or separates[1]:
            raise NetworkError(
                f"stages.csv: stage '{names[0] if separates[0] else names[1]}' cannot separate an "
                "element group; only a stage after the element stage can"
            )
        kinds[0], kinds[1] = "deposits", "elements"
        rest = 2
        while rest < len(names) and separates[rest]:
            kinds[rest] = "split"
            rest += 1
        if any(separates[rest:]):
            raise NetworkError(
                "stages.csv: a stage with 'separates' must follow the element stage directly "
                "(or another such stage)"
            )
        if "magnet_recipes" in pack.tables:
            if len(names) < rest + 2:
                raise NetworkError("magnet_recipes needs two stages after the element stages")
            kinds[rest], kinds[rest + 1] = "metals", "grades"
    return kinds


PARAMETER_DEFAULTS = {
    "input_per_output": 1.0,
    "transport_cost": 0.0,
    "transport_value_share": 0.0,
    "disposal_cost": 0.0,
    "base_utilisation": 0.85,
    "investment_rate": 0.1,
    "lead_time": 3.0,
    "ramp_years": 2.0,
    "gap_cost_factor": 1.0,
    "gap_yield_loss": 0.0,
    "max_price_multiple": float("inf"),
    "demand_adjustment": 1.0,
    "stock_elasticity": 1.0,
    "stock_turnover": 0.0,
    "stock_cover": float("inf"),
    "holding_cost": 0.0,
    "route_elasticity": float("inf"),
    "expectation_weight": 1.0,
    "capital_cost": 1.0,
    "capital_recovery": 0.1,
    "project_response": 0.0,
}


def parameter_table(pack: Pack, stages: list[str]) -> pd.DataFrame:
    """Model parameters by stage, with documented defaults where a pack gives none."""
    frame = pd.DataFrame(
        {k: [v] * len(stages) for k, v in PARAMETER_DEFAULTS.items()}, index=stages
    )
    if "parameters" in pack.tables:
        for row in pack.table("parameters").itertuples():
            frame.loc[str(row.scope), str(row.parameter)] = float(row.value)
    return frame


def nearest_year(frame: pd.DataFrame, year: int) -> pd.DataFrame:
    """Rows of the latest year at or before ``year``, else of the earliest year (per region)."""
    if frame.empty:
        return frame
    parts = []
    for _, rows in frame.groupby("region", sort=False):
        years = rows["year"]
        before = years[years <= year]
        pick = before.max() if len(before) else years.min()
        parts.append(rows[rows["year"] == pick])
    return pd.concat(parts)


def active_regions(pack: Pack, year: int) -> list[str]:
    """Regions with base-year output or demand, a project, or a technology row; no aggregates."""
    regions: set[str] = set()
    prod = pack.select("production", year=year)
    regions |= set(prod.loc[prod["value"] > 0, "region"])
    if "demand" in pack.tables:
        regions |= set(pack.select("demand", year=year)["region"])
    for name in ("projects", "technology"):
        if name in pack.tables:
            regions |= set(pack.table(name)["region"])
    regions -= set(AGGREGATES)
    return sorted(regions)


@dataclass
class _Parts:
    """What the stage builders collect: product rows, process rows, coefficients."""

    pack: Pack
    stages: list[Stage]
    stage_regions: dict[str, list[str]]
    params: pd.DataFrame
    year: int
    products: list[dict[str, object]] = field(default_factory=list)
    processes: list[dict[str, object]] = field(default_factory=list)
    coeffs: list[tuple[str, str, float]] = field(default_factory=list)
    element_products: dict[str, str] = field(default_factory=dict)

    def loss(self, stage: Stage) -> float:
        return float(self.params.loc[stage.name, "input_per_output"])

    def product(
        self,
        name: str,
        stage: Stage,
        element: str | None,
        weight: float,
        family: tuple[str, str] | None = None,
    ) -> str:
        """Add a product; ``family`` = (pack product, variant) for one of several kinds."""
        base, variant = family or (name, "")
        self.products.append(
            _product(name, stage, element, weight) | {"family": base, "variant": variant}
        )
        return name

    def process(
        self, pid: str, region: str, stage: Stage, variant: str, group: str, extra: float = 0.0
    ) -> None:
        self.processes.append(_process(pid, region, stage.name, variant, group, extra))


def _oxides(parts: _Parts, stage: Stage) -> list[str]:
    """One oxide product per element that a separation stage yields."""
    made = []
    for symbol in _separated_elements(parts.pack, stage, parts.stages):
        made.append(parts.product(symbol, stage, symbol, 1.0))
        parts.element_products[symbol] = symbol
    return made


def _build_deposits(parts: _Parts, stage: Stage, previous: list[str]) -> list[str]:
    """Mining: one concentrate per deposit class; a process per region and deposit mined."""
    deposits = sorted(parts.pack.table("deposit_composition")["deposit"].unique())
    concentrate = _stage_product(parts.pack, stage)
    made = [
        parts.product(f"{concentrate}|{dep}", stage, None, 1.0, (concentrate, dep))
        for dep in deposits
    ]
    feed = parts.pack.table("mine_feed")
    for region in parts.stage_regions[stage.name]:
        rows = feed[feed["region"] == region]
        if rows.empty:
            raise NetworkError(
                f"mine_feed.csv has no rows for region {region}, which mines or has a "
                "mining project; add its deposit mix"
            )
        for dep in sorted(set(rows["deposit"])):
            pid = f"{region}|{stage.name}|{dep}"
            parts.process(pid, region, stage, dep, pid)
            parts.coeffs.append((pid, f"{concentrate}|{dep}", 1.0))
    return made


def _build_elements(parts: _Parts, stage: Stage, previous: list[str]) -> list[str]:
    """Separation: each concentrate splits into oxides and the mixes a later stage takes."""
    made = _oxides(parts, stage)
    comp = parts.pack.table("deposit_composition")
    group_of = _element_groups(parts.pack, parts.stages)
    mixed = _mixed_shares(comp, group_of)
    made += [parts.product(f"{grp}|{dep}", stage, None, 1.0, (grp, dep)) for grp, dep in mixed]
    loss = parts.loss(stage)
    feed = {p["variant"]: str(p["product"]) for p in parts.products if p["product"] in previous}
    for region in parts.stage_regions[stage.name]:
        for dep_key, rows in comp.groupby("deposit"):
            dep = str(dep_key)
            pid = f"{region}|{stage.name}|{dep}"
            parts.process(pid, region, stage, dep, f"{region}|{stage.name}")
            parts.coeffs.append((pid, feed[dep], -loss))
            parts.coeffs.extend(
                (pid, str(el), float(share))
                for el, share in zip(rows["element"], rows["share"], strict=True)
                if share > 0 and str(el) not in group_of
            )
            parts.coeffs.extend(
                (pid, f"{grp}|{d}", share) for (grp, d), share in mixed.items() if d == dep
            )
    return made


def _build_split(parts: _Parts, stage: Stage, previous: list[str]) -> list[str]:
    """A stage that separates one element group from the mixes the element stage left."""
    made = _oxides(parts, stage)
    comp = parts.pack.table("deposit_composition")
    members = set(_separated_elements(parts.pack, stage, parts.stages))
    part = comp[comp["element"].isin(members) & (comp["share"] > 0)]
    loss = parts.loss(stage)
    for region in parts.stage_regions[stage.name]:
        for dep_key, rows in part.groupby("deposit"):
            dep = str(dep_key)
            total = float(rows["share"].sum())
            pid = f"{region}|{stage.name}|{dep}"
            parts.process(pid, region, stage, dep, f"{region}|{stage.name}")
            parts.coeffs.append((pid, f"{stage.separates}|{dep}", -loss))
            parts.coeffs.extend(
                (pid, str(el), float(share) / total)
                for el, share in zip(rows["element"], rows["share"], strict=True)
            )
    return made


def _build_metals(parts: _Parts, stage: Stage, previous: list[str]) -> list[str]:
    """Metal making: one metal per element that a recipe uses, from its oxide."""
    elements = parts.pack.table("elements").set_index("symbol")
    recipe_elements = sorted(parts.pack.table("magnet_recipes")["element"].unique())
    made = [
        parts.product(f"{el} metal", stage, el, float(elements.loc[el, "oxide_per_metal"]))
        for el in recipe_elements
    ]
    loss = parts.loss(stage)
    for region in parts.stage_regions[stage.name]:
        for el in recipe_elements:
            pid = f"{region}|{stage.name}|{el}"
            parts.process(pid, region, stage, el, f"{region}|{stage.name}")
            factor = float(elements.loc[el, "oxide_per_metal"]) * loss
            parts.coeffs.append((pid, el, -factor))
            parts.coeffs.append((pid, f"{el} metal", 1.0))
    return made


def _build_grades(parts: _Parts, stage: Stage, previous: list[str]) -> list[str]:
    """Magnet making: one grade per recipe, with costlier variants using less of an element."""
    recipes = parts.pack.table("magnet_recipes")
    variants = _recipe_variants(parts.pack, parts.year)
    magnet = _stage_product(parts.pack, stage)
    made = [
        parts.product(f"{magnet}|{r}", stage, None, 0.0, (magnet, r))
        for r in sorted(set(recipes["recipe"]))
    ]
    loss = parts.loss(stage)
    for region in parts.stage_regions[stage.name]:
        for recipe_key, rows in recipes.groupby("recipe"):
            recipe = str(recipe_key)
            content = dict(zip(rows["element"], rows["value"].astype(float), strict=True))
            options = [("", content, 0.0)] + [
                (f"|{name}", {el: v * factors.get(el, 1.0) for el, v in content.items()}, extra)
                for name, factors, extra in variants.get(recipe, [])
            ]
            for suffix, recipe_content, extra in options:
                pid = f"{region}|{stage.name}|{recipe}{suffix}"
                parts.process(pid, region, stage, recipe, f"{region}|{stage.name}", extra)
                parts.coeffs.append((pid, f"{magnet}|{recipe}", 1.0))
                parts.coeffs.extend(
                    (pid, f"{el} metal", -v * loss) for el, v in recipe_content.items() if v > 0
                )
    return made


def _build_plain(parts: _Parts, stage: Stage, previous: list[str]) -> list[str]:
    """Any other stage: its one product, made from the previous stage's one product."""
    table = parts.pack.table("products")
    names = list(table.loc[table["stage"] == stage.name, "product"])
    if len(names) != 1:
        raise NetworkError(
            f"stage '{stage.name}' needs exactly one product in products.csv "
            f"to be modelled, found {len(names)}"
        )
    made = [parts.product(names[0], stage, None, 1.0)]
    if previous and len(previous) != 1:
        raise NetworkError(f"stage '{stage.name}' follows a stage with several products")
    loss = parts.loss(stage)
    for region in parts.stage_regions[stage.name]:
        pid = f"{region}|{stage.name}"
        parts.process(pid, region, stage, "", pid)
        parts.coeffs.append((pid, names[0], 1.0))
        if previous:
            parts.coeffs.append((pid, previous[0], -loss))
    return made


def _build_recycled(parts: _Parts, stage: Stage, previous: list[str]) -> list[str]:
    """A recycling stage: products of earlier stages made from scrap (no input), the mix of
    ``recycled_mix.csv`` or else the one product of the stage it recycles."""
    mix = _recycled_mix(parts, stage)
    for region in parts.stage_regions[stage.name]:
        pid = f"{region}|{stage.name}"
        parts.process(pid, region, stage, "", pid)
        parts.coeffs.extend((pid, product, share) for product, share in mix.items())
    return []


def _recycled_mix(parts: _Parts, stage: Stage) -> dict[str, float]:
    """Product -> t per t of a recycling stage's output; only products made before it."""
    made = {str(p["product"]) for p in parts.products}
    pack = parts.pack
    table = pack.table("recycled_mix") if "recycled_mix" in pack.tables else None
    rows = None if table is None else table[table["stage"] == stage.name]
    if rows is None or rows.empty:
        own = [str(p["product"]) for p in parts.products if p["stage"] == stage.recycles]
        if len(own) != 1:
            raise NetworkError(
                f"stages.csv: stage '{stage.name}' recycles '{stage.recycles}', a stage of "
                f"{len(own)} products; recycled_mix.csv must say which it recovers"
            )
        return {own[0]: 1.0}
    unknown = sorted(set(rows["product"]) - made)
    if unknown:
        raise NetworkError(
            f"recycled_mix.csv: stage '{stage.name}' recovers {', '.join(unknown)}, which no "
            "earlier stage makes"
        )
    return dict(zip(rows["product"].astype(str), rows["share"].astype(float), strict=True))


_BUILDERS: dict[StageKind, Callable[[_Parts, Stage, list[str]], list[str]]] = {
    "deposits": _build_deposits,
    "elements": _build_elements,
    "split": _build_split,
    "metals": _build_metals,
    "grades": _build_grades,
    "plain": _build_plain,
    "recycled": _build_recycled,
}


def build_network(pack: Pack, year: int | None = None) -> Network:
    """Build the network of ``pack`` for a base ``year`` (default: the manifest's base year).

    Each stage is resolved by the builder of its kind (``_BUILDERS``); a split stage takes
    its input from the element stage, so the stage after it builds on the element stage.
    """
    year = pack.manifest.base_year if year is None else year
    stages = _stage_kinds(pack)
    regions = active_regions(pack, year)
    if not regions:
        raise NetworkError(f"pack '{pack.name}' has no production or demand in {year}")
    params = parameter_table(pack, [s.name for s in stages])
    parts = _Parts(pack, stages, _stage_regions(pack, year, stages), params, year)
    previous: list[str] = []
    for stage in stages:
        made = _BUILDERS[stage.kind](parts, stage, previous)
        if stage.kind not in ("split", "recycled"):
            previous = made
    product_frame = pd.DataFrame(parts.products).set_index("product")
    process_frame = pd.DataFrame(parts.processes).set_index("process")
    groups = process_frame.drop_duplicates("group").set_index("group")[
        ["region", "stage", "variant"]
    ]
    groups = groups.assign(
        variant=np.where(groups.index.str.count(r"\|") == 2, groups["variant"], "")
    )
    demand, baskets = _demand(pack, year, stages, product_frame)
    coefficients = pd.DataFrame(parts.coeffs, columns=["process", "product", "coeff"])
    _check_recycled_order(stages, process_frame, coefficients)
    return Network(
        pack=pack.name,
        commodity=pack.manifest.commodity,
        regions=regions,
        stages=stages,
        products=product_frame,
        processes=process_frame,
        coefficients=coefficients,
        groups=groups,
        demand=demand,
        baskets=baskets,
        element_products=parts.element_products,
    )


def _check_recycled_order(
    stages: list[Stage], processes: pd.DataFrame, coefficients: pd.DataFrame
) -> None:
    """A recycling stage comes before every stage that takes what it recovers."""
    order = {s.name: s.order for s in stages}
    stage_of = coefficients["process"].map(processes["stage"])
    for stage in stages:
        if stage.kind != "recycled":
            continue
        made = set(coefficients.loc[(stage_of == stage.name).to_numpy(), "product"])
        takes = coefficients[(coefficients["coeff"] < 0) & coefficients["product"].isin(made)]
        takers = sorted({str(t) for t in stage_of[takes.index]}, key=order.__getitem__)
        early = [t for t in takers if order[t] < stage.order]
        if early:
            raise NetworkError(
                f"stages.csv: recycling stage '{stage.name}' must come before stage "
                f"'{early[0]}', which takes what it recovers"
            )


def _element_groups(pack: Pack, stages: list[Stage]) -> dict[str, str]:
    """Element -> group, for the elements that a later stage separates."""
    groups = {s.separates for s in stages if s.kind == "split"}
    if not groups:
        return {}
    table = pack.table("elements")
    rows = table[table["group"].isin(groups)]
    return dict(zip(rows["symbol"].astype(str), rows["group"].astype(str), strict=True))


def _separated_elements(pack: Pack, stage: Stage, stages: list[Stage]) -> list[str]:
    """Elements a separation stage yields: its group for a split stage, else the rest."""
    symbols = [str(s) for s in pack.table("elements")["symbol"]]
    group_of = _element_groups(pack, stages)
    if stage.kind == "split":
        return [s for s in symbols if group_of.get(s) == stage.separates]
    return [s for s in symbols if s not in group_of]


def _mixed_shares(comp: pd.DataFrame, group_of: dict[str, str]) -> dict[tuple[str, str], float]:
    """(group, deposit) -> share of the deposit's REO that leaves as that group's mix."""
    rows = comp[comp["element"].isin(set(group_of)) & (comp["share"] > 0)]
    shares = rows.groupby([rows["element"].map(group_of), rows["deposit"]])["share"].sum()
    return {
        (str(key[0]), str(key[1])): float(v)
        for key, v in zip(shares.index, shares.to_numpy(), strict=True)
    }


def _stage_product(pack: Pack, stage: Stage | str) -> str:
    """The one product ``products.csv`` names for a stage whose products come in variants."""
    name = stage if isinstance(stage, str) else stage.name
    table = pack.table("products")
    names = list(table.loc[table["stage"] == name, "product"])
    if len(names) != 1:
        raise NetworkError(
            f"products.csv: stage '{name}' makes one product per deposit or recipe, so it needs "
            f"exactly one product row naming them (found {len(names)})"
        )
    return str(names[0])


def _product(name: str, stage: Stage, element: str | None, weight: float) -> dict[str, object]:
    return {
        "product": name,
        "stage": stage.name,
        "unit": stage.unit,
        "element": element,
        "reo_weight": weight,
    }


def _process(
    pid: str, region: str, stage: str, variant: str, group: str, extra_cost: float = 0.0
) -> dict[str, object]:
    return {
        "process": pid,
        "region": region,
        "stage": stage,
        "variant": variant,
        "group": group,
        "extra_cost": extra_cost,
    }


def _recipe_variants(pack: Pack, year: int) -> dict[str, list[tuple[str, dict[str, float], float]]]:
    """recipe -> [(variant, element factors, extra cost USD/kg)] from ``recipe_variants``:
    the variants made commercially by ``year``, the network's base year."""
    if "recipe_variants" not in pack.tables:
        return {}
    table = pack.table("recipe_variants")
    recipe_elements = set(pack.table("magnet_recipes")["element"])
    out: dict[str, list[tuple[str, dict[str, float], float]]] = {}
    for (recipe, variant), rows in table.groupby(["recipe", "variant"], sort=True):
        costs = set(rows["extra_cost"].astype(float))
        first = _variant_first_year(rows, str(recipe), str(variant))
        if len(costs) != 1:
            raise NetworkError(
                f"recipe_variants.csv: variant '{variant}' of recipe '{recipe}' has different "
                f"extra_cost values ({', '.join(f'{c:g}' for c in sorted(costs))}); "
                "give the same on every row"
            )
        if first is not None and first > year:
            continue
        unknown = set(rows["element"]) - recipe_elements
        if unknown:
            raise NetworkError(
                f"recipe_variants.csv: variant '{variant}' of recipe '{recipe}' scales "
                f"{', '.join(sorted(map(str, unknown)))}, which no magnet recipe uses"
            )
        factors = dict(zip(rows["element"], rows["factor"].astype(float), strict=True))
        out.setdefault(str(recipe), []).append((str(variant), factors, costs.pop()))
    return out


def _variant_first_year(rows: pd.DataFrame, recipe: str, variant: str) -> int | None:
    """The variant's ``from_year`` (None where every row leaves it empty)."""
    if "from_year" not in rows:
        return None
    years = {int(y) for y in rows["from_year"] if not pd.isna(y)}
    if len(years) > 1 or (years and rows["from_year"].isna().any()):
        raise NetworkError(
            f"recipe_variants.csv: variant '{variant}' of recipe '{recipe}' has different "
            "from_year values; give the same on every row (or leave it empty on all)"
        )
    return years.pop() if years else None


def _stage_regions(pack: Pack, year: int, stages: list[Stage]) -> dict[str, list[str]]:
    """Regions that run each stage: base-year output, a project or a technology row."""
    prod = pack.select("production", year=year)
    out: dict[str, list[str]] = {}
    for stage in stages:
        names = set(prod.loc[(prod["stage"] == stage.name) & (prod["value"] > 0), "region"])
        for table in ("projects", "technology"):
            if table in pack.tables:
                frame = pack.table(table)
                names |= set(frame.loc[frame["stage"] == stage.name, "region"])
        out[stage.name] = sorted(names - set(AGGREGATES))
    return out


def _demand(
    pack: Pack, year: int, stages: list[Stage], products: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Demand sectors by region, and the basket of products each sector consumes."""
    if "demand" not in pack.tables:
        raise NetworkError(f"pack '{pack.name}' has no demand.csv; the market model needs it")
    sectors = pack.table("sectors").set_index("sector")
    rows = pack.select("demand", year=year)
    if rows.empty:
        raise NetworkError(f"demand.csv of pack '{pack.name}' has no rows for {year}")
    demand = (
        rows[["region", "sector", "unit"]]
        .assign(stage=[sectors.loc[s, "stage"] for s in rows["sector"]])
        .set_index(["region", "sector"])
        .sort_index()
    )
    recipes = (
        set(pack.table("magnet_recipes")["recipe"]) if "magnet_recipes" in pack.tables else set()
    )
    mixes = pack.table("sector_elements") if "sector_elements" in pack.tables else None
    basket: list[tuple[str, str, float]] = []
    for sector in sorted(set(rows["sector"])):
        stage = str(sectors.loc[sector, "stage"])
        if sector in recipes:
            basket.append((sector, f"{_stage_product(pack, stage)}|{sector}", 1.0))
        elif mixes is not None and sector in set(mixes["sector"]):
            part = mixes[mixes["sector"] == sector]
            basket.extend(
                (sector, str(e), float(s))
                for e, s in zip(part["element"], part["share"], strict=True)
                if s > 0
            )
        else:
            names = list(products.index[products["stage"] == stage])
            if len(names) != 1:
                raise NetworkError(
                    f"sector '{sector}' at stage '{stage}' needs a recipe, an element mix or "
                    "a stage with a single product"
                )
            basket.append((sector, names[0], 1.0))
    return demand, pd.DataFrame(basket, columns=["sector", "product", "coeff"])
