"""The one declaration of every data-pack table: columns, types, units, allowed values, keys.

Validation (:mod:`mineralflow.data.validate`), the ``data schema`` command and the docs all read
these declarations, so a column is described in exactly one place.  The same tables serve every
commodity: a rare-earth pack and an aluminium pack differ only in which optional tables they
ship and in their rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ColumnKind = Literal["str", "int", "float", "date"]

CONFIDENCE_CODES: dict[str, str] = {
    "V": "verified: read in the original publication (or its data release)",
    "S": "secondary: a press, trade or company page quoting the original publication",
    "E": "estimate made for this pack; the method is written up in docs/data.md",
}


@dataclass(frozen=True)
class Column:
    """One column: type, meaning, and the rule a value must satisfy."""

    name: str
    kind: ColumnKind
    description: str
    required: bool = True
    allowed: tuple[str, ...] | None = None
    ref: tuple[str, str] | None = None  # (table, column) that must contain the value
    minimum: float | None = None
    maximum: float | None = None
    unit: str | None = None  # documented unit; "row" when the row's unit column says it

    def rule(self) -> str:
        """Human-readable statement of what is allowed, for messages and docs."""
        parts = [{"str": "text", "int": "integer", "float": "number", "date": "date"}[self.kind]]
        if self.kind == "date":
            parts = ["date as YYYY, YYYY-MM or YYYY-MM-DD"]
        if self.allowed is not None:
            parts.append("one of " + ", ".join(self.allowed))
        if self.ref is not None:
            parts.append(f"a value of {self.ref[0]}.{self.ref[1]}")
        if self.minimum is not None:
            parts.append(f">= {self.minimum:g}")
        if self.maximum is not None:
            parts.append(f"<= {self.maximum:g}")
        parts.append("required" if self.required else "may be empty")
        return "; ".join(parts)


@dataclass(frozen=True)
class ShareGroup:
    """Rows grouped by ``by`` must have ``column`` summing to 1 (within ``tolerance``)."""

    by: tuple[str, ...]
    column: str
    tolerance: float = 0.005


@dataclass(frozen=True)
class UnitRule:
    """The row's ``unit`` must equal the unit that ``table`` declares for the row's ``column``."""

    column: str
    table: str


@dataclass(frozen=True)
class Table:
    """A table of a data pack, stored as ``<name>.csv``."""

    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    required: bool = False
    shares: ShareGroup | None = None
    unit_rule: UnitRule | None = None
    fixed_unit: str | None = None  # the only unit a row may state
    vintaged: bool = False  # several editions of one figure may coexist; latest is the default
    sources: bool = True  # rows name a source_id and a confidence

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def figure_key(self) -> tuple[str, ...]:
        """Columns that identify one figure across editions (the key without the source)."""
        return tuple(c for c in self.key if c != "source_id")


# --- reusable columns -------------------------------------------------------------------------


def _region(
    name: str = "region",
    description: str = "ISO 3166 alpha-3 code or an aggregate declared in regions.csv (ROW, WLD)",
) -> Column:
    return Column(name, "str", description, ref=("regions", "code"))


YEAR = Column("year", "int", "calendar year the figure refers to", minimum=1990, maximum=2060)
VALUE = Column("value", "float", "the figure, in the row's unit", minimum=0, unit="row")
STAGE = Column("stage", "str", "supply-chain stage (stages.csv)", ref=("stages", "stage"))
UNIT = Column("unit", "str", "unit of value; must be the unit stages.csv or sectors.csv declares")
SHARE = Column("share", "float", "fraction between 0 and 1", minimum=0, maximum=1, unit="fraction")
ELEMENT = Column("element", "str", "element symbol (elements.csv)", ref=("elements", "symbol"))
SOURCE_ID = Column(
    "source_id",
    "str",
    "the publication this row comes from (sources.csv)",
    ref=("sources", "source_id"),
)
CONFIDENCE = Column(
    "confidence", "str", "how the figure was checked", allowed=tuple(CONFIDENCE_CODES)
)
NOTE = Column("note", "str", "remarks: footnotes, estimates, caveats", required=False)

SOURCED = (SOURCE_ID, CONFIDENCE, NOTE)
GOVERNANCE_INDICATORS = ("va", "pv", "ge", "rq", "rl", "cc")


def _quantity_table(name: str, description: str, *, required: bool = False) -> Table:
    """Tonnages by region, stage and year (production, capacity, consumption)."""
    return Table(
        name=name,
        description=description,
        columns=(_region(), STAGE, YEAR, VALUE, UNIT, *SOURCED),
        key=("region", "stage", "year", "source_id"),
        required=required,
        unit_rule=UnitRule("stage", "stages"),
        vintaged=True,
    )


#: the uncertainty row of a project that is built or not (a Bernoulli draw)
PROJECT_INPUT = "project_goes_ahead"

#: the uncertainty row of the heavy elements' share of a deposit (elements.csv group heavy)
HEAVY_SHARE_INPUT = "heavy_share"

#: the elasticities an uncertainty row may name: (kind, horizon) of elasticities.csv, and
#: one factor on both horizons (horizon None), which keeps the short run below the long run
ELASTICITY_INPUTS: dict[str, tuple[str, str | None]] = {
    **{f"{kind}_elasticity": (kind, None) for kind in ("supply", "demand")},
    **{
        f"{kind}_elasticity_{horizon}": (kind, horizon)
        for kind in ("supply", "demand")
        for horizon in ("short", "long")
    },
}

MODEL_PARAMETERS: dict[str, tuple[str, str]] = {
    "input_per_output": (
        "t/t",
        "t of the previous stage's product per t of output, losses included",
    ),
    "transport_cost": ("USD/kg", "cost of moving a kg of the stage's product between two regions"),
    "transport_value_share": (
        "1",
        "part of a product's base-year price added to its transport cost (insurance, financing)",
    ),
    "disposal_cost": ("USD/kg", "cost of disposing of or storing a kg of unsold product"),
    "base_utilisation": ("1", "share of capacity used in the base year where capacity is unknown"),
    "investment_rate": ("1/yr", "largest yearly capacity growth that high prices can trigger"),
    "lead_time": ("yr", "years between an investment decision and new capacity"),
    "ramp_years": ("yr", "years a new project takes to reach its capacity"),
    "gap_cost_factor": ("1", "cost multiplier of capacity at technology gap 1"),
    "gap_yield_loss": ("1", "share of output lost by capacity at technology gap 1"),
    "max_price_multiple": (
        "1",
        "highest price, as a multiple of the base-year price, that buyers of the stage's "
        "products pay before going without (no limit where absent)",
    ),
    "demand_adjustment": (
        "1/yr",
        "share of the gap to the long-run price response that buyers of the stage's products "
        "close each year (partial adjustment; 1 closes it within a year)",
    ),
    "route_elasticity": (
        "1",
        "response of a trade route's flow to its delivered price (an Armington elasticity): "
        "published bilateral flows of the stage are calibrated as routes whose premium rises "
        "with their flow; none where absent (least-cost trade)",
    ),
    "stock_elasticity": (
        "1",
        "response of stock holders' purchases and sales of the stage's products to price "
        "(their curves pass through the base-year amounts at the base-year price)",
    ),
    "stock_turnover": (
        "1",
        "share of each product's output that stock holders at its reference market buy and "
        "sell in the base year, which pins prices that fixed baskets leave undetermined",
    ),
    "stock_cover": (
        "yr",
        "stock held at the start of the base year, beyond what the base year draws from it, "
        "in years of the base-year use there (no level where absent: stocks without limit)",
    ),
    "holding_cost": (
        "1/yr",
        "cost of holding a kg of the stage's products for a year (interest, storage, "
        "insurance), as a share of its base-year price",
    ),
    "expectation_weight": (
        "1",
        "share of the gap between expected and realised unit value added that investors "
        "close each year (adaptive expectations; 1 expects last year's to last)",
    ),
    "capital_cost": (
        "USD/kg",
        "capital cost of new capacity, USD per kg of the stage's product a year",
    ),
    "capital_recovery": (
        "1/yr",
        "yearly charge per USD of capital (the annuity of the cost of capital over the "
        "plant's life)",
    ),
    "project_response": (
        "1",
        "change in the log-odds that an announced project is built per capital charge of "
        "change in its expected return",
    ),
}


TABLES: tuple[Table, ...] = (
    Table(
        name="sources",
        description="Publications behind the figures, one row per publication table or page.",
        columns=(
            Column("source_id", "str", "short identifier used by data rows"),
            Column("publisher", "str", "organisation or author"),
            Column("title", "str", "title of the publication"),
            Column(
                "edition",
                "str",
                "edition as published, e.g. MCS2026; for estimates the pack version",
            ),
            Column("year", "int", "year the edition was published", minimum=1900, maximum=2100),
            Column(
                "table_or_page",
                "str",
                "table, page or section the figures come from",
                required=False,
            ),
            Column("url", "str", "where the original is published", required=False),
            Column(
                "accessed_via",
                "str",
                "the stored copy that was read, where not the original",
                required=False,
            ),
            Column(
                "method",
                "str",
                "for estimates: heading in docs/data.md that explains the method",
                required=False,
            ),
            NOTE,
        ),
        key=("source_id",),
        required=True,
        sources=False,
    ),
    Table(
        name="regions",
        description="Regions of the pack: countries by ISO 3166 alpha-3 code, plus aggregates.",
        columns=(
            Column("code", "str", "ISO 3166 alpha-3 code (kind country) or aggregate code"),
            Column("name", "str", "English short name"),
            Column("kind", "str", "country or aggregate", allowed=("country", "aggregate")),
            Column("group", "str", "political or economic group, e.g. EU", required=False),
            SOURCE_ID,
        ),
        key=("code",),
        required=True,
        sources=False,
    ),
    Table(
        name="stages",
        description="Stages of the supply chain in process order, each with its one unit.",
        columns=(
            Column("stage", "str", "stage name"),
            Column("order", "int", "position in the chain, 1 = first", minimum=1),
            Column("unit", "str", "the unit every tonnage of this stage is stated in"),
            Column("description", "str", "what the stage does"),
            Column(
                "separates",
                "str",
                "for a stage after the element stage: the elements.csv group it separates from "
                "the mixed concentrate the element stage leaves of it (e.g. heavy)",
                required=False,
                ref=("elements", "group"),
            ),
            Column(
                "recycles",
                "str",
                "for a recycling stage: the stage whose product it recovers from scrap "
                "(secondary production; recycled_mix.csv names several products); it takes no "
                "input in the model",
                required=False,
                ref=("stages", "stage"),
            ),
            SOURCE_ID,
        ),
        key=("stage",),
        required=True,
        sources=False,
    ),
    Table(
        name="products",
        description="Traded and priced products, each belonging to one stage.",
        columns=(
            Column("product", "str", "product name (element symbols for separated oxides)"),
            STAGE,
            Column("description", "str", "what the product is"),
            SOURCE_ID,
        ),
        key=("product",),
        required=True,
        sources=False,
    ),
    _quantity_table("production", "Output by region, stage and year.", required=True),
    _quantity_table("capacity", "Nameplate capacity by region, stage and year."),
    _quantity_table("consumption", "Apparent consumption by region, stage and year."),
    Table(
        name="reserves",
        description="Reserves by region as stated in each edition.",
        columns=(_region(), STAGE, YEAR, VALUE, UNIT, *SOURCED),
        key=("region", "stage", "year", "source_id"),
        unit_rule=UnitRule("stage", "stages"),
        vintaged=True,
    ),
    Table(
        name="trade",
        description="Published bilateral or total trade flows in the stage's unit.",
        columns=(
            _region("exporter", "exporting region"),
            _region("importer", "importing region (WLD for total exports)"),
            STAGE,
            YEAR,
            VALUE,
            UNIT,
            *SOURCED,
        ),
        key=("exporter", "importer", "stage", "year", "source_id"),
        unit_rule=UnitRule("stage", "stages"),
        vintaged=True,
    ),
    Table(
        name="trade_contracts",
        description=(
            "Captive routes: at least this much of a product shipped from exporter to importer "
            "each year of the window (a plant's feed contract), in the base year's calibration "
            "and in every scenario; a scenario's ban on the route ends it."
        ),
        columns=(
            _region("exporter", "shipping region"),
            _region("importer", "receiving region"),
            STAGE,
            Column(
                "product",
                "str",
                "the product as the network names it (concentrate|mount_weld: a deposit's "
                "concentrate)",
            ),
            Column("start", "int", "first year", minimum=1990, maximum=2060),
            Column("end", "int", "last year", minimum=1990, maximum=2060),
            VALUE,
            UNIT,
            *SOURCED,
        ),
        key=("exporter", "importer", "product", "start"),
        unit_rule=UnitRule("stage", "stages"),
    ),
    Table(
        name="import_sources",
        description="Shares of an importer's imports by origin over a period, as published.",
        columns=(
            _region("importer", "importing region"),
            _region("exporter", "origin (ROW for all others)"),
            STAGE,
            Column("period_start", "int", "first year of the period", minimum=1990, maximum=2060),
            Column("period_end", "int", "last year of the period", minimum=1990, maximum=2060),
            SHARE,
            *SOURCED,
        ),
        key=("importer", "exporter", "stage", "period_start", "period_end", "source_id"),
        shares=ShareGroup(
            ("importer", "stage", "period_start", "period_end", "source_id"), "share", 0.015
        ),
    ),
    Table(
        name="outlooks",
        description=(
            "Published outlooks: a region's share of a stage's output in a future year under a "
            "named case, to compare the model's baseline with (never an input of the model)."
        ),
        columns=(
            Column("outlook", "str", "the publisher's case, e.g. 'IEA GCMO 2024 base case'"),
            _region(),
            STAGE,
            Column(
                "elements",
                "str",
                "element symbols the share is measured on, separated by spaces (elements.csv); "
                "empty for the stage's whole output",
                required=False,
            ),
            YEAR,
            Column("value", "float", "the region's share", minimum=0, maximum=100, unit="%"),
            *SOURCED,
        ),
        key=("outlook", "region", "stage", "elements", "year", "source_id"),
    ),
    Table(
        name="outlook_demand",
        description=(
            "Published outlooks of demand: how much a group of sectors' demand grows between "
            "two years under a named case, to compare the model's baseline with (never an "
            "input of the model)."
        ),
        columns=(
            Column("outlook", "str", "the publisher's case, e.g. 'IEA GCMO 2025 STEPS'"),
            Column(
                "sectors",
                "str",
                "demand sectors the outlook's demand covers, separated by spaces (sectors.csv)",
            ),
            Column(
                "from_year", "int", "the year growth is measured from", minimum=1990, maximum=2060
            ),
            YEAR,
            Column(
                "value",
                "float",
                "growth of demand from from_year to year",
                minimum=-100,
                unit="%",
            ),
            *SOURCED,
        ),
        key=("outlook", "sectors", "from_year", "year", "source_id"),
    ),
    Table(
        name="net_import_reliance",
        description="Published net import reliance, % of apparent consumption.",
        columns=(
            _region(),
            STAGE,
            YEAR,
            Column(
                "value",
                "float",
                "percent of apparent consumption; empty when the source "
                "gives only a bound or says net exporter",
                required=False,
                minimum=0,
                maximum=100,
                unit="%",
            ),
            Column(
                "qualifier",
                "str",
                "'=' exact, '>' or '<' a bound, 'E' net exporter",
                allowed=("=", ">", "<", "E"),
            ),
            *SOURCED,
        ),
        key=("region", "stage", "year", "source_id"),
        vintaged=True,
    ),
    Table(
        name="sectors",
        description="Demand sectors, the stage each one buys from and its unit.",
        columns=(
            Column("sector", "str", "sector name"),
            STAGE,
            Column("unit", "str", "unit of this sector's demand"),
            Column("description", "str", "what the sector covers"),
            SOURCE_ID,
        ),
        key=("sector",),
        sources=False,
    ),
    Table(
        name="demand",
        description="Demand by region, sector and year in the sector's unit.",
        columns=(
            _region(),
            Column("sector", "str", "demand sector (sectors.csv)", ref=("sectors", "sector")),
            YEAR,
            VALUE,
            UNIT,
            *SOURCED,
        ),
        key=("region", "sector", "year", "source_id"),
        unit_rule=UnitRule("sector", "sectors"),
        vintaged=True,
    ),
    Table(
        name="end_use_shares",
        description="Published shares of consumption by end use.",
        columns=(
            _region(),
            Column("sector", "str", "demand sector (sectors.csv)", ref=("sectors", "sector")),
            YEAR,
            SHARE,
            *SOURCED,
        ),
        key=("region", "sector", "year", "source_id"),
        shares=ShareGroup(("region", "year", "source_id"), "share", 0.015),
        vintaged=True,
    ),
    Table(
        name="prices",
        description="Prices in USD/kg by product, market and basis.",
        columns=(
            Column("product", "str", "priced product (products.csv)", ref=("products", "product")),
            _region(
                "market",
                "where the price holds: WLD for export (FOB) prices, a country for domestic prices",
            ),
            Column(
                "basis",
                "str",
                "what kind of price",
                allowed=("annual average", "year-end low", "year-end high", "spot"),
            ),
            YEAR,
            Column("value", "float", "price", minimum=0, unit="USD/kg"),
            Column("unit", "str", "always USD/kg", allowed=("USD/kg",)),
            *SOURCED,
        ),
        key=("product", "market", "basis", "year", "source_id"),
        fixed_unit="USD/kg",
        vintaged=True,
    ),
    Table(
        name="elasticities",
        description="Price elasticities of demand (<= 0) and supply (>= 0) from the literature.",
        columns=(
            Column("scope", "str", "sector, stage or product the elasticity applies to"),
            Column("kind", "str", "demand or supply", allowed=("demand", "supply")),
            Column("horizon", "str", "short run (1 year) or long run", allowed=("short", "long")),
            Column("value", "float", "elasticity", minimum=-10, maximum=10, unit="1"),
            *SOURCED,
        ),
        key=("scope", "kind", "horizon", "source_id"),
    ),
    Table(
        name="costs",
        description="Unit costs by region and stage, USD per kg of the stage's unit.",
        columns=(
            _region(),
            STAGE,
            YEAR,
            Column(
                "cost_type",
                "str",
                "operating (cash) cost or all-in cost incl. capital",
                allowed=("operating", "all-in"),
            ),
            Column("value", "float", "cost", minimum=0, unit="USD/kg"),
            Column("unit", "str", "always USD/kg", allowed=("USD/kg",)),
            *SOURCED,
        ),
        key=("region", "stage", "year", "cost_type", "source_id"),
        fixed_unit="USD/kg",
    ),
    Table(
        name="projects",
        description="Capacity projects: announced, under construction or recently started.",
        columns=(
            Column("project", "str", "project name"),
            Column("owner", "str", "operator or owner"),
            _region(),
            STAGE,
            Column(
                "capacity", "float", "capacity in the stage's unit per year", minimum=0, unit="row"
            ),
            UNIT,
            Column(
                "start_year", "int", "first year of output (announced)", minimum=1990, maximum=2060
            ),
            Column(
                "status",
                "str",
                "state of the project (project_status.csv)",
                ref=("project_status", "status"),
            ),
            *SOURCED,
        ),
        key=("project", "stage"),
        unit_rule=UnitRule("stage", "stages"),
    ),
    Table(
        name="policy_events",
        description="Dated policy measures and agreements.",
        columns=(
            Column("date", "date", "when it took effect or was announced"),
            _region("actor", "government or region acting"),
            _region("target", "region aimed at (WLD for all)"),
            Column(
                "kind",
                "str",
                "type of measure",
                allowed=(
                    "export_quota",
                    "export_licence",
                    "export_ban",
                    "technology_ban",
                    "tariff",
                    "quota_removal",
                    "trade_dispute",
                    "agreement",
                    "production_target",
                    "investment",
                    "price_floor",
                ),
            ),
            Column(
                "stage",
                "str",
                "stage concerned (stages.csv)",
                required=False,
                ref=("stages", "stage"),
            ),
            Column("elements", "str", "element symbols concerned, space-separated", required=False),
            Column(
                "value",
                "float",
                "the measure's number (quota, rate, target)",
                required=False,
                unit="row",
            ),
            Column("unit", "str", "unit of value", required=False),
            Column("description", "str", "what happened"),
            *SOURCED,
        ),
        key=("date", "actor", "kind", "description"),
    ),
    Table(
        name="quotas",
        description="Government production and export quotas in the stage's unit.",
        columns=(
            _region(),
            Column(
                "kind",
                "str",
                "what the quota limits",
                allowed=("mining", "mining_rock", "mining_ionic", "separation", "export"),
            ),
            STAGE,
            YEAR,
            VALUE,
            UNIT,
            *SOURCED,
        ),
        key=("region", "kind", "year", "source_id"),
        unit_rule=UnitRule("stage", "stages"),
        vintaged=True,
    ),
    Table(
        name="parameters",
        description=(
            "Model parameters by stage or product: yields, transport and disposal costs, "
            "utilisation, investment response and lead times, technology-gap effects."
        ),
        columns=(
            Column(
                "parameter",
                "str",
                "which parameter",
                allowed=tuple(MODEL_PARAMETERS),
            ),
            Column("scope", "str", "the stage (stages.csv) the value applies to"),
            Column("value", "float", "the value, in the row's unit", minimum=0, unit="row"),
            Column("unit", "str", "unit of value; must be the unit the parameter declares"),
            *SOURCED,
        ),
        key=("parameter", "scope", "source_id"),
    ),
    Table(
        name="demand_growth",
        description="Default demand growth by sector and region, fraction per year.",
        columns=(
            Column("sector", "str", "demand sector (sectors.csv)", ref=("sectors", "sector")),
            _region(description="region, or WLD for every region without its own row"),
            Column("start_year", "int", "first year of growth", minimum=1990, maximum=2060),
            Column("end_year", "int", "last year of growth", minimum=1990, maximum=2060),
            Column(
                "rate",
                "float",
                "growth per year, e.g. 0.05 for 5 %",
                minimum=-0.5,
                maximum=1,
                unit="1/yr",
            ),
            *SOURCED,
        ),
        key=("sector", "region", "start_year", "source_id"),
    ),
    Table(
        name="technology",
        description=(
            "Technology gap of a region at a stage, 0 (at the frontier) to 1 (none): raises "
            "costs and lowers yields of that region's new capacity."
        ),
        columns=(
            _region(),
            STAGE,
            Column("gap", "float", "technology gap", minimum=0, maximum=1, unit="1"),
            *SOURCED,
        ),
        key=("region", "stage"),
    ),
    Table(
        name="project_status",
        description=(
            "Chance that an announced project in each state is built on schedule, before "
            "expected margins move it."
        ),
        columns=(
            Column("status", "str", "state of a project, as projects.csv writes it"),
            Column("probability", "float", "chance of being built", minimum=0, maximum=1, unit="1"),
            Column(
                "decided",
                "str",
                "whether the investment decision is taken in this state (no: it is taken in "
                "the run, a lead time before output)",
                allowed=("yes", "no"),
            ),
            *SOURCED,
        ),
        key=("status",),
    ),
    # --- tables that only element-resolved commodities (rare earths) need --------------------
    Table(
        name="elements",
        description="Elements, their oxide and the oxide-to-metal mass ratio.",
        columns=(
            Column("symbol", "str", "element symbol, or 'other' for the rest"),
            Column("name", "str", "element name"),
            Column("oxide", "str", "oxide formula used for REO equivalence"),
            Column(
                "oxide_per_metal",
                "float",
                "t oxide per t metal",
                minimum=1,
                maximum=2,
                unit="t oxide / t metal",
            ),
            Column("group", "str", "light or heavy rare earth", allowed=("light", "heavy")),
            SOURCE_ID,
        ),
        key=("symbol",),
        sources=False,
    ),
    Table(
        name="deposits",
        description="Deposit classes that mines draw on.",
        columns=(
            Column("deposit", "str", "deposit class name"),
            _region(),
            Column("type", "str", "geological type and mineral"),
            Column("description", "str", "where and who"),
            *SOURCED,
        ),
        key=("deposit",),
    ),
    Table(
        name="deposit_composition",
        description="Element distribution of each deposit class, fraction of REO.",
        columns=(
            Column("deposit", "str", "deposit class (deposits.csv)", ref=("deposits", "deposit")),
            ELEMENT,
            SHARE,
            *SOURCED,
        ),
        key=("deposit", "element"),
        shares=ShareGroup(("deposit",), "share"),
    ),
    Table(
        name="mine_feed",
        description="Share of each region's mine output that comes from each deposit class.",
        columns=(
            _region(),
            Column("deposit", "str", "deposit class (deposits.csv)", ref=("deposits", "deposit")),
            YEAR,
            SHARE,
            *SOURCED,
        ),
        key=("region", "deposit", "year"),
        shares=ShareGroup(("region", "year"), "share"),
    ),
    Table(
        name="sector_elements",
        description="Element mix of each sector's rare-earth use, fraction of REO.",
        columns=(
            Column("sector", "str", "demand sector (sectors.csv)", ref=("sectors", "sector")),
            ELEMENT,
            SHARE,
            *SOURCED,
        ),
        key=("sector", "element"),
        shares=ShareGroup(("sector",), "share"),
    ),
    Table(
        name="recycled_mix",
        description=(
            "Products a recycling stage (stages.csv 'recycles') recovers, per t of its output; "
            "without rows it makes the one product of the stage it recycles."
        ),
        columns=(
            Column("stage", "str", "the recycling stage (stages.csv)", ref=("stages", "stage")),
            Column("product", "str", "a product of an earlier stage (an oxide's element symbol)"),
            SHARE,
            *SOURCED,
        ),
        key=("stage", "product"),
        shares=ShareGroup(("stage",), "share"),
    ),
    Table(
        name="magnet_recipes",
        description="Rare-earth metal content of a magnet grade, t metal per t magnet.",
        columns=(
            Column("recipe", "str", "magnet grade, named after its main use"),
            ELEMENT,
            Column(
                "value",
                "float",
                "t metal per t magnet",
                minimum=0,
                maximum=1,
                unit="t metal / t magnet",
            ),
            *SOURCED,
        ),
        key=("recipe", "element"),
    ),
    Table(
        name="recipe_variants",
        description=(
            "Alternative ways of making a magnet grade with less of a scarce element (e.g. "
            "grain-boundary diffusion of Tb in place of bulk Dy): each variant scales the "
            "standard recipe's content of the listed elements and costs more to make."
        ),
        columns=(
            Column(
                "recipe",
                "str",
                "magnet grade (magnet_recipes.csv)",
                ref=("magnet_recipes", "recipe"),
            ),
            Column("variant", "str", "name of the variant"),
            ELEMENT,
            Column(
                "factor",
                "float",
                "multiplies the element's content in the standard recipe",
                minimum=0,
                maximum=10,
                unit="fraction",
            ),
            Column(
                "extra_cost",
                "float",
                "making cost above the standard recipe, the same on every row of one variant",
                minimum=0,
                unit="USD/kg",
            ),
            Column(
                "from_year",
                "int",
                "first year the variant was made commercially; a run whose base year is "
                "earlier has no such variant; empty: always; the same on every row of one "
                "variant",
                required=False,
                minimum=1900,
                maximum=2100,
                unit="year",
            ),
            *SOURCED,
        ),
        key=("recipe", "variant", "element"),
    ),
    Table(
        name="governance",
        description=(
            "World Bank Worldwide Governance Indicators by country: the governance term of "
            "the EU supply-risk index (docs/analysis.md)."
        ),
        columns=(
            _region(),
            YEAR,
            Column(
                "indicator",
                "str",
                "va voice and accountability, pv political stability, ge government "
                "effectiveness, rq regulatory quality, rl rule of law, cc control of corruption",
                allowed=GOVERNANCE_INDICATORS,
            ),
            Column(
                "value",
                "float",
                "the WGI estimate (about -2.5 weak to 2.5 strong)",
                minimum=-3,
                maximum=3,
                unit="WGI estimate",
            ),
            *SOURCED,
        ),
        key=("region", "year", "indicator"),
    ),
    Table(
        name="supply_risk",
        description=(
            "Parameters of the EU (JRC) supply-risk index by material: the stage assessed, "
            "end-of-life recycling input rate, substitution index, and the published index "
            "the model's is compared with."
        ),
        columns=(
            Column("material", "str", "material as the assessment names it (e.g. LREE)"),
            STAGE,
            Column(
                "parameter",
                "str",
                "eol_rir (fraction), si_sr (0-1) or reference_sr (the published index)",
                allowed=("eol_rir", "si_sr", "reference_sr"),
            ),
            Column(
                "value",
                "float",
                "the parameter's value",
                minimum=0,
                maximum=10,
                unit="fraction or index",
            ),
            *SOURCED,
        ),
        key=("material", "parameter"),
    ),
    Table(
        name="uncertainty",
        description=(
            "How uncertain the estimates of parameters.csv and elasticities.csv are, as a "
            "distribution of a factor on the pack's value: what an ensemble (``mineralflow "
            "ensemble``) draws its members from.  One row is one uncertain input; scope 'all' "
            "moves every stage's (or sector's) value by the same factor."
        ),
        columns=(
            Column(
                "parameter",
                "str",
                "a parameter of parameters.csv, or elasticities of elasticities.csv: "
                "supply_elasticity or demand_elasticity (both horizons by one factor), or one "
                "horizon (supply_elasticity_short, ..., demand_elasticity_long); "
                "heavy_share (the heavy elements' share of a deposit, deposit_composition.csv); "
                "or project_goes_ahead (a project of projects.csv is built or not)",
                allowed=(*MODEL_PARAMETERS, *ELASTICITY_INPUTS, PROJECT_INPUT, HEAVY_SHARE_INPUT),
            ),
            Column(
                "scope",
                "str",
                "the stage of the parameters.csv row (the scope of the elasticities.csv "
                "row, the deposit, the project of projects.csv), or 'all' for every one "
                "(every project: one input each)",
            ),
            Column(
                "distribution",
                "str",
                "uniform (low to high), triangular (low, mode, high), lognormal (low and "
                "high its 5th and 95th percentiles) or bernoulli (a project: built with the "
                "chance its status gives, project_status.csv; no low or high)",
                allowed=("uniform", "triangular", "lognormal", "bernoulli"),
            ),
            Column(
                "low",
                "float",
                "lowest factor (lognormal: 5th percentile); empty for bernoulli",
                required=False,
                minimum=1e-6,
                unit="factor",
            ),
            Column(
                "mode",
                "float",
                "most likely factor (triangular only)",
                required=False,
                minimum=1e-6,
                unit="factor",
            ),
            Column(
                "high",
                "float",
                "highest factor (lognormal: 95th percentile); empty for bernoulli",
                required=False,
                minimum=1e-6,
                unit="factor",
            ),
            *SOURCED,
        ),
        key=("parameter", "scope"),
    ),
)

TABLES_BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}


def table(name: str) -> Table:
    """Return the declaration of table ``name``."""
    return TABLES_BY_NAME[name]
