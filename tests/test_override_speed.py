"""Overrides applied by a plan (`inputs.overrides`) are those applied row by row with pandas.

The reference below is how a scenario's overrides were applied before plans: each change's
`where` selects rows with `isin`, a `set` on a value table first adds the rows it names that
the data lacks, values are written with `.loc`, then the changed data is checked again.
Generated overrides on nea2018 (set and scale, several selections, rows added) must give the
same tables bit for bit, and bad ones the same InputError.
"""

from __future__ import annotations

import math
import random
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from abatelink.errors import InputError
from abatelink.inputs import overrides as plans
from abatelink.inputs.dataset import Dataset, check_dataset, check_tables, load_dataset
from abatelink.inputs.overrides import OVERRIDABLE, Change, apply_changes
from abatelink.inputs.schema import LARGEST, TABLES

ROOT = Path(__file__).resolve().parent.parent
SOURCE = Path("scenario.yaml")
GOOD_FACTORS = (0.5, 1.0, 2, 1.25, 0.0, 0.9)
GOOD_NUMBERS = (0.0, 0.05, 0.5, 1, 3, 250.0, 0.1)


@pytest.fixture(scope="module")
def ds() -> Dataset:
    return load_dataset(ROOT / "data" / "nea2018")


# The reference: overrides applied as before plans (pandas, one change after another).


def reference(overrides: dict[str, list[Change]], ds: Dataset) -> Dataset:
    if not overrides:
        return ds
    frames = {}
    for table, changes in overrides.items():
        plans._overridable(SOURCE, table)
        frame = ds.table(table).copy()
        for i, change in enumerate(changes):
            frame = reference_change(ds, table, i, change, frame)
        frames[table] = frame.reset_index(drop=True)
    changed = ds.with_tables(**frames)
    try:
        if any(TABLES[name].checked_across_tables for name in frames):
            check_dataset(changed)
        else:
            check_tables(changed, frames)
    except InputError as err:
        raise InputError(SOURCE, f"after overrides: {err.problem}", key="overrides") from None
    return changed


def reference_change(
    ds: Dataset, table: str, i: int, change: Change, frame: pd.DataFrame
) -> pd.DataFrame:
    place = f"overrides.{table}.{i}"
    values = change.set if change.set is not None else change.scale
    for column, value in values.items():
        plans._check_value(SOURCE, place, table, column, value, change.scale is not None)
    if change.set is not None and TABLES[table].rows_may_be_added:
        frame = reference_rows_added(ds, table, change, frame)
    selected = pd.Series(True, index=frame.index)
    for column, wanted in change.where.items():
        if column not in frame.columns:
            raise InputError(
                SOURCE,
                f"{table} has no column {column!r}; columns: {', '.join(TABLES[table].key)}, ...",
                key=f"{place}.where",
            )
        selected &= frame[column].isin(wanted if isinstance(wanted, list) else [wanted])
    if not selected.any():
        raise InputError(SOURCE, f"'where' matches no row of {table}", key=f"{place}.where")
    for column, value in values.items():
        if change.scale is not None:
            frame.loc[selected, column] = frame.loc[selected, column] * value
        else:
            empty = TABLES[table].column(column).default
            frame.loc[selected, column] = empty if value is None and empty is not None else value
    return frame


def reference_rows_added(
    ds: Dataset, table: str, change: Change, frame: pd.DataFrame
) -> pd.DataFrame:
    key = list(TABLES[table].key)
    ets = ds.markets.loc[ds.markets["kind"] == "ets", "market"]
    entity, names = {
        "limits": ("market", ds.markets["market"]),
        "price_controls": ("market", ets),
        "banking": ("market", ets),
        "taxes": ("region", pd.Series(ds.regions)),
        "ndc": ("region", pd.Series(ds.regions)),
        "gdp": ("region", pd.Series(ds.regions)),
    }[table]
    domain = pd.DataFrame({entity: pd.Series(list(names), dtype=object)})
    if "period" in key:
        domain = domain.merge(pd.DataFrame({"period": list(ds.periods)}), how="cross")
    for column, wanted in change.where.items():
        if column in key:
            domain = domain[domain[column].isin(wanted if isinstance(wanted, list) else [wanted])]
    present = set(frame[key].itertuples(index=False, name=None))
    missing = domain[[k not in present for k in domain[key].itertuples(index=False, name=None)]]
    if missing.empty:
        return frame
    defaults = {c.name: c.default for c in TABLES[table].columns if c.name not in key}
    if table == "banking":
        defaults["banking_allowed"] = True
    return pd.concat([frame, missing.assign(**defaults)], ignore_index=True)


# Comparing outcomes bit for bit.


def bits(cell: Any) -> tuple:
    return (type(cell), cell.hex() if isinstance(cell, float) else cell)


def assert_same_frame(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert list(got.columns) == list(want.columns)
    assert got.columns.dtype == want.columns.dtype
    assert type(got.index) is type(want.index) and got.index.equals(want.index)
    for column in want.columns:
        assert got[column].dtype == want[column].dtype, column
        if isinstance(want[column].dtype, np.dtype) and want[column].dtype != object:
            assert got[column].to_numpy().tobytes() == want[column].to_numpy().tobytes(), column
        else:
            assert [bits(c) for c in got[column]] == [bits(c) for c in want[column]], column


def outcome(apply: Any, overrides: dict[str, list[Change]], ds: Dataset) -> Dataset | tuple:
    try:
        return apply(overrides, ds)
    except InputError as err:
        return (err.file, err.key, err.problem, err.line, err.column)


def planned(overrides: dict[str, list[Change]], ds: Dataset) -> Dataset:
    return apply_changes(overrides, ds, SOURCE)


def assert_as_reference(overrides: dict[str, list[Change]], ds: Dataset) -> Dataset | tuple:
    """Apply `overrides` twice by plan (building it, then reusing it) and once by the reference;
    the tables or the errors are the same."""
    want = outcome(reference, overrides, ds)
    for _ in range(2):
        got = outcome(planned, overrides, ds)
        if isinstance(want, tuple):
            assert got == want
            continue
        assert isinstance(got, Dataset), got
        for table in overrides:
            assert_same_frame(got.table(table), want.table(table))
        for table in TABLES:
            if table not in overrides:
                assert got.table(table) is ds.table(table)
    return want


def by_plan(overrides: dict[str, list[Change]], ds: Dataset) -> bool:
    """Whether plans apply every table's changes (not pandas, one change after another)."""
    return all(
        plans._planned(SOURCE, ds, table, changes) is not None
        for table, changes in overrides.items()
    )


def changes(*given: dict) -> list[Change]:
    return [Change(**change) for change in given]


# Generated overrides.


def candidates(rng: random.Random, ds: Dataset, table: str, column: str) -> list[Any]:
    """Values a `where` may ask for: the column's own, the data set's names and periods, and
    now and then ones that match nothing or match only by value (2020.0 for 2020)."""
    own = list(dict.fromkeys(ds.table(table)[column].tolist()))
    odd = rng.random() < 0.1
    if column == "period":
        return [*ds.periods, *([2020.0, 1999, "2020"] if odd else [])]
    if column == "market":
        return [*ds.markets["market"], *own, *(["XX"] if odd else [])]
    if column == "region":
        return [*ds.regions, *own, *(["ZZ"] if odd else [])]
    return [*own, *(["nothing"] if odd else [])]


def wanted(rng: random.Random, values: list[Any]) -> Any:
    if rng.random() < 0.5:
        return rng.choice(values)
    return rng.sample(values, rng.randint(1, min(3, len(values))))


def set_value(rng: random.Random, table: str, column: str, bad: bool) -> Any:
    spec = TABLES[table].column(column)
    if spec.kind == "bool":
        return rng.choice([True, False, *([1] if bad else [])])
    if spec.kind == "str":
        return rng.choice([*spec.choices, None, *(["bogus"] if bad else [])])
    empty = [None] if spec.nullable else []
    return rng.choice([*GOOD_NUMBERS, *empty, *([-1.0, math.nan, "x", True, 2e12] if bad else [])])


def generated_change(rng: random.Random, ds: Dataset, table: str, bad: bool) -> dict:
    where = {
        column: wanted(rng, candidates(rng, ds, table, column))
        for column in TABLES[table].key
        if rng.random() < 0.5
    }
    if rng.random() < 0.15:
        column = rng.choice(OVERRIDABLE[table])
        where[column] = wanted(rng, [*candidates(rng, ds, table, column)[:3], None])
    columns = rng.sample(OVERRIDABLE[table], rng.randint(1, min(2, len(OVERRIDABLE[table]))))
    numbers = [c for c in columns if TABLES[table].column(c).kind == "float"]
    if numbers and rng.random() < 0.4:
        factors = [*GOOD_FACTORS, *([-0.5, True, 1e12] if bad else [])]
        return {"where": where, "scale": {c: rng.choice(factors) for c in numbers}}
    return {"where": where, "set": {c: set_value(rng, table, c, bad) for c in columns}}


def generated(rng: random.Random, ds: Dataset, bad: bool) -> dict[str, list[Change]]:
    tables = rng.sample(sorted(OVERRIDABLE), rng.randint(1, 2))
    return {
        t: changes(*(generated_change(rng, ds, t, bad) for _ in range(rng.randint(1, 3))))
        for t in tables
    }


@pytest.mark.parametrize("seed", range(6))
def test_generated_overrides_give_the_reference_tables(ds, seed):
    rng = random.Random(seed)
    done = {"tables": 0, "errors": 0, "planned": 0}
    for _ in range(40):
        overrides = generated(rng, ds, bad=rng.random() < 0.2)
        want = assert_as_reference(overrides, ds)
        done["errors" if isinstance(want, tuple) else "tables"] += 1
        done["planned"] += not isinstance(want, tuple) and by_plan(overrides, ds)
    assert done["tables"] >= 8 and done["errors"] >= 3 and done["planned"] >= 5, done


def resampled(rng: random.Random, overrides: dict[str, list[Change]]) -> dict[str, list[Change]]:
    """The same changes with new values, as a sweep's next scenario."""
    out = {}
    for table, given in overrides.items():
        out[table] = []
        for change in given:
            if change.scale is not None:
                new = {"scale": {c: rng.choice(GOOD_FACTORS) for c in change.scale}}
            else:
                new = {"set": {c: set_value(rng, table, c, bad=False) for c in change.set or {}}}
            out[table].append(Change(where=change.where, **new))
    return out


def test_a_sweep_applies_new_values_by_the_plans_it_made_once(ds):
    """The benchmark's sweep (caps of KR-ETS scaled, the export share of the Chinese markets
    set: rows limits.csv lacks) and generated ones: each scenario, new values, same plans."""
    rng = random.Random(7)
    sweeps = [
        {
            "caps": changes({"where": {"market": "KR-ETS"}, "scale": {"cap_mt": 1.1}}),
            "limits": changes(
                {"where": {"market": ["CN-ETS", "CN-PILOT"]}, "set": {"max_export_share": 0.05}}
            ),
        },
        *(generated(rng, ds, bad=False) for _ in range(30)),
    ]
    sweeps = [s for s in sweeps if not isinstance(outcome(reference, s, ds), tuple)]
    assert by_plan(sweeps[0], ds) and sum(by_plan(s, ds) for s in sweeps) >= 5
    for sweep in sweeps:
        made = set(plans._PLANS)
        for _ in range(4):
            assert_as_reference(resampled(rng, sweep), ds)
        assert len(set(plans._PLANS) - made) <= len(sweep)


def test_rows_added_after_a_change_widen_what_it_wrote(ds):
    """A later change that adds rows to limits makes its share columns object (empty cells):
    what earlier changes wrote there, as floats, reads the same as when applied one by one."""
    overrides = {
        "limits": changes(
            {"where": {"market": "KR-ETS"}, "set": {"max_export_share": 1}},
            {"where": {"market": "JP-TAX", "period": 2025}, "scale": {"max_import_share": 0.5}},
            {"where": {"market": "CN-ETS"}, "set": {"max_export_share": 0.25}},
            {"where": {"market": ["CN-ETS", "KR-ETS"]}, "set": {"max_offset_share": 0}},
            {"where": {}, "set": {"max_international_offset_share": 0.1}},
        ),
        "banking": changes({"where": {"market": "KR-ETS"}, "set": {"banking_allowed": False}}),
        "price_controls": changes(
            {"where": {"period": 2030}, "set": {"floor_usd_per_t": 5}},
            {"where": {"market": "KR-ETS"}, "set": {"ceiling_usd_per_t": 80}},
        ),
    }
    assert by_plan(overrides, ds)
    got = assert_as_reference(overrides, ds)
    assert isinstance(got, Dataset) and got.limits["max_export_share"].dtype == object


def test_a_where_on_a_written_column_is_applied_change_by_change(ds):
    """A `where` that reads what an earlier change wrote selects by the written values."""
    for given in (
        (
            {"where": {"market": "KR-ETS", "period": 2020}, "set": {"max_offset_share": 0.2}},
            {"where": {"max_offset_share": 0.1}, "set": {"max_import_share": 0.3}},
        ),
        (
            {"where": {"market": "KR-ETS"}, "set": {"max_offset_share": 0.2}},
            {"where": {"max_offset_share": [0.2, 0.1]}, "scale": {"max_offset_share": 2}},
        ),
    ):
        overrides = {"limits": changes(*given)}
        assert not by_plan(overrides, ds)
        got = assert_as_reference(overrides, ds)
        assert isinstance(got, Dataset)


def test_a_plan_follows_the_cells_of_its_table(ds):
    """Plans are keyed by the table's cells, not the frame: another table, or the same frame
    changed in place (a number, a name), gets its own."""
    overrides = {
        "limits": changes(
            {"where": {"market": "KR-ETS"}, "scale": {"max_offset_share": 2, "max_import_share": 2}}
        ),
        "caps": changes({"where": {"period": 2030}, "set": {"cap_mt": 100}}),
    }
    limits = ds.limits.copy()
    other = ds.with_tables(limits=limits, caps=ds.caps.iloc[::-1].reset_index(drop=True))
    for data in (ds, other):
        assert by_plan(overrides, data)
        assert_as_reference(overrides, data)
    limits.loc[3, "source"] = "elsewhere"
    limits.loc[4, "market"] = "KR-ETS"
    got = assert_as_reference(overrides, other)
    assert isinstance(got, Dataset) and got.limits.at[3, "source"] == "elsewhere"
    assert got.limits["max_import_share"].tolist()[3:] == [0.1, 0.2, 0.1]
    limits.loc[0, "max_offset_share"] = 0.3
    got = assert_as_reference(overrides, other)
    assert isinstance(got, Dataset)
    assert got.limits["max_offset_share"].tolist()[:3] == [0.6, 0.2, 0.2]


def test_no_overrides_leave_the_data_set_as_it_is(ds):
    assert planned({}, ds) is ds


BAD = [
    ({"markets": []}, "overrides.markets", "cannot be overridden"),
    (
        {"caps": [{"where": {"market": "KR-ETS"}, "set": {"source": "x"}}]},
        "overrides.caps.0.set.source",
        "cannot be overridden",
    ),
    ({"caps": [{"where": {"market": "MZ"}, "scale": {"cap_mt": 2}}]}, "overrides.caps.0.where", ""),
    (
        {"caps": [{"where": {"sector": "power"}, "scale": {"cap_mt": 2}}]},
        "overrides.caps.0.where",
        "no column 'sector'",
    ),
    ({"caps": [{"set": {"cap_mt": math.nan}}]}, "overrides.caps.0.set.cap_mt", "nan"),
    ({"caps": [{"set": {"cap_mt": math.inf}}]}, "overrides.caps.0.set.cap_mt", "inf"),
    ({"caps": [{"set": {"cap_mt": -1}}]}, "overrides.caps.0.set.cap_mt", "≥ 0"),
    ({"caps": [{"scale": {"cap_mt": -1}}]}, "overrides.caps.0.scale.cap_mt", "factor"),
    (
        {"banking": [{"scale": {"banking_allowed": 0.5}}]},
        "overrides.banking.0.scale.banking_allowed",
        "factor",
    ),
    (
        {"limits": [{"set": {"max_import_share": "lots"}}]},
        "overrides.limits.0.set.max_import_share",
        "'lots'",
    ),
    (
        {"caps": [{"where": {"market": "CN-ETS"}, "scale": {"cap_mt": LARGEST}}]},
        "overrides",
        "after overrides: expected a finite number ≥ 0 ≤ 1e+12 in column 'cap_mt' of caps.csv",
    ),
    (
        {
            "caps": [
                {"where": {"market": "MZ"}, "scale": {"cap_mt": 2}},
                {"where": {"market": "CN-ETS"}, "scale": {"cap_mt": -1}},
            ]
        },
        "overrides.caps.0.where",
        "matches no row",
    ),
    (
        {
            "caps": [{"where": {"market": "CN-ETS"}, "scale": {"cap_mt": 2}}],
            "taxes": [{"where": {"region": "JP"}, "scale": {"rate_usd_per_t": 1e12}}],
        },
        "overrides",
        "after overrides: expected a finite number ≥ 0 ≤ 1e+12 in column 'rate_usd_per_t'",
    ),
    (
        {
            "price_controls": [
                {"where": {"market": "KR-ETS"}, "set": {"floor_usd_per_t": 50}},
                {"where": {"market": "KR-ETS"}, "set": {"ceiling_usd_per_t": 20}},
            ]
        },
        "overrides",
        "after overrides: the floor is above the ceiling",
    ),
    (
        {"ndc": [{"where": {"region": "JP"}, "set": {"intensity_reduction_vs_base": 0.3}}]},
        "overrides",
        "not both",
    ),
    (
        {"ndc": [{"where": {"region": "MN"}, "set": {"base_intensity_t_per_kusd": 0.3}}]},
        "overrides",
        "an intensity target needs intensity_reduction_vs_base",
    ),
    (
        {"baseline": [{"where": {"period": 2030}, "scale": {"emissions_mt": 0.01}}]},
        "overrides",
        "after overrides: the steps of",
    ),
]


@pytest.mark.parametrize(("given", "key", "words"), BAD)
def test_bad_overrides_raise_the_reference_error(ds, given, key, words):
    """Each bad override raises as before, whether its tables' plans are new or already made
    (a good override of the same shape made them)."""
    overrides = {table: changes(*c) for table, c in given.items()}
    want = assert_as_reference(overrides, ds)
    assert isinstance(want, tuple) and want[1] == key and words in want[2], want
    good = {t: [_good(c) for c in cs] for t, cs in overrides.items() if t in OVERRIDABLE}
    if good and not isinstance(outcome(reference, good, ds), tuple):
        planned(good, ds)
        assert outcome(planned, overrides, ds) == want


def _good(change: Change) -> Change:
    """The change with a value a plan writes in each column it may override."""
    if change.scale is not None:
        return Change(where=change.where, scale=dict.fromkeys(change.scale, 1.0))
    return Change(where=change.where, set={c: _good_value(c) for c in change.set or {}})


def _good_value(column: str) -> Any:
    return {"banking_allowed": True, "floor_kind": "reserve"}.get(column, 0.5)


def test_plan_writes_match_loc_for_each_kind_of_column():
    """numpy writes what `.loc` writes: a float64 column stays float64, an object column keeps
    the value given (an int stays an int), a bool column stays bool."""
    frame = pd.DataFrame(
        {
            "f": [0.5, np.nan, 2.0],
            "o": pd.Series([0.1, None, "x"], dtype=object),
            "b": [True, False, True],
        }
    )
    rows = np.array([0, 2])
    mask = pd.Series([True, False, True])
    for column, value in (("f", 3), ("f", 0.25), ("o", 3), ("o", 0.5), ("b", False)):
        dtype = frame[column].dtype
        assert plans._writable(dtype, value, is_scale=False)
        want = frame.copy()
        want.loc[mask, column] = value
        cells = frame[column].to_numpy(copy=True)
        cells[rows] = np.asarray(value, dtype=dtype)
        assert_same_frame(frame.assign(**{column: cells}), want)
    assert not plans._writable(np.dtype(float), None, is_scale=False)
    assert not plans._writable(np.dtype(object), 0.5, is_scale=True)
    assert not plans._writable(np.dtype(float), np.float64(0.5), is_scale=False)
