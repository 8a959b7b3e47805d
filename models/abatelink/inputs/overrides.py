"""A scenario's table overrides: what may be overridden, how one change applies, and the plans
that apply a sweep's changes quickly.

The rows a change selects (its `where`) and the rows a `set` adds to a value table do not
depend on the values it sets or scales. A plan works them out once for a table, the shapes of
its changes and the data they read (`_plan_key`); each scenario then checks its values and
writes them with numpy. Changes a plan does not cover are applied one by one with pandas
(`_apply_change`), which is what a plan reproduces bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from abatelink.errors import InputError
from abatelink.inputs.dataset import Dataset, check_dataset, check_tables
from abatelink.inputs.schema import LARGEST, TABLES, Column

# Tables a scenario may override and their columns, as the schema declares them (`varies`).
OVERRIDABLE = {name: t.varying for name, t in TABLES.items() if t.varying}
# Plans kept at most; the oldest goes first.
MAX_PLANS = 256
# The cell types a plan's key tells apart exactly (`_cells`); any other leaves a table unplanned.
PLAIN_CELLS = (str, int, bool, float, type(None))

Cell = float | int | bool | str | None
_FLOAT = np.dtype(np.float64)
_OBJECT = np.dtype(object)
_BOOL = np.dtype(bool)


class Change(BaseModel):
    """One override: rows selected by `where`, then `set` values or `scale` them (a factor of
    true or false is kept as given, for `_check_value` to refuse, not read as 1 or 0)."""

    model_config = ConfigDict(extra="forbid")

    where: dict[str, Cell | list[Cell]] = Field(default_factory=dict)
    set: dict[str, Cell] | None = None
    scale: dict[str, float | bool] | None = None

    @model_validator(mode="after")
    def _one_action(self) -> Change:
        if (self.set is None) == (self.scale is None):
            raise ValueError("give exactly one of 'set' or 'scale'")
        return self

    @property
    def values(self) -> dict[str, Any]:
        """The values set, or the factors scaled by, per column."""
        return self.set if self.set is not None else self.scale or {}


def apply_changes(overrides: dict[str, list[Change]], dataset: Dataset, source: Path) -> Dataset:
    """The data set with `overrides` applied, re-checked as a whole; errors name `source`."""
    if not overrides:
        return dataset
    frames = {}
    for table, changes in overrides.items():
        _overridable(source, table)
        planned = _planned(source, dataset, table, changes)
        frames[table] = (
            planned if planned is not None else _applied(source, dataset, table, changes)
        )
    changed = dataset.with_tables(**frames)
    try:
        if any(TABLES[name].checked_across_tables for name in frames):
            check_dataset(changed)
        else:
            check_tables(changed, frames)  # inf, or scaled beyond LARGEST; NDC forms
    except InputError as err:
        raise InputError(source, f"after overrides: {err.problem}", key="overrides") from None
    return changed


def _overridable(source: Path, table: str) -> None:
    if table not in OVERRIDABLE:
        raise InputError(
            source,
            f"table {table!r} cannot be overridden; overridable tables: {', '.join(OVERRIDABLE)}",
            key=f"overrides.{table}",
        )


def _applied(source: Path, ds: Dataset, table: str, changes: list[Change]) -> pd.DataFrame:
    """The table with `changes` applied one by one with pandas."""
    frame = ds.table(table).copy()
    for i, change in enumerate(changes):
        frame = _apply_change(source, ds, table, i, change, frame)
    return frame.reset_index(drop=True)


def _apply_change(
    source: Path, ds: Dataset, table: str, i: int, change: Change, frame: pd.DataFrame
) -> pd.DataFrame:
    """`frame` with one change applied. An empty value set in a column with a default is that
    default, as an empty cell of the file is."""
    place = f"overrides.{table}.{i}"
    _check_values(source, table, i, change)
    if change.set is not None and TABLES[table].rows_may_be_added:
        frame = _add_missing_rows(ds, table, change, frame)
    selected = _select(source, place, table, change.where, frame)
    for column, value in change.values.items():
        if change.scale is not None:
            frame.loc[selected, column] = frame.loc[selected, column] * value
        else:
            empty = TABLES[table].column(column).default
            frame.loc[selected, column] = empty if value is None and empty is not None else value
    return frame


def _check_values(source: Path, table: str, i: int, change: Change) -> None:
    for column, value in change.values.items():
        _check_value(
            source, f"overrides.{table}.{i}", table, column, value, change.scale is not None
        )


def _check_value(
    source: Path, place: str, table: str, column: str, value: Any, is_scale: bool
) -> None:
    key = f"{place}.{'scale' if is_scale else 'set'}.{column}"
    if column not in OVERRIDABLE[table]:
        raise InputError(
            source,
            f"column {column!r} of {table} cannot be overridden; "
            f"expected one of {', '.join(OVERRIDABLE[table])}",
            key=key,
        )
    spec: Column = TABLES[table].column(column)
    if is_scale:
        bad = spec.kind == "bool" or isinstance(value, bool) or not isinstance(value, int | float)
        bad = bad or not 0 <= value <= LARGEST
        expected = f"a factor ≥ 0 and ≤ {LARGEST:g} (true/false columns are set, not scaled)"
    elif spec.kind == "bool":
        bad, expected = not isinstance(value, bool), "true or false"
    elif spec.kind == "str":
        bad = not (value is None and spec.nullable) and value not in (spec.choices or ())
        expected = spec.expectation() + (" or empty" if spec.nullable else "")
    else:
        bad = value is None and not spec.nullable
        bad |= value is not None and (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or (spec.minimum is not None and value < spec.minimum)
            or not abs(value) <= LARGEST
        )
        expected = spec.expectation() + (" or empty" if spec.nullable else "")
    if bad or (isinstance(value, float) and value != value):
        raise InputError(source, f"expected {expected}, found {value!r}", key=key)


def _select(source: Path, place: str, table: str, where: dict, frame: pd.DataFrame) -> pd.Series:
    mask = pd.Series(True, index=frame.index)
    for column, wanted in where.items():
        if column not in frame.columns:
            raise InputError(
                source,
                f"{table} has no column {column!r}; columns: {', '.join(TABLES[table].key)}, ...",
                key=f"{place}.where",
            )
        values = wanted if isinstance(wanted, list) else [wanted]
        mask &= frame[column].isin(values)
    if not mask.any():
        raise InputError(source, f"'where' matches no row of {table}", key=f"{place}.where")
    return mask


def _add_missing_rows(ds: Dataset, table: str, change: Change, frame: pd.DataFrame) -> pd.DataFrame:
    """For a value table, `set` also creates the rows its `where` names but the data lacks."""
    key = list(TABLES[table].key)
    domain = _key_domain(ds, table)
    for column, wanted in change.where.items():
        if column in key:
            values = wanted if isinstance(wanted, list) else [wanted]
            domain = domain[domain[column].isin(values)]
    present = set(frame[key].itertuples(index=False, name=None))
    missing = domain[[k not in present for k in domain[key].itertuples(index=False, name=None)]]
    if missing.empty:
        return frame
    defaults = {c.name: c.default for c in TABLES[table].columns if c.name not in key}
    if table == "banking":
        defaults["banking_allowed"] = True
    return pd.concat([frame, missing.assign(**defaults)], ignore_index=True)


def _key_domain(ds: Dataset, table: str) -> pd.DataFrame:
    """Every key a value table could have: its entities times the periods."""
    ets = ds.markets.loc[ds.markets["kind"] == "ets", "market"]
    entities = {
        "limits": ("market", ds.markets["market"]),
        "price_controls": ("market", ets),
        "banking": ("market", ets),
        "taxes": ("region", pd.Series(ds.regions)),
        "ndc": ("region", pd.Series(ds.regions)),
        "gdp": ("region", pd.Series(ds.regions)),
    }[table]
    # object, as the data set's text columns: a `where` value of any type compares as unequal
    frame = pd.DataFrame({entities[0]: pd.Series(list(entities[1]), dtype=object)})
    if "period" in TABLES[table].key:
        frame = frame.merge(pd.DataFrame({"period": list(ds.periods)}), how="cross")
    return frame


@dataclass(frozen=True)
class _Write:
    """One column a change writes: its rows in the planned table, and the column's dtype when
    the changes are applied one by one (float64 there, object in the planned table if a later
    change adds rows whose cell is empty)."""

    change: int
    column: str
    rows: np.ndarray
    dtype: np.dtype


@dataclass(frozen=True)
class _Plan:
    """A table with every row its changes add (index 0..n-1), and what each change writes."""

    frame: pd.DataFrame
    writes: tuple[_Write, ...]


_PLANS: dict[tuple, _Plan | None] = {}


def _planned(source: Path, ds: Dataset, table: str, changes: list[Change]) -> pd.DataFrame | None:
    """The table with `changes` applied by its plan; None if no plan covers them or a value is
    not one numpy writes as `.loc` does (`_writable`: None, a name, a factor for a column that
    holds empty cells)."""
    plan = _plan(ds, table, changes)
    if plan is None:
        return None
    for i, change in enumerate(changes):
        _check_values(source, table, i, change)
    columns: dict[str, np.ndarray] = {}
    for write in plan.writes:
        change = changes[write.change]
        value = change.values[write.column]
        if not _writable(write.dtype, value, change.scale is not None):
            return None
        if write.column not in columns:
            columns[write.column] = plan.frame[write.column].to_numpy(copy=True)
        cells = columns[write.column]
        if change.scale is not None:
            cells[write.rows] = cells[write.rows].astype(write.dtype) * value
        else:
            cells[write.rows] = np.asarray(value, dtype=write.dtype)
    return plan.frame.assign(**columns)


def _writable(dtype: np.dtype, value: Any, is_scale: bool) -> bool:
    """Whether numpy writes `value` as pandas `.loc` does in a column of `dtype`."""
    number = type(value) in (int, float)
    if is_scale or dtype == _FLOAT:
        return dtype == _FLOAT and number
    if dtype == _OBJECT:
        return number
    return dtype == _BOOL and type(value) is bool


def _plan(ds: Dataset, table: str, changes: list[Change]) -> _Plan | None:
    key = _plan_key(ds, table, changes)
    if key is None:
        return None
    if key not in _PLANS:
        if len(_PLANS) >= MAX_PLANS:
            del _PLANS[next(iter(_PLANS))]
        _PLANS[key] = _new_plan(ds, table, changes)
    return _PLANS[key]


def _plan_key(ds: Dataset, table: str, changes: list[Change]) -> tuple | None:
    """All a plan depends on: the table, where each change selects and what it writes, the
    table's cells and, if rows may be added, the markets, regions and periods; None if a part
    cannot be told apart exactly."""
    base = _fingerprint(ds.table(table))
    where = [_where(c.where) for c in changes]
    if base is None or None in where:
        return None
    domain: tuple = ()
    if TABLES[table].rows_may_be_added and any(c.set is not None for c in changes):
        markets = (_column(ds.markets, "market"), _column(ds.markets, "kind"))
        domain = (*markets, _cells(ds.regions), _cells(ds.periods))
        if None in domain:
            return None
    shapes = tuple(
        (w, c.set is not None, tuple(c.values)) for c, w in zip(changes, where, strict=True)
    )
    return (table, shapes, base, domain)


def _where(where: dict[str, Any]) -> tuple | None:
    """A `where` as a key: per column, whether it lists values, and the values (`_cells`)."""
    kept = []
    for column, wanted in where.items():
        cells = _cells(wanted if isinstance(wanted, list) else [wanted])
        if cells is None:
            return None
        kept.append((column, isinstance(wanted, list), cells))
    return tuple(kept)


def _fingerprint(frame: pd.DataFrame) -> tuple | None:
    """A frame's cells, names and dtypes, exactly (bit for bit); None if it has an index other
    than 0..n-1, attrs, repeated column names or names, cells or dtypes `_column` cannot key."""
    index = frame.index
    plain = isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1
    if not plain or frame.attrs or not frame.columns.is_unique:
        return None
    names = _cells(list(frame.columns))
    columns = tuple(_column(frame, name) for name in frame.columns)
    if names is None or None in columns:
        return None
    return (len(frame), index.name, frame.columns.name, names, columns)


def _column(frame: pd.DataFrame, name: str) -> tuple | None:
    """One column's dtype and cells, exactly; None for a dtype not numpy's."""
    series = frame[name]
    dtype = series.dtype
    if not isinstance(dtype, np.dtype):
        return None
    cells = series.to_numpy()
    if dtype == _OBJECT:
        return None if (kept := _cells(cells)) is None else (dtype.str, kept)
    return (dtype.str, cells.tobytes())


def _cells(cells: Any) -> tuple | None:
    """Cells as a key equal only for equal cells of the same type (a float by its bits, so
    -0.0 is not 0.0); None if one is not of a plain type."""
    kept = []
    for cell in cells:
        kind = type(cell)
        if kind not in PLAIN_CELLS:
            return None
        kept.append((kind, cell.hex() if kind is float else cell))
    return tuple(kept)


def _new_plan(ds: Dataset, table: str, changes: list[Change]) -> _Plan | None:
    """The changes' added rows and selections, without their values. None where a value might
    move a later change's rows (it writes a key or a column a later `where` reads), a column is
    missing, a dtype changes otherwise than float64 to object, or a change fails: applied one by
    one, it raises as it should."""
    frame = ds.table(table).copy()
    key = set(TABLES[table].key)
    written: set[str] = set()
    steps: list[tuple[int, str, np.ndarray, np.dtype]] = []
    try:
        for i, change in enumerate(changes):
            if key & set(change.values) or written & set(change.where):
                return None
            if change.set is not None and TABLES[table].rows_may_be_added:
                frame = _add_missing_rows(ds, table, change, frame)
            rows = np.flatnonzero(_select(Path(), "", table, change.where, frame).to_numpy())
            rows.setflags(write=False)
            for column in change.values:
                if column not in frame.columns:
                    return None
                steps.append((i, column, rows, frame[column].dtype))
            written |= set(change.values)
    except Exception:  # the changes applied one by one raise it, after any earlier error
        return None
    final = frame.reset_index(drop=True)
    for _, column, _, dtype in steps:
        widened = dtype == _FLOAT and final[column].dtype == _OBJECT
        if not (dtype == final[column].dtype or widened):
            return None
    return _Plan(final, tuple(_Write(*step) for step in steps))
