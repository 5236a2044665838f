"""Policy levers: the ways a scenario changes the world the market model runs in.

Each lever is one YAML mapping with a ``type``.  The models here check the shape of a lever
(fields, types, year order); whether its regions, stages, products and sectors exist is
checked against the pack when the scenario is compiled (:mod:`mineralflow.scenario.compile`).

Trade levers select products in three ways, which add up: ``products`` (names from the
pack), ``stages`` (every product of a stage) and ``elements`` (every product that is or
contains the element: its oxide, its metal and the magnets made with it).  With none of the
three a trade lever covers every product of the pack.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

#: the largest tonnage a lever may give: 10 Gt a year, twenty times world bauxite mining
MAX_TONNES = 1e10
Year = Annotated[int, Field(ge=1990, le=2060)]
Region = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 3166 alpha-3 code")]


class _Lever(BaseModel):
    # numbers are finite (no .inf or .nan) and text is bounded, in every lever
    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
        frozen=True,
        allow_inf_nan=False,
        str_max_length=2000,
    )

    pack: str | None = Field(
        None, description="pack the lever applies to (default: the scenario's first pack)"
    )
    note: str | None = Field(None, description="what the lever stands for, with its source")

    def summary(self) -> str:
        """One line for tables: the lever's type and its main fields, with their units."""
        fields = self.model_dump(exclude_none=True, exclude={"type", "note", "pack"})
        described = type(self).model_fields
        parts = [
            f"{k}={_short(v)}{_unit(described[k].description if k in described else None)}"
            for k, v in fields.items()
            if v not in ([], {})
        ]
        return f"{self.type}: " + ", ".join(parts)  # type: ignore[attr-defined]


#: a field's unit, read off its description (the first phrase that it contains)
UNIT_PHRASES = (
    ("t a year", " t/yr"), ("t held", " t"), ("USD/kg", " USD/kg"), ("USD a year", " USD/yr"),
    ("USD in all", " USD"), ("0.25 = 25 %", " (ad valorem)"),
)  # fmt: skip


def _unit(description: str | None) -> str:
    return next((unit for phrase, unit in UNIT_PHRASES if phrase in (description or "")), "")


def _short(value: object) -> str:
    if isinstance(value, list | tuple):
        return "+".join(str(v) for v in value)
    if isinstance(value, dict):
        return ",".join(f"{k}:{_short(v)}" for k, v in value.items())
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1000 and value.is_integer() else f"{value:g}"
    return str(value)


def _exactly_one(first: object, second: object, message: str) -> None:
    """Refuse a lever that gives both or neither of two alternative fields."""
    if (first is None) == (second is None):
        raise ValueError(message)


class _Window(_Lever):
    from_year: Year = Field(description="first year the lever applies")
    until: Year | None = Field(None, description="last year it applies (default: to the end)")

    @model_validator(mode="after")
    def _window(self) -> _Window:
        if self.until is not None and self.until < self.from_year:
            raise ValueError(f"until ({self.until}) is before from_year ({self.from_year})")
        return self

    def active(self, year: int) -> bool:
        return self.from_year <= year and (self.until is None or year <= self.until)


class _Selection(_Window):
    products: list[str] = Field(default_factory=list, description="product names of the pack")
    stages: list[str] = Field(default_factory=list, description="every product of these stages")
    elements: list[str] = Field(
        default_factory=list,
        description="every product that is or contains these elements (oxide, metal, magnets)",
    )


class _Rate(BaseModel):
    """A trade cost as a share of the base-year price, or in USD/kg."""

    model_config = ConfigDict(allow_inf_nan=False)

    rate: float | None = Field(None, ge=0, le=10, description="ad valorem, 0.25 = 25 %")
    usd_per_kg: float | None = Field(None, ge=0, le=10_000, description="specific, USD/kg")

    @model_validator(mode="after")
    def _one(self) -> _Rate:
        _exactly_one(
            self.rate, self.usd_per_kg, "give exactly one of rate (ad valorem share) or usd_per_kg"
        )
        return self


class ExportBan(_Selection):
    """No exports of the selected products from ``region`` (to ``to``, default everyone)."""

    type: Literal["export_ban"]
    region: Region
    to: list[Region] = Field(default_factory=list, description="destinations (default: all)")


class ImportBan(_Selection):
    """No imports of the selected products into ``region`` (from ``from``, default all)."""

    type: Literal["import_ban"]
    region: Region
    from_: list[Region] = Field(default_factory=list, alias="from", description="origins")


class ExportQuota(_Selection):
    """At most ``tonnes`` a year (or ``share_of_base`` of each product's base-year exports)."""

    type: Literal["export_quota"]
    region: Region
    to: list[Region] = Field(default_factory=list, description="destinations (default: all)")
    tonnes: float | None = Field(
        None,
        ge=0,
        le=MAX_TONNES,
        description="t a year, in the pack's weight unit (t REO-equivalent)",
    )
    share_of_base: float | None = Field(
        None, ge=0, le=10, description="each product's exports at most this share of the base year"
    )

    @model_validator(mode="after")
    def _one(self) -> ExportQuota:
        if (self.tonnes is None) == (self.share_of_base is None):
            raise ValueError("give exactly one of tonnes or share_of_base")
        return self


#: destination groups of export licensing; a destination in neither list is neutral
LICENCE_GROUPS = ("friendly", "neutral", "restricted")


class ExportLicensing(_Selection):
    """Exports of the selected products from ``region`` need a licence, and licences let
    through ``approved`` of each product's base-year exports to each destination group:
    the destinations in ``friendly`` and ``restricted``, and every other (``neutral``).

    What licences withhold (the base-year exports less the approved share) goes where
    ``unapproved`` says: ``stockpiled``, it is bought into stock at home (China's state
    reserve, or exporters holding output while they wait for licences) at the year before's
    home price, up to the withheld volume a year, so the home price holds unless more is
    left unsold; ``held``, the same purchase is made by the exporters themselves (magnet
    makers waiting for licences), and what they hold joins the home market's stocks, sold
    along the stock holders' curves in the years after; ``market``, it stays on the home
    market, whose price falls until home demand and output cuts along the supply curve
    take it up."""

    type: Literal["export_licensing"]
    region: Region
    approved: dict[Literal["friendly", "neutral", "restricted"], float] = Field(
        description="share of base-year exports approved, by destination group (0-1)"
    )
    friendly: list[Region] = Field(default_factory=list, description="friendly destinations")
    restricted: list[Region] = Field(default_factory=list, description="restricted destinations")
    unapproved: Literal["stockpiled", "held", "market"] = Field(
        "stockpiled", description="where the withheld volume goes"
    )

    @model_validator(mode="after")
    def _groups(self) -> ExportLicensing:
        both = sorted(set(self.friendly) & set(self.restricted))
        if both:
            raise ValueError(f"{', '.join(both)} cannot be both friendly and restricted")
        for group, share in self.approved.items():
            if not 0.0 <= share <= 1.0:
                raise ValueError(f"approved.{group} is {share}; a share of exports is 0-1")
        if "neutral" not in self.approved:
            raise ValueError("approved needs a share for 'neutral' (every destination not listed)")
        for group in ("friendly", "restricted"):
            if getattr(self, group) and group not in self.approved:
                raise ValueError(f"{group} destinations are listed but approved.{group} is not")
        return self

    def group_of(self, destination: str) -> str:
        """The licensing group a destination belongs to."""
        if destination in self.friendly:
            return "friendly"
        if destination in self.restricted:
            return "restricted"
        return "neutral"


class ExtraterritorialLicensing(_Selection):
    """``region``'s licences reach the selected products made abroad with material of its
    own (MOFCOM Announcement No. 61 [2025]): every other region's exports of them, except
    to ``exempt`` destinations and back to ``region``, may carry at most ``approved`` of
    the part of its supply that contains the selected products made in ``region``.

    What a plant abroad contains is traced along the year's flows
    (:mod:`mineralflow.extraterritorial`).  With ``kept_apart`` makers keep covered units
    for their home market and ship the rest, so a region that sources elsewhere is not held
    back; without it, the strict reading, a plant whose supply contains more than
    ``threshold`` of covered material ships only ``approved`` of its supply."""

    type: Literal["extraterritorial_licensing"]
    region: Region
    approved: float = Field(0.0, ge=0, le=1, description="share of covered exports approved (0-1)")
    exempt: list[Region] = Field(
        default_factory=list, description="destinations the rule does not reach"
    )
    kept_apart: bool = Field(
        True,
        description="makers keep covered units apart (for home use) and ship the rest; "
        "false: a plant whose supply contains any covered material ships only the approved "
        "share of it",
    )
    threshold: float = Field(
        0.001, ge=0, lt=1, description="covered share at or below which a plant is not reached"
    )


class ExportTax(_Selection, _Rate):
    """A tax on exports of the selected products from ``region``."""

    type: Literal["export_tax"]
    region: Region
    to: list[Region] = Field(default_factory=list, description="destinations (default: all)")


class Tariff(_Selection, _Rate):
    """A duty ``region`` levies on imports of the selected products (from ``from``)."""

    type: Literal["tariff"]
    region: Region
    from_: list[Region] = Field(default_factory=list, alias="from", description="origins")


class TradeAgreement(_Selection):
    """At least ``tonnes`` a year shipped from ``region`` to ``to`` (an offtake agreement)."""

    type: Literal["trade_agreement"]
    region: Region
    to: list[Region] = Field(min_length=1, description="destinations")
    tonnes: float = Field(gt=0, le=MAX_TONNES, description="t a year, in the pack's weight unit")


class CapacityProject(_Lever):
    """A new plant or mine: capacity entering at ``start_year`` and ramping up."""

    type: Literal["capacity_project"]
    name: str | None = None
    region: Region
    stage: str
    capacity: float = Field(gt=0, le=MAX_TONNES, description="t a year, in the stage's unit")
    start_year: Year
    ramp_years: int = Field(1, ge=1, le=20)
    probability: float = Field(1.0, gt=0, le=1, description="chance it is built on schedule")
    deposit: str | None = Field(None, description="deposit class, for mining (default: the mix)")


class AnnouncedProjects(_Lever):
    """Change how the pack's announced projects enter: their probability and their timing.

    By default every project enters weighted by the chance that its status gives it (e.g.
    0.5 for planned); this lever sets that chance (``probability: 1`` = on schedule for
    certain) or delays them, for the projects of ``regions`` or of all but ``exclude``.
    """

    type: Literal["announced_projects"]
    regions: list[Region] = Field(default_factory=list, description="default: every region")
    exclude: list[Region] = Field(default_factory=list)
    probability: float | None = Field(None, ge=0, le=1)
    delay_years: int = Field(0, ge=0, le=30)

    @model_validator(mode="after")
    def _something(self) -> AnnouncedProjects:
        if self.probability is None and self.delay_years == 0:
            raise ValueError("give probability or delay_years (or both)")
        if self.regions and self.exclude:
            raise ValueError("give regions or exclude, not both")
        return self


class ProjectSupport(_Lever):
    """Public support for announced projects (grants, soft loans, tax breaks), as the share of
    their capital cost it pays or as an amount in USD shared over them by capital cost.

    Support raises a project's expected return by the capital it saves, counted in capital
    charges, so its chance of being built rises by the pack's ``project_response``; a
    project that is certain (chance 0 or 1) or already running in the first year is left as
    it is.  Select projects by name (``projects``, as projects.csv writes them) or by
    ``regions``.
    """

    type: Literal["project_support"]
    projects: list[str] = Field(default_factory=list, description="names in projects.csv")
    regions: list[Region] = Field(default_factory=list)
    share: float | None = Field(None, gt=0, le=1, description="share of capital cost paid")
    usd: float | None = Field(None, gt=0, le=1e13, description="USD in all, shared by cost")

    @model_validator(mode="after")
    def _one_of_each(self) -> ProjectSupport:
        _exactly_one(self.share, self.usd, "give share or usd (one of them)")
        if not self.projects and not self.regions:
            raise ValueError("give projects or regions")
        return self


class CapacityTarget(_Lever):
    """A region's output at a stage reaches ``multiple`` x its base-year output (or ``tonnes``).

    Output rises linearly from ``from_year`` to the target in ``year`` and stays there.  With
    ``enforce`` (the default) the target is met whatever the price: a state-directed plan;
    without it only the capacity is built and the market decides how much is used.
    """

    type: Literal["capacity_target"]
    region: Region
    stage: str
    multiple: float | None = Field(None, gt=0, le=100)
    tonnes: float | None = Field(None, gt=0, le=MAX_TONNES)
    year: Year
    from_year: Year | None = Field(None, description="first year of the build-up (default next)")
    enforce: bool = True

    @model_validator(mode="after")
    def _one(self) -> CapacityTarget:
        if (self.multiple is None) == (self.tonnes is None):
            raise ValueError("give exactly one of multiple or tonnes")
        if self.from_year is not None and self.from_year > self.year:
            raise ValueError(f"from_year ({self.from_year}) is after year ({self.year})")
        return self


class TechnologyTransfer(_Window):
    """``from`` helps ``to`` close its technology gap at ``stage`` by ``per_year`` a year."""

    type: Literal["technology_transfer"]
    from_: Region = Field(alias="from")
    to: Region
    stage: str
    per_year: float = Field(gt=0, le=1, description="gap points closed a year (gap runs 0-1)")


class DemandGrowth(_Window):
    """A sector's demand grows at ``rate`` a year, or follows ``path`` (index, base year = 1)."""

    type: Literal["demand_growth"]
    sector: str
    region: Region | None = Field(None, description="one region (default: every region)")
    rate: float | None = Field(None, gt=-0.5, lt=1.0)
    path: dict[Year, Annotated[float, Field(gt=0, le=1000)]] | None = Field(
        None, description="year -> demand relative to the base year; linear in between"
    )
    from_year: Year = 1990

    @model_validator(mode="after")
    def _one(self) -> DemandGrowth:
        if (self.rate is None) == (self.path is None):
            raise ValueError("give exactly one of rate or path")
        if self.path is not None:
            if not self.path:
                raise ValueError("path needs at least one year")
            if any(v <= 0 for v in self.path.values()):
                raise ValueError("path values are demand indices and must be positive")
        return self


class Stockpile(_Window):
    """A government stockpile that buys (``build``) or sells (``release``) a product each
    year: ``tonnes`` a year, or what ``usd`` a year buys or fetches at the year's price.

    The stockpile keeps its level: it starts with ``held`` t and what it bought, and it
    never sells more than it holds (National Defense Stockpile purchases, Project Vault,
    China's state reserve)."""

    type: Literal["stockpile"]
    region: Region
    product: str
    action: Literal["build", "release"]
    tonnes: float | None = Field(None, gt=0, le=MAX_TONNES, description="t a year")
    usd: float | None = Field(None, gt=0, le=1e13, description="USD a year, at the price")
    held: float = Field(0.0, ge=0, le=MAX_TONNES, description="t held at the start")

    @model_validator(mode="after")
    def _one_amount(self) -> Stockpile:
        _exactly_one(self.tonnes, self.usd, "give tonnes or usd (one of them)")
        return self


class PriceFloor(_Window):
    """A guaranteed price for a region's producers of a product, paid as the difference when
    the market pays less (a deficiency payment; the US Department of Defense's 110 USD/kg
    floor for MP Materials' NdPr oxide).  ``share`` is the part of the region's output of
    the product it covers (a floor that starts in October covers a quarter of the year)."""

    type: Literal["price_floor"]
    region: Region
    product: str
    price: float = Field(gt=0, le=1e5, description="USD/kg of the product")
    share: float = Field(1.0, gt=0, le=1, description="share of the region's output covered")


class Elasticity(_Lever):
    """Override a price elasticity of the pack (demand by sector, supply by stage)."""

    type: Literal["elasticity"]
    scope: str = Field(description="sector (for demand) or stage (for supply)")
    kind: Literal["demand", "supply"]
    horizon: Literal["short", "long"] = "short"
    value: float = Field(ge=-5, le=5)

    @model_validator(mode="after")
    def _sign(self) -> Elasticity:
        if self.kind == "demand" and self.value >= 0:
            raise ValueError("a demand elasticity is negative")
        if self.kind == "supply" and self.value <= 0:
            raise ValueError("a supply elasticity is positive")
        return self


Lever = Annotated[
    ExportBan
    | ImportBan
    | ExportQuota
    | ExportLicensing
    | ExtraterritorialLicensing
    | ExportTax
    | Tariff
    | TradeAgreement
    | CapacityProject
    | AnnouncedProjects
    | ProjectSupport
    | CapacityTarget
    | TechnologyTransfer
    | DemandGrowth
    | Stockpile
    | PriceFloor
    | Elasticity,
    Field(discriminator="type"),
]

LEVER_TYPES: dict[str, type[_Lever]] = {
    "export_ban": ExportBan,
    "import_ban": ImportBan,
    "export_quota": ExportQuota,
    "export_licensing": ExportLicensing,
    "extraterritorial_licensing": ExtraterritorialLicensing,
    "export_tax": ExportTax,
    "tariff": Tariff,
    "trade_agreement": TradeAgreement,
    "capacity_project": CapacityProject,
    "announced_projects": AnnouncedProjects,
    "project_support": ProjectSupport,
    "capacity_target": CapacityTarget,
    "technology_transfer": TechnologyTransfer,
    "demand_growth": DemandGrowth,
    "stockpile": Stockpile,
    "price_floor": PriceFloor,
    "elasticity": Elasticity,
}

#: Levers that constrain quantities and so can make a year infeasible.
HARD_LEVERS = (
    ExportBan,
    ImportBan,
    ExportQuota,
    ExportLicensing,
    TradeAgreement,
    CapacityTarget,
    Stockpile,
)
