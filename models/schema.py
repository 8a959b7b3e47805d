"""The data set's tables, declared as data: columns, types, bounds, keys and references.

`read_table` turns one CSV file into a typed DataFrame or raises an `InputError` that names
the file, the line, the column and what was expected. Checks that need several tables
(a market's region, MAC steps against the baseline, ...) live in `dataset.py`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from abatelink.errors import InputError

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


def empty_table(table: Table) -> pd.DataFrame:
    """A typed, empty frame with the table's columns (for an optional table that is absent)."""
    dtypes = {"str": object, "float": float, "int": int, "bool": bool, "period": int}
    return pd.DataFrame({c.name: pd.Series(dtype=dtypes[c.kind]) for c in table.columns})


def read_table(path: Path, table: Table, periods: tuple[int, ...]) -> pd.DataFrame:
    """Read and type one CSV table; raise `InputError` at the first bad cell."""
    return read_table_with_lines(path, table, periods)[0]


def read_table_with_lines(
    path: Path, table: Table, periods: tuple[int, ...]
) -> tuple[pd.DataFrame, tuple[int, ...]]:
    """`read_table`, and the line of the file each row starts on (for later error messages)."""
    if not path.exists():
        if table.optional:
            return empty_table(table), ()
        raise InputError(path, f"file not found; the data set needs {table.file_name}")
    raw, header_line = _read_csv_as_text(path)
    _check_header(path, raw, table, header_line)
    frame = pd.DataFrame(index=raw.index)
    for column in table.columns:
        cells = raw[column.name] if column.name in raw else pd.Series("", index=raw.index)
        frame[column.name] = _parse_column(path, cells, column, periods)
    for name in FREE_TEXT_COLUMNS:
        if name in raw:
            frame[name] = raw[name].astype(object)
    _check_unique_key(path, frame, table)
    return frame.reset_index(drop=True), tuple(int(line) for line in raw.index)


def _read_csv_as_text(path: Path) -> tuple[pd.DataFrame, int]:
    """The cells as stripped text, indexed by the line each row starts on; the header's line.

    Lines are counted as an editor shows them: blank lines (skipped) and the line breaks
    inside quoted cells count too. A short row is padded with empty cells.
    """
    text = io.StringIO(_read_text(path), newline="")
    reader = csv.reader(text, skipinitialspace=True, strict=True)
    header: list[str] | None = None
    header_line, start = 1, 1
    rows, lines = [], []
    try:
        for fields in reader:
            line, start = start, reader.line_num + 1
            cells = [field.strip() for field in fields]
            if cells in ([], [""]):
                continue
            if header is None:
                header, header_line = cells, line
            elif len(cells) > len(header):
                raise InputError(
                    path,
                    f"expected at most {len(header)} cells as in the header, found {len(cells)}",
                    line=line,
                )
            else:
                rows.append(cells + [""] * (len(header) - len(cells)))
                lines.append(line)
    except csv.Error as err:
        raise InputError(path, f"not a readable CSV file ({err})", line=start) from None
    if header is None:
        raise InputError(path, "the file is empty; expected a header line and rows")
    return pd.DataFrame(rows, columns=header, index=lines, dtype=str), header_line


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(path, f"cannot be read ({err.strerror or err})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(
            path,
            f"not a readable CSV file: byte {data[err.start]:#04x} is not UTF-8 text",
            line=data.count(b"\n", 0, err.start) + 1,
        ) from None


def _check_header(path: Path, raw: pd.DataFrame, table: Table, line: int) -> None:
    known = {c.name for c in table.columns} | set(FREE_TEXT_COLUMNS)
    missing = [c.name for c in table.columns if c.required and c.name not in raw.columns]
    if missing:
        raise InputError(
            path,
            f"missing column '{missing[0]}'; the header must name "
            + ", ".join(c.name for c in table.columns if c.required),
            line=line,
        )
    unknown = [c for c in raw.columns if c not in known]
    if unknown:
        raise InputError(
            path,
            f"unexpected column {unknown[0]!r}; known columns are " + ", ".join(sorted(known)),
            line=line,
        )
    twice = raw.columns[raw.columns.duplicated()]
    if len(twice):
        raise InputError(path, f"column {twice[0]!r} appears twice in the header", line=line)


def _parse_column(
    path: Path, cells: pd.Series, column: Column, periods: tuple[int, ...]
) -> pd.Series:
    empty = cells == ""
    if empty.any() and not column.nullable:
        _fail(path, cells, empty, column, "an empty cell")
    if column.kind == "str":
        _check_choices(path, cells, empty, column)
        return cells.where(~empty, None).astype(object)
    if column.kind == "bool":
        return _parse_bool(path, cells.where(~empty, str(column.default)), column)
    values = pd.to_numeric(cells.where(~empty, None), errors="coerce").astype(float)
    _fail_where(path, cells, values.isna() & ~empty, column)
    _fail_where(path, cells, ~np.isfinite(values.fillna(0.0)), column)
    if column.kind in ("int", "period"):
        _fail_where(path, cells, (values % 1 != 0) & ~empty, column)
    if column.minimum is not None:
        _fail_where(path, cells, values < column.minimum, column)
    if column.maximum is not None:
        _fail_where(path, cells, values > column.maximum, column)
    elif column.kind != "period":
        _fail_where(path, cells, values.abs() > LARGEST, column, column.expectation(LARGEST))
    if column.kind == "period":
        _fail_where(
            path, cells, ~values.isin(periods), column, f"one of the periods {list(periods)}"
        )
    if column.kind in ("int", "period"):
        return values.astype(int)
    return values if column.default is None else values.fillna(column.default)


def _parse_bool(path: Path, cells: pd.Series, column: Column) -> pd.Series:
    lowered = cells.str.lower()
    _fail_where(path, cells, ~lowered.isin(TRUE_WORDS | FALSE_WORDS), column)
    return lowered.isin(TRUE_WORDS)


def _check_choices(path: Path, cells: pd.Series, empty: pd.Series, column: Column) -> None:
    if column.choices:
        _fail_where(path, cells, ~cells.isin(column.choices) & ~empty, column)


def _fail_where(
    path: Path, cells: pd.Series, bad: pd.Series, column: Column, expected: str | None = None
) -> None:
    if bad.any():
        _fail(path, cells, bad, column, repr(cells[bad].iloc[0]), expected)


def _fail(
    path: Path,
    cells: pd.Series,
    bad: pd.Series,
    column: Column,
    found: str,
    expected: str | None = None,
) -> None:
    line = int(bad[bad].index[0])
    raise InputError(
        path,
        f"expected {expected or column.expectation()}, found {found}",
        line=line,
        column=column.name,
    )


def _check_unique_key(path: Path, frame: pd.DataFrame, table: Table) -> None:
    keys = list(table.key)
    repeated = frame.duplicated(subset=keys, keep="first")
    if repeated.any():
        line = int(repeated.idxmax())
        same = (frame[keys] == frame.loc[line, keys]).all(axis=1)
        key = ", ".join(f"{k}={frame.loc[line, k]}" for k in keys)
        raise InputError(
            path,
            f"duplicate key ({key}); it already appears on line {int(same.idxmax())}",
            line=line,
        )
