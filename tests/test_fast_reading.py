"""The fast ways of reading a data set give exactly what the slow, exact ways give.

`csvfile._read_simple_csv` (pyarrow's CSV reader) must split a file into the same cells and
lines as `csvfile._read_any_csv` (the csv module), or decline; `csvfile._plain_numbers` must
give the floats `pd.to_numeric` gives, or decline. And a data set loads to the same frames,
or fails with the same message, whichever way its files are read.
"""

from __future__ import annotations

import csv
import itertools
import shutil
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from abatelink.errors import InputError
from abatelink.inputs import csvfile, dataset, schema
from abatelink.inputs.dataset import load_dataset

DATA = Path(__file__).resolve().parents[1] / "data" / "nea2018"
FILE = Path("table.csv")


def exact_cells(data: bytes) -> tuple[list[str], list[list[str]], list[int], int] | str:
    """What the csv module reads from `data` (header, columns, lines, header line), or the error."""
    try:
        raw = csvfile._read_any_csv(FILE, csvfile._decode(FILE, data))
    except InputError as err:
        return str(err)
    return raw.header, [c.to_pylist() for c in raw.columns], list(raw.lines), raw.header_line


def fast_cells(data: bytes) -> tuple[list[str], list[list[str]], list[int], int] | None:
    """What pyarrow reads from `data`, or None where `_read_simple_csv` declines."""
    raw = csvfile._read_simple_csv(data)
    if raw is None:
        return None
    return raw.header, [c.to_pylist() for c in raw.columns], list(raw.lines), raw.header_line


# --- the CSV reader --------------------------------------------------------------------------

PLAIN = ["a", "1", ".", "-", "é", "x y"]
TRICKY = [" ", "\t", '"', "\r", "\n", ",", "\xa0", "\u3000", "\x1c", "\x00"]
CELL = st.lists(st.sampled_from(PLAIN * 30 + TRICKY), max_size=3).map("".join)
HEADERS = ["a,b", "a,b,c", "a", "a, b", "a,,b", "a,a"]


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    """A header, rows of as many cells (now and then one more or less), a line break or two."""
    header = draw(st.sampled_from(HEADERS))
    width = header.count(",") + 1
    rows = []
    for _ in range(draw(st.integers(0, 6))):
        cells = width if draw(st.integers(0, 9)) else max(1, width + draw(st.sampled_from([-1, 1])))
        rows.append(",".join(draw(st.lists(CELL, min_size=cells, max_size=cells))))
    end = draw(st.sampled_from(["", "\n", "\n", "\n\n"]))
    bom = draw(st.sampled_from(["", "", "\ufeff"]))
    return (bom + header + "\n" + "\n".join(rows) + end).encode()


@settings(max_examples=800, deadline=None)
@given(csv_files())
def test_simple_reader_reads_what_the_csv_module_reads(data: bytes) -> None:
    fast = fast_cells(data)
    if fast is not None:
        assert fast == exact_cells(data)


GOOD = b"emitter,period,quantity\nA,2020,1.5\nB,2020,\n"


@pytest.mark.parametrize(
    "data",
    [
        GOOD,
        GOOD.rstrip(b"\n"),
        b"\xef\xbb\xbf" + GOOD,
        b"name,note\nA,caf\xc3\xa9 au lait\n",
        b"a,b\n",
    ],
)
def test_simple_files_are_read_fast(data: bytes) -> None:
    assert fast_cells(data) is not None
    assert fast_cells(data) == exact_cells(data)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"a,b",  # no line break after the header
        b"\n" + GOOD,  # a blank first line
        GOOD + b"\n",  # a blank last line
        GOOD.replace(b"\nB", b"\n\nB"),
        GOOD.replace(b"\n", b"\r\n"),
        GOOD.replace(b"A,", b'"A",'),
        GOOD.replace(b"A,", b"A ,"),
        GOOD.replace(b"A,", b"A\xc2\xa0,"),  # a no-break space after the cell
        GOOD.replace(b"A,", b"\xe3\x80\x80A,"),  # an ideographic space before it
        GOOD.replace(b"A,", b"A\x00,"),
        GOOD.replace(b"A,", b"A\xff,"),  # not UTF-8
        GOOD.replace(b"A,", b"A\xed\xa0\x80,"),  # a UTF-16 surrogate, not UTF-8 either
        GOOD.replace(b"1.5", b"1.5,9"),  # a row longer than the header
        GOOD.replace(b"B,2020,", b"B,2020"),  # a shorter one (padded by the csv module)
        b"a\nx\n\ny\n",  # one column: a blank line would pass for an empty cell
        b" a,b\nx,y\n",
    ],
)
def test_other_files_are_left_to_the_csv_module(data: bytes) -> None:
    assert fast_cells(data) is None


def test_a_cell_longer_than_the_csv_module_reads_is_left_to_it() -> None:
    data = b"a,b\nx," + b"y" * 200 + b"\n"
    limit = csv.field_size_limit()
    try:
        csv.field_size_limit(100)
        assert fast_cells(data) is None
        assert "field larger than field limit" in str(exact_cells(data))
    finally:
        csv.field_size_limit(limit)


def test_no_character_after_u3000_is_whitespace() -> None:
    """`_SPACE_AROUND` lists what `str.strip` removes up to U+3000, and nothing follows."""
    assert not any(chr(i).isspace() for i in range(0x3001, 0x110000))


# --- numbers ---------------------------------------------------------------------------------


def to_numeric(cells: list[str]) -> np.ndarray:
    """How `_parse_numbers` reads numbers without the fast path."""
    text = pd.Series(cells, dtype="str")
    return pd.to_numeric(text.where(text != "", None), errors="coerce").to_numpy(dtype=float)


def plain_numbers(cells: list[str]) -> np.ndarray | None:
    text = pa.chunked_array([pa.array(cells, pa.string())])
    return csvfile._plain_numbers(text, np.array([c == "" for c in cells], dtype=bool))


def assert_same_numbers(cells: list[str]) -> None:
    fast = plain_numbers(cells)
    if fast is not None:
        assert fast.tobytes() == to_numeric(cells).tobytes(), cells  # -0.0 and NaN too


NUMBER = st.lists(st.sampled_from("0123456789.-+eE"), min_size=0, max_size=32).map("".join)


@settings(max_examples=600, deadline=None)
@given(st.lists(NUMBER | st.sampled_from(["", "-0", "nan", "inf", "1e400", "1e-400"]), max_size=6))
def test_plain_numbers_are_what_pandas_reads(cells: list[str]) -> None:
    assert_same_numbers(cells)


def test_every_short_number_is_read_as_pandas_reads_it() -> None:
    for size in range(1, 5):
        for chars in itertools.product("-.0e5+", repeat=size):
            cell = "".join(chars)
            assert_same_numbers([cell])
            assert_same_numbers([cell, "1.5"])  # pandas reads a column of integers apart
            assert_same_numbers([cell, ""])


@pytest.mark.parametrize(
    "cells",
    [["1.5", "2", ""], ["2020", "2025"], ["-.5", "5.", "007"], ["1e5", "1E-05", "12.5e+2"]],
)
def test_plain_numbers_are_read_fast(cells: list[str]) -> None:
    assert plain_numbers(cells) is not None
    assert_same_numbers(cells)


@pytest.mark.parametrize(
    "cell", ["+1", "-0", "1e400", "1e-400", "1e100", "nan", "inf", "0x10", "1_0", "1" * 31]
)
def test_other_numbers_are_left_to_pandas(cell: str) -> None:
    assert plain_numbers([cell, "1"]) is None


# --- whole data sets ---------------------------------------------------------------------------


def load_exactly(folder: Path) -> dataset.Dataset:
    """`load_dataset` with the csv module and `pd.to_numeric` only."""
    with (
        mock.patch.object(csvfile, "_read_simple_csv", return_value=None),
        mock.patch.object(csvfile, "_plain_numbers", return_value=None),
    ):
        return load_dataset(folder)


def outcome(load, folder: Path) -> dataset.Dataset | str:
    try:
        return load(folder)
    except InputError as err:
        return str(err)


def assert_same_outcome(folder: Path) -> None:
    fast, exact = outcome(load_dataset, folder), outcome(load_exactly, folder)
    if isinstance(exact, str) or isinstance(fast, str):
        assert fast == exact
        return
    for name in schema.TABLES:
        assert_frame_equal(fast.table(name), exact.table(name), check_exact=True)
    assert fast.lines == exact.lines


def test_the_data_set_loads_the_same_either_way() -> None:
    assert_same_outcome(DATA)


def cell_changes() -> Iterator[tuple[str, int, str, str]]:
    """(file, line, column, new text) for a cell of mac.csv and of other files."""
    values = ["", "x", "-0", "+5", "1e400", "nan", "1.5", "2021", "2020.0", "1e3", " 7", "-1"]
    for value in values:
        yield "mac.csv", 5, "quantity_mt", value
        yield "mac.csv", 7, "period", value
        yield "mac.csv", 9, "step", value
        yield "baseline.csv", 3, "emissions_mt", value
        yield "corridors.csv", 2, "max_modules", value
    yield "mac.csv", 4, "emitter", "CN-power"  # a repeated key
    yield "mac.csv", 4, "emitter", "nobody"
    yield "emitters.csv", 3, "market", "KR-ETS"


@pytest.mark.parametrize(("file", "line", "column", "value"), list(cell_changes()))
def test_a_changed_cell_gives_the_same_error_either_way(
    tmp_path: Path, file: str, line: int, column: str, value: str
) -> None:
    folder = tmp_path / "data"
    shutil.copytree(DATA, folder)
    lines = (folder / file).read_text().split("\n")
    cells = lines[line - 1].split(",")
    cells[lines[0].split(",").index(column)] = value
    lines[line - 1] = ",".join(cells)
    (folder / file).write_text("\n".join(lines))
    assert_same_outcome(folder)
