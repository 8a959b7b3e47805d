"""The data set's tables, declared as data: columns, types, units, bounds and keys, and the
model parameters each one feeds.

This is the one declaration of every input number. Reading a table (`csvfile.read_table`),
the checks that need several tables (`dataset.py`), what a scenario may override and a
study may vary (`scenario.OVERRIDABLE`) and which of the model's levers a changed table
must reset (`model.levers.set_inputs`) all work from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["str", "float", "int", "bool", "period"]
# The two instruments a price floor can be (`model/components/markets.py`).
FLOOR_KINDS = ("top-up", "reserve")  # the first is the default of a row that names none
# The rules that share a joint project's credits among countries (`model/credit_rules.py`).
CREDIT_RULES = ("host", "equal", "investment", "offtake", "fixed")

TRUE_WORDS = {"true", "yes", "1", "y", "t"}
FALSE_WORDS = {"false", "no", "0", "n", "f"}
FREE_TEXT_COLUMNS = ("source", "description", "note")
# No cell may be larger in magnitude: HiGHS rejects coefficients ≥ 1e15 and takes bounds
# ≥ 1e20 as infinite, so a larger number is a typo, not data (1e12 Mt is 25 million years
# of the world's emissions).
LARGEST = 1e12
# Characters that join names into labels: `A->B` a link or corridor and `A<->B` both ways of a
# link, `CN+JP` a coalition or the regions a corridor crosses, `unit/period` and
# `project:region` the items of a study's outputs, `project=rule;…` a run's credit rules. A
# name holding one would be read back as two, so no name may.
NAME_SEPARATORS = "<>+/:;=|"
NAME_WORDS = (
    f"a name of printable characters without {' '.join(NAME_SEPARATORS)} "
    "(they join names into labels such as A->B and CN+JP)"
)


def plain_name(text: str) -> bool:
    """Whether `text` may name a region, market, emitter, project, unit, site, corridor or
    program: printable (no line break or control character) and without a separator."""
    return text.isprintable() and not set(text) & set(NAME_SEPARATORS)


@dataclass(frozen=True)
class Column:
    """One column: its type and unit, whether it must be present and filled, its bounds, and
    whether a scenario or study may change it (`varies`)."""

    name: str
    kind: Kind = "str"
    required: bool = True
    nullable: bool = False
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] | None = None
    default: float | bool | None = None
    unit: str = ""
    varies: bool = False
    identifier: bool = False
    """Whether the cells name things (markets, emitters, ...) that labels join: `plain_name`."""

    def expectation(self, largest: float | None = None) -> str:
        """Plain words for what a cell of this column must hold (`largest`: an upper bound)."""
        words = {
            "str": "a name",
            "float": "a finite number",
            "int": "a whole number",
            "bool": "true or false",
            "period": "a period (year) of the data set",
        }[self.kind]
        if self.identifier:
            words = NAME_WORDS
        if self.choices:
            words = "one of " + ", ".join(self.choices)
        if self.minimum is not None:
            words += f" ≥ {self.minimum:g}"
        if self.maximum is not None or largest is not None:
            words += f" ≤ {self.maximum if largest is None else largest:g}"
        return words


@dataclass(frozen=True)
class ShareSum:
    """Shares in `column` that add up, over the rows with the same `per` values, to at most 1
    (or to exactly 1 where given, if `exactly`)."""

    column: str
    per: tuple[str, ...]
    exactly: bool = False


@dataclass(frozen=True)
class Table:
    """One CSV table of a data set.

    `feeds` names the groups of model parameters its values set (`model.levers.LEVERS`, in
    the order they are set). A scenario may add rows to a table with `rows_may_be_added`
    (keys from the data set's own markets and regions); an override of a table with
    `checked_across_tables` makes the whole data set be checked again (MAC steps within the
    baseline; floor ≤ ceiling); any other override, the numbers it changes
    (`inputs.dataset.check_tables`). `share_sums` declares the shares that add up per key.
    """

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    optional: bool = False
    feeds: tuple[str, ...] = ()
    rows_may_be_added: bool = False
    checked_across_tables: bool = False
    share_sums: tuple[ShareSum, ...] = ()

    @property
    def file_name(self) -> str:
        return f"{self.name}.csv"

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def varying(self) -> tuple[str, ...]:
        """Columns a scenario may override and a study may vary."""
        return tuple(c.name for c in self.columns if c.varies)


def _col(name: str, kind: Kind = "str", **options: object) -> Column:
    return Column(name, kind, **options)  # type: ignore[arg-type]


def _name(name: str) -> Column:
    """A column whose cells name what a table lists (its first key column)."""
    return Column(name, "str", identifier=True)


def _number(name: str, **options: object) -> Column:
    return Column(name, "float", minimum=0.0, **options)  # type: ignore[arg-type]


def _share(name: str, **options: object) -> Column:
    return Column(name, "float", required=False, nullable=True, minimum=0.0, **options)  # type: ignore[arg-type]


def _fraction(name: str, **options: object) -> Column:
    return Column(name, "float", minimum=0.0, maximum=1.0, **options)  # type: ignore[arg-type]


def _optional(column: Column) -> Column:
    return Column(**{**column.__dict__, "required": False, "nullable": True})


LIFETIME = Column("lifetime_years", "float", minimum=1.0)
FIRST_PERIOD = Column("first_period", "period")

# Joint projects (all optional): CCS with dust capture at coal units, and a renewable supergrid.
PROJECT_TABLES = (
    Table(
        "projects",
        (
            _name("project"),
            _col("kind", choices=("ccs", "supergrid")),
        ),
        key=("project",),
        optional=True,
        feeds=("projects",),
    ),
    Table(
        "participants",
        (
            _col("project"),
            _col("region"),
            _optional(_fraction("investment_share")),
            _optional(_fraction("credit_share")),
            _optional(_fraction("cost_share")),
        ),
        key=("project", "region"),
        optional=True,
        share_sums=tuple(
            ShareSum(c, ("project",), exactly=True)
            for c in ("investment_share", "credit_share", "cost_share")
        ),
    ),
    Table(
        "ccs_units",
        (
            _name("unit"),
            _col("project"),
            _col("emitter"),
            Column("capacity_mw", "float", minimum=0.0),
            _number("co2_mt"),
            _fraction("capture_rate"),
            Column("energy_penalty", "float", minimum=0.0, maximum=0.9),
            _number("capex_usd_per_kw"),
            _number("fixed_om_usd_per_kw_yr"),
            _number("cost_usd_per_t_captured"),
            _number("pm_t"),
            _fraction("pm_removed_share"),
            LIFETIME,
            FIRST_PERIOD,
        ),
        key=("unit",),
        optional=True,
    ),
    Table(
        "pm_transport",
        (_col("source_region"), _col("receptor_region"), _fraction("share")),
        key=("source_region", "receptor_region"),
        optional=True,
        share_sums=(ShareSum("share", ("source_region",)),),
    ),
    Table(
        "sites",
        (
            _name("site"),
            _col("project"),
            _col("region"),
            _number("potential_gw"),
            _fraction("capacity_factor"),
            _number("capex_usd_per_kw"),
            _number("fixed_om_usd_per_kw_yr"),
            LIFETIME,
            FIRST_PERIOD,
        ),
        key=("site",),
        optional=True,
    ),
    Table(
        "corridors",
        (
            _name("corridor"),
            _col("project"),
            _col("from_region"),
            _col("to_region"),
            _col("crosses", required=False, nullable=True),
            _number("length_km"),
            _number("capex_musd_per_gw_km"),
            Column("loss_share", "float", minimum=0.0, maximum=0.5),
            Column("module_gw", "float", minimum=0.001),
            Column("max_modules", "int", minimum=0),
            _optional(_fraction("max_utilization", default=1.0)),
            LIFETIME,
            FIRST_PERIOD,
        ),
        key=("corridor",),
        optional=True,
    ),
    Table(
        "grids",
        (
            _col("region"),
            _col("period", "period"),
            _col("emitter"),
            _number("emission_factor_t_per_mwh", unit="t/MWh"),
            _number(
                "displaced_emission_factor_t_per_mwh", required=False, nullable=True, unit="t/MWh"
            ),
            _number("max_absorb_twh", unit="TWh/yr"),
            _number(
                "avoided_generation_usd_per_mwh",
                required=False,
                nullable=True,
                default=0.0,
                unit="US$/MWh",
            ),
        ),
        key=("region", "period"),
        optional=True,
    ),
)


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "markets",
            (
                _name("market"),
                _col("region"),
                _col("kind", choices=("ets", "tax")),
                Column("project_credits", "bool", required=False, nullable=True, default=False),
            ),
            key=("market",),
        ),
        Table(
            "emitters",
            (
                _name("emitter"),
                _col("region"),
                _col("sector"),
                _col("market", required=False, nullable=True),
            ),
            key=("emitter",),
        ),
        Table(
            "baseline",
            (
                _col("emitter"),
                _col("period", "period"),
                _number("emissions_mt", unit="Mt/yr", varies=True),
            ),
            key=("emitter", "period"),
            feeds=("baseline", "limits"),
            checked_across_tables=True,
        ),
        Table(
            "mac",
            (
                _col("emitter"),
                _col("period", "period"),
                _col("step", "int", minimum=1),
                _number("quantity_mt", unit="Mt/yr"),
                _number("cost_usd_per_t", unit="US$/t"),
            ),
            key=("emitter", "period", "step"),
        ),
        Table(
            "caps",
            (
                _col("market"),
                _col("period", "period"),
                _number("cap_mt", unit="Mt/yr", varies=True),
            ),
            key=("market", "period"),
            feeds=("caps", "limits", "banking", "price_controls"),
        ),
        Table(
            "links",
            (
                _col("from_market"),
                _col("to_market"),
                _col("period", "period"),
                _number("max_volume_mt", required=False, nullable=True, unit="Mt/yr", varies=True),
                _number(
                    "transaction_cost_usd_per_t",
                    required=False,
                    nullable=True,
                    default=0.0,
                    unit="US$/t",
                    varies=True,
                ),
                _number(
                    "exchange_rate",
                    required=False,
                    nullable=True,
                    default=1.0,
                    unit="allowances of to_market per allowance of from_market",
                ),
            ),
            key=("from_market", "to_market", "period"),
            feeds=("links",),
        ),
        Table(
            "limits",
            (
                _col("market"),
                _col("period", "period"),
                _share("max_import_share", unit="share of the cap", varies=True),
                _share("max_export_share", unit="share of the cap", varies=True),
                _share("max_offset_share", unit="share of the cap", varies=True),
                _share("max_international_offset_share", unit="share of the cap", varies=True),
            ),
            key=("market", "period"),
            optional=True,
            feeds=("limits",),
            rows_may_be_added=True,
        ),
        Table(
            "price_controls",
            (
                _col("market"),
                _col("period", "period"),
                _number(
                    "floor_usd_per_t", required=False, nullable=True, unit="US$/t", varies=True
                ),
                _number(
                    "ceiling_usd_per_t", required=False, nullable=True, unit="US$/t", varies=True
                ),
                _col("floor_kind", required=False, nullable=True, choices=FLOOR_KINDS, varies=True),
            ),
            key=("market", "period"),
            optional=True,
            feeds=("price_controls",),
            rows_may_be_added=True,
            checked_across_tables=True,
        ),
        Table(
            "banking",
            (
                _col("market"),
                _col("banking_allowed", "bool", varies=True),
                _number(
                    "max_borrow_share",
                    required=False,
                    nullable=True,
                    default=0.0,
                    unit="share of the cap",
                    varies=True,
                ),
                _number(
                    "initial_bank_mt",
                    required=False,
                    nullable=True,
                    default=0.0,
                    unit="Mt",
                    varies=True,
                ),
            ),
            key=("market",),
            optional=True,
            feeds=("banking",),
            rows_may_be_added=True,
        ),
        Table(
            "taxes",
            (
                _col("region"),
                _col("period", "period"),
                _number("rate_usd_per_t", unit="US$/t", varies=True),
            ),
            key=("region", "period"),
            optional=True,
            feeds=("taxes",),
            rows_may_be_added=True,
        ),
        Table(
            "ndc",
            (
                _col("region"),
                _col("period", "period"),
                _number("target_mt", required=False, nullable=True, unit="Mt/yr", varies=True),
                _optional(
                    _fraction(
                        "intensity_reduction_vs_base",
                        unit="share below the base year's CO2 per GDP",
                        varies=True,
                    )
                ),
                _number(
                    "base_intensity_t_per_kusd",
                    required=False,
                    nullable=True,
                    unit="t CO2 per thousand US$ (= Mt per US$ bn)",
                    varies=True,
                ),
            ),
            key=("region", "period"),
            optional=True,
            feeds=("ndc",),
            rows_may_be_added=True,
        ),
        Table(
            "gdp",
            (
                _col("region"),
                _col("period", "period"),
                _number("gdp_busd", unit="US$ bn/yr", varies=True),
            ),
            key=("region", "period"),
            optional=True,
            feeds=("ndc",),
            rows_may_be_added=True,
        ),
        Table(
            "offset_supply",
            (
                _name("program"),
                _col("seller_region"),
                _col("buyer_market"),
                _col("period", "period"),
                _number("quantity_mt", unit="Mt/yr", varies=True),
                _number("price_usd_per_t", unit="US$/t", varies=True),
            ),
            key=("program", "seller_region", "buyer_market", "period"),
            optional=True,
            feeds=("offers",),
        ),
        *PROJECT_TABLES,
    )
}
