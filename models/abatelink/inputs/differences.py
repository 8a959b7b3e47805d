"""What differs between two scenarios' resolved inputs, so a user knows why two runs differ.

Settings are compared key by key (nested keys joined by "."), leaving out what names or
describes a scenario; data-set tables are compared cell by cell after each scenario's
overrides, rows matched on the table's key. The data set's metadata (periods, discount rate,
regions) counts as settings under `dataset.yaml`.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from abatelink.inputs.dataset import Dataset
from abatelink.inputs.scenario import Scenario, scenario_dataset, scenario_inputs
from abatelink.inputs.schema import TABLES

COLUMNS = ["what", "key", "column", "a", "b"]
NOT_COMPARED = {"name", "description", "dataset", "overrides", "sources"}


def differences(a: Scenario, b: Scenario) -> pd.DataFrame:
    """Rows (what, key, column, a, b): each setting and each data cell that differs.

    `what` is `scenario` for a setting (its dotted name in `key`), `dataset.yaml` for the data
    set's metadata, or a table's name (`key`: its key columns' values joined by " | "). A
    row only one side has shows each of its cells against an empty one.
    """
    data_a = scenario_inputs(a, scenario_dataset(a)).dataset
    data_b = scenario_inputs(b, scenario_dataset(b)).dataset
    rows = _setting_rows("scenario", _settings(a), _settings(b))
    rows += _setting_rows(
        "dataset.yaml", _flat(data_a.meta.model_dump()), _flat(data_b.meta.model_dump())
    )
    for table in TABLES.values():
        rows += _table_rows(
            table.name, list(table.key), _frame(data_a, table.name), _frame(data_b, table.name)
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def _settings(scenario: Scenario) -> dict[str, Any]:
    dumped = scenario.model_dump(mode="json", exclude=NOT_COMPARED)
    return _flat(dumped)


def _flat(value: Any, prefix: str = "") -> dict[str, Any]:
    """{"solver.time_limit": 600, ...}: nested mappings flattened to dotted keys."""
    if isinstance(value, dict) and value:
        out: dict[str, Any] = {}
        for key, inner in value.items():
            out.update(_flat(inner, f"{prefix}{key}."))
        return out
    return {prefix.rstrip("."): value}


def _setting_rows(what: str, a: dict[str, Any], b: dict[str, Any]) -> list[tuple]:
    keys = sorted(set(a) | set(b))
    return [
        (what, key, "", _text(a.get(key)), _text(b.get(key)))
        for key in keys
        if not _same(a.get(key), b.get(key))
    ]


def _frame(dataset: Dataset, name: str) -> pd.DataFrame:
    return getattr(dataset, name)


def _table_rows(name: str, key: list[str], a: pd.DataFrame, b: pd.DataFrame) -> list[tuple]:
    """Rows only in A, only in B, and each cell that differs in rows both have."""
    if a.empty and b.empty:
        return []
    columns = [c for c in dict.fromkeys([*a.columns, *b.columns]) if c not in key and c != "source"]
    left, right = a.set_index(key), b.set_index(key)
    rows = []
    for at in left.index.union(right.index, sort=False):
        label = _label(at)
        for column in columns:
            va = _cell(left, at, column)
            vb = _cell(right, at, column)
            if not _same(va, vb):
                rows.append((name, label, column, _text(va), _text(vb)))
    return rows


def _cell(frame: pd.DataFrame, at: Any, column: str) -> Any:
    """The cell, or None where the row or the column is absent."""
    if column not in frame.columns or at not in frame.index:
        return None
    return frame.at[at, column]


def _label(at: Any) -> str:
    return " | ".join(map(str, at)) if isinstance(at, tuple) else str(at)


def _same(a: Any, b: Any) -> bool:
    if _missing(a) and _missing(b):
        return True
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=0.0)
    return a == b


def _missing(value: Any) -> bool:
    """None, NaN, or an empty list or mapping: nothing set."""
    if isinstance(value, dict | list | tuple):
        return not value
    return value is None or (isinstance(value, float) and math.isnan(value))


def _text(value: Any) -> str:
    if _missing(value):
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
