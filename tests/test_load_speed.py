"""The quick way of loading a data set gives what a plain reader gives, and the same errors.

`load_dataset` reads large tables with pyarrow, reads each distinct text of a column once and
checks across tables with integer codes. Here a plant-level data set large enough for every
one of those paths is loaded and compared, table by table, with a reader written plainly
(the csv module, then `float`, `int` and `str` cell by cell); and bad cells, rows and keys
in its large files give the errors the exact readers give, naming file, line and column.
"""

from __future__ import annotations

import csv
import math
import shutil
from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd
import pytest
import yaml
from pandas.testing import assert_frame_equal

from abatelink.errors import InputError
from abatelink.inputs import csvfile
from abatelink.inputs.dataset import Dataset, load_dataset
from abatelink.inputs.plants import write_plant_dataset
from abatelink.inputs.schema import FREE_TEXT_COLUMNS, TABLES, TRUE_WORDS, Column, Table
from abatelink.outputs import files_digest

DATA = Path(__file__).resolve().parents[1] / "data" / "nea2018"
PLANTS, UNITS = 2500, 1000  # mac.csv of about 4.5 MB: read by pyarrow on several threads


@pytest.fixture(scope="module")
def plants(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("plants") / "data"
    return write_plant_dataset(DATA, folder, n_emitters=PLANTS, n_ccs_units=UNITS, seed=3)


# --- a plain reader ----------------------------------------------------------------------------


def plain_cells(path: Path) -> tuple[list[str], list[list[str]]]:
    """The header and the rows of stripped cells (short rows padded), blank lines skipped."""
    with path.open(newline="", encoding="utf-8-sig") as stream:
        rows = [[cell.strip() for cell in row] for row in csv.reader(stream)]
    rows = [row for row in rows if row not in ([], [""])]
    header = rows[0]
    return header, [row + [""] * (len(header) - len(row)) for row in rows[1:]]


def plain_column(texts: list[str], column: Column) -> pd.Series:
    """One column typed cell by cell as the schema says."""
    if column.kind == "str":
        return pd.Series([text or math.nan for text in texts], dtype=object)
    if column.kind == "bool":
        words = [(text or str(column.default)).lower() for text in texts]
        return pd.Series([word in TRUE_WORDS for word in words], dtype=bool)
    missing = math.nan if column.default is None else float(column.default)
    numbers = [float(text) if text else missing for text in texts]
    if column.kind in ("int", "period"):
        return pd.Series([int(number) for number in numbers], dtype=np.int64)
    return pd.Series(numbers, dtype=np.float64)


def plain_table(path: Path, table: Table) -> pd.DataFrame:
    """The table as a plain reader types it (an absent table: no rows)."""
    header, rows = plain_cells(path) if path.exists() else ([], [])
    texts = {name: [row[i] for row in rows] for i, name in enumerate(header)}
    columns = {c.name: plain_column(texts.get(c.name, [""] * len(rows)), c) for c in table.columns}
    for name in FREE_TEXT_COLUMNS:
        if name in header:
            columns[name] = pd.Series(texts[name], dtype=object)
    return pd.DataFrame(columns, index=pd.RangeIndex(len(rows)))


def assert_read_plainly(folder: Path, ds: Dataset) -> None:
    """Every table equal to the plain reader's (values, dtypes, Python strings), with lines."""
    for name, table in TABLES.items():
        path = folder / table.file_name
        expected, got = plain_table(path, table), ds.table(name)
        assert_frame_equal(got, expected, check_exact=True, obj=name)
        for column in filter(lambda c: pd.api.types.is_object_dtype(got[c]), got.columns):
            kinds = {type(value) for value in got[column] if not pd.isna(value)}
            assert kinds <= {str}, (name, column, kinds)
        if path.exists():
            assert list(ds.lines[name]) == list(range(2, 2 + len(got))), name
    assert ds.sources == yaml.safe_load((folder / "sources.yaml").read_text())
    assert ds.digest == files_digest(folder)


def test_a_plant_data_set_loads_as_a_plain_reader_reads_it(plants: Path) -> None:
    assert (plants / "mac.csv").stat().st_size > csvfile._THREADED_BYTES
    assert_read_plainly(plants, load_dataset(plants))


def test_the_source_data_set_loads_as_a_plain_reader_reads_it() -> None:
    assert_read_plainly(DATA, load_dataset(DATA))


def test_numbers_written_otherwise_load_as_a_plain_reader_reads_them(
    plants: Path, tmp_path: Path
) -> None:
    """Other spellings of the same numbers take slower ways; a padded cell, the csv module."""
    folder = copy_of(plants, tmp_path)
    header, rows = plain_cells(folder / "mac.csv")
    at = {name: header.index(name) for name in ("period", "step", "quantity_mt")}
    rows[0][at["period"]] += ".0"
    rows[1][at["step"]] = f"{rows[1][at['step']]}.00"
    rows[2][at["quantity_mt"]] = f"{float(rows[2][at['quantity_mt']]):.6E}"
    write_rows(folder / "mac.csv", header, rows)
    header, rows = plain_cells(folder / "baseline.csv")
    rows[5][2] = f" {rows[5][2]}"
    write_rows(folder / "baseline.csv", header, rows)
    assert csvfile._read_simple_csv((folder / "mac.csv").read_bytes()) is not None
    assert csvfile._read_simple_csv((folder / "baseline.csv").read_bytes()) is None
    assert_read_plainly(folder, load_dataset(folder))


# --- errors --------------------------------------------------------------------------------------


def copy_of(folder: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(folder, copy)
    return copy


def write_rows(path: Path, header: list[str], rows: list[list[str]]) -> None:
    path.write_text("\n".join(",".join(row) for row in [header, *rows]) + "\n")


def changed(folder: Path, file: str, line: int, column: str, value: str) -> None:
    """Set one cell (`line` as an editor counts it, the header on line 1)."""
    header, rows = plain_cells(folder / file)
    rows[line - 2][header.index(column)] = value
    write_rows(folder / file, header, rows)


def load_exactly(folder: Path) -> Dataset:
    """`load_dataset` with the csv module and `pd.to_numeric` only."""
    with (
        mock.patch.object(csvfile, "_read_simple_csv", return_value=None),
        mock.patch.object(csvfile, "_plain_numbers", return_value=None),
    ):
        return load_dataset(folder)


def error_of(load, folder: Path) -> str:
    with pytest.raises(InputError) as raised:
        load(folder)
    return str(raised.value)


CELLS = [
    ("mac.csv", 40_000, "quantity_mt", "x"),
    ("mac.csv", 40_000, "quantity_mt", "-1"),
    ("mac.csv", 40_000, "quantity_mt", "1e400"),
    ("mac.csv", 40_000, "quantity_mt", "nan"),
    ("mac.csv", 40_000, "quantity_mt", ""),
    ("mac.csv", 40_001, "cost_usd_per_t", "1e13"),
    ("mac.csv", 40_002, "period", "2021"),
    ("mac.csv", 40_002, "period", "2020.5"),
    ("mac.csv", 40_003, "step", "0"),
    ("mac.csv", 40_003, "step", "-0"),
    ("mac.csv", 40_003, "step", "two"),
    ("mac.csv", 40_004, "emitter", ""),
    ("baseline.csv", 4_000, "emissions_mt", "-0.5"),
    ("emitters.csv", 2_000, "emitter", "CN+KR"),
    ("emitters.csv", 2_000, "sector", ""),
]


@pytest.mark.parametrize(("file", "line", "column", "value"), CELLS)
def test_a_bad_cell_of_a_large_file_gives_the_exact_readers_error(
    plants: Path, tmp_path: Path, file: str, line: int, column: str, value: str
) -> None:
    folder = copy_of(plants, tmp_path)
    changed(folder, file, line, column, value)
    message = error_of(load_dataset, folder)
    assert message == error_of(load_exactly, folder)
    assert message.startswith(f"{folder / file}, line {line}, column '{column}': expected ")


def test_a_repeated_key_is_named_with_both_lines(plants: Path, tmp_path: Path) -> None:
    folder = copy_of(plants, tmp_path)
    header, rows = plain_cells(folder / "mac.csv")
    write_rows(folder / "mac.csv", header, [*rows[:60_000], rows[1_000], *rows[60_000:]])
    emitter, period, step = rows[1_000][:3]
    assert error_of(load_dataset, folder) == (
        f"{folder / 'mac.csv'}, line 60002: duplicate key (emitter={emitter}, "
        f"period={period}, step={step}); it already appears on line 1002"
    )


def test_a_step_without_a_baseline_is_named_at_its_line(plants: Path, tmp_path: Path) -> None:
    folder = copy_of(plants, tmp_path)
    changed(folder, "mac.csv", 50_000, "emitter", "nobody")
    changed(folder, "mac.csv", 65_000, "emitter", "anybody")
    period = plain_cells(folder / "mac.csv")[1][50_000 - 2][1]
    assert error_of(load_dataset, folder) == (
        f"{folder / 'mac.csv'}, line 50000, column 'emitter': no baseline for emitter nobody "
        f"in {period} (baseline.csv)"
    )


def test_the_first_missing_baseline_is_named(plants: Path, tmp_path: Path) -> None:
    """In the order of emitters.csv, then of the periods."""
    folder = copy_of(plants, tmp_path)
    emitters = plain_cells(folder / "emitters.csv")[1]
    header, rows = plain_cells(folder / "baseline.csv")
    late, early = emitters[2_000][0], emitters[100][0]
    gone = [(late, rows[0][1]), (early, "2030"), (early, "2025")]
    kept = [row for row in rows if (row[0], row[1]) not in gone]
    write_rows(folder / "baseline.csv", header, kept)
    assert len(kept) == len(rows) - 3
    assert error_of(load_dataset, folder) == (
        f"{folder / 'baseline.csv'}: no row for emitter {early} in period 2025 "
        f"({early} is in emitters.csv)"
    )


def test_the_first_emitter_over_its_baseline_is_named(plants: Path, tmp_path: Path) -> None:
    """The first in the order of emitter names, then of periods, wherever its rows are."""
    folder = copy_of(plants, tmp_path)
    header, rows = plain_cells(folder / "mac.csv")
    base = {(r[0], r[1]): float(r[2]) for r in plain_cells(folder / "baseline.csv")[1]}
    steps: dict[tuple[str, str], list[list[str]]] = {}
    for row in rows:
        steps.setdefault((row[0], row[1]), []).append(row)
    keys = sorted(steps)
    first, second = keys[len(keys) // 2], keys[len(keys) // 4]
    for key in (first, second):
        steps[key][0][3] = repr(float(steps[key][0][3]) + base[key])
    ahead = [row for row in rows if (row[0], row[1]) == first]
    write_rows(folder / "mac.csv", header, ahead + [row for row in rows if row not in ahead])
    total = sum(float(row[3]) for row in steps[second])
    assert error_of(load_dataset, folder) == (
        f"{folder / 'mac.csv'}, column 'quantity_mt': the steps of {second[0]} in {second[1]} "
        f"add up to {total:g} Mt, more than its baseline of {base[second]:g} Mt (baseline.csv)"
    )
