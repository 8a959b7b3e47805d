"""The data set's tables, declared as data: columns, types, bounds, keys and references.

Reading a table (`csvfile.read_table`) and the checks that need several tables
(`dataset.py`) work from these declarations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["str", "float", "int", "bool", "period"]

TRUE_WORDS = {"true", "yes", "1", "y", "t"}
FALSE_WORDS = {"false", "no", "0", "n", "f"}
FREE_TEXT_COLUMNS = ("source", "description", "note")
# No cell may be larger in magnitude: HiGHS rejects coefficients ≥ 1e15 and takes bounds
# ≥ 1e20 as infinite, so a larger number is a typo, not data (1e12 Mt is 25 million years
# of the world's emissions).
LARGEST = 1e12

@dataclass(frozen=True)
class Column:
    """One column: its type, whether it must be present and filled, and its bounds."""

    name: str
    kind: Kind = "str"
    required: bool = True
    nullable: bool = False
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] | None = None
    default: float | bool | None = None

    def expectation(self, largest: float | None = None) -> str:
        """Plain words for what a cell of this column must hold (`largest`: an upper bound)."""
        words = {
            "str": "a name",
            "float": "a finite number",
            "int": "a whole number",
            "bool": "true or false",
            "period": "a period (year) of the data set",
        }[self.kind]
        if self.choices:
            words = "one of " + ", ".join(self.choices)
        if self.minimum is not None:
            words += f" ≥ {self.minimum:g}"
        if self.maximum is not None or largest is not None:
            words += f" ≤ {self.maximum if largest is None else largest:g}"
        return words


@dataclass(frozen=True)
class Table:
    """One CSV table of a data set."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    optional: bool = False

    @property
    def file_name(self) -> str:
        return f"{self.name}.csv"

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


def _col(name: str, kind: Kind = "str", **options: object) -> Column:
    return Column(name, kind, **options)  # type: ignore[arg-type]


def _number(name: str, **options: object) -> Column:
    return Column(name, "float", minimum=0.0, **options)  # type: ignore[arg-type]


def _share(name: str) -> Column:
    return Column(name, "float", required=False, nullable=True, minimum=0.0)


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
            _col("project"),
            _col("kind", choices=("ccs", "supergrid")),
            _col(
                "sharing",
                required=False,
                nullable=True,
                choices=("host", "equal", "investment", "offtake", "fixed"),
            ),
        ),
        key=("project",),
        optional=True,
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
    ),
    Table(
        "ccs_units",
        (
            _col("unit"),
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
    ),
    Table(
        "sites",
        (
            _col("site"),
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
            _col("corridor"),
            _col("project"),
            _col("from_region"),
            _col("to_region"),
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
            _number("emission_factor_t_per_mwh"),
            _number("max_absorb_twh"),
            _number("avoided_generation_usd_per_mwh", required=False, nullable=True, default=0.0),
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
                _col("market"),
                _col("region"),
                _col("kind", choices=("ets", "tax")),
                Column("project_credits", "bool", required=False, nullable=True, default=False),
            ),
            key=("market",),
        ),
        Table(
            "emitters",
            (
                _col("emitter"),
                _col("region"),
                _col("sector"),
                _col("market", required=False, nullable=True),
            ),
            key=("emitter",),
        ),
        Table(
            "baseline",
            (_col("emitter"), _col("period", "period"), _number("emissions_mt")),
            key=("emitter", "period"),
        ),
        Table(
            "mac",
            (
                _col("emitter"),
                _col("period", "period"),
                _col("step", "int", minimum=1),
                _number("quantity_mt"),
                _number("cost_usd_per_t"),
            ),
            key=("emitter", "period", "step"),
        ),
        Table(
            "caps",
            (_col("market"), _col("period", "period"), _number("cap_mt")),
            key=("market", "period"),
        ),
        Table(
            "links",
            (
                _col("from_market"),
                _col("to_market"),
                _col("period", "period"),
                _number("max_volume_mt", required=False, nullable=True),
                _number("transaction_cost_usd_per_t", required=False, nullable=True, default=0.0),
            ),
            key=("from_market", "to_market", "period"),
        ),
        Table(
            "limits",
            (
                _col("market"),
                _col("period", "period"),
                _share("max_import_share"),
                _share("max_export_share"),
                _share("max_offset_share"),
            ),
            key=("market", "period"),
            optional=True,
        ),
        Table(
            "price_controls",
            (
                _col("market"),
                _col("period", "period"),
                _number("floor_usd_per_t", required=False, nullable=True),
                _number("ceiling_usd_per_t", required=False, nullable=True),
            ),
            key=("market", "period"),
            optional=True,
        ),
        Table(
            "banking",
            (
                _col("market"),
                _col("banking_allowed", "bool"),
                _number("max_borrow_share", required=False, nullable=True, default=0.0),
                _number("initial_bank_mt", required=False, nullable=True, default=0.0),
            ),
            key=("market",),
            optional=True,
        ),
        Table(
            "taxes",
            (_col("region"), _col("period", "period"), _number("rate_usd_per_t")),
            key=("region", "period"),
            optional=True,
        ),
        Table(
            "ndc",
            (_col("region"), _col("period", "period"), _number("target_mt")),
            key=("region", "period"),
            optional=True,
        ),
        *PROJECT_TABLES,
    )
}
