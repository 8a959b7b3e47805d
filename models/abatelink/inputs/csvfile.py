"""Reading one CSV table of a data set into a typed DataFrame, as its schema declares.

`read_table` raises an `InputError` that names the file, the line, the column and what was
expected. Simple files are split by pyarrow's CSV reader; anything else (quotes, carriage
returns, padded cells, ragged rows) by the csv module, so every error message is the same
either way.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv

from abatelink.errors import InputError
from abatelink.inputs.schema import (
    FALSE_WORDS,
    FREE_TEXT_COLUMNS,
    LARGEST,
    NAME_SEPARATORS,
    TRUE_WORDS,
    Column,
    Table,
    plain_name,
)

# Bytes that need no second look in a CSV file (`_read_simple_csv`): printable ASCII except
# space and quote. A file with a quote, carriage return or NUL is read by the csv module; one
# with other bytes (spaces, non-ASCII text) is checked cell by cell.
_ORDINARY_BYTES = bytes(b for b in range(0x21, 0x7F) if b != ord('"'))
_UNREADABLE_BYTES = {ord('"'), ord("\r"), 0}
# A cell that starts or ends with what `str.strip` removes (U+3000 is the last such character).
_WHITESPACE = "".join(f"\\x{{{i:x}}}" for i in range(0x3001) if chr(i).isspace())
_SPACE_AROUND = f"^[{_WHITESPACE}]|[{_WHITESPACE}]$"
# A number pyarrow and `pd.to_numeric` both read to the nearest float (for a leading "+",
# pandas may not): no "+" sign, at most a two-digit exponent, at most 30 characters.
_PLAIN_NUMBER = r"^(-?(\d+\.?\d*|\.\d+)([eE][+-]?\d\d?)?)?$"
_PLAIN_NUMBER_LENGTH = 30
_NUMBER_CHARACTERS = "0123456789.-"
_PLAIN_NAME_BYTES = bytes(b for b in range(0x20, 0x7F) if chr(b) not in NAME_SEPARATORS)
# Files this large are split by pyarrow on several threads.
_THREADED_BYTES = 1 << 22


def empty_table(table: Table) -> pd.DataFrame:
    """A typed, empty frame with the table's columns (for an optional table that is absent)."""
    dtypes = {"str": object, "float": float, "int": int, "bool": bool, "period": int}
    return _frame({c.name: np.empty(0, dtype=dtypes[c.kind]) for c in table.columns}, 0)


def read_table(path: Path, table: Table, periods: tuple[int, ...]) -> pd.DataFrame:
    """Read and type one CSV table; raise `InputError` at the first bad cell."""
    return read_table_with_lines(path, table, periods)[0]


def read_table_with_lines(
    path: Path, table: Table, periods: tuple[int, ...]
) -> tuple[pd.DataFrame, Sequence[int]]:
    """`read_table`, and the line of the file each row starts on (for later error messages)."""
    if not path.exists():
        if table.optional:
            return empty_table(table), ()
        raise InputError(path, f"file not found; the data set needs {table.file_name}")
    raw = _read_csv_as_text(path)
    _check_header(path, raw, table)
    cells = {name: _Cells(raw.column(name), raw.lines) for name in table.names}
    columns = {c.name: _parse_column(path, cells[c.name], c, periods) for c in table.columns}
    for name in FREE_TEXT_COLUMNS:
        if name in raw.header:
            columns[name] = _as_objects(_Cells(raw.column(name), raw.lines))
    frame = _frame(columns, len(raw.lines))
    _check_unique_key(path, frame, table, cells, _key_codes(columns, table, cells))
    return frame, _line_numbers(raw.lines)


def release_reading_memory() -> None:
    """Give back to the system the buffers pyarrow's allocator kept from reading (it holds
    freed memory for reuse: ~25 MB after a 5,000-plant data set, never needed again)."""
    pa.default_memory_pool().release_unused()


def _frame(columns: Mapping[str, np.ndarray], rows: int) -> pd.DataFrame:
    """The typed columns as a frame, not copied; text stays Python strings (dtype object)."""
    index = pd.RangeIndex(rows)
    series = {
        name: pd.Series(values, index=index, dtype=values.dtype, copy=False)
        for name, values in columns.items()
    }
    return pd.DataFrame(series, index=index, copy=False)


def _line_numbers(lines: Sequence[int]) -> Sequence[int]:
    """`lines` as a range where they follow each other (as they do in most files), else a tuple."""
    if isinstance(lines, range):
        return lines
    if not lines:
        return range(0)
    if lines[-1] - lines[0] == len(lines) - 1:
        return range(lines[0], lines[-1] + 1)
    return tuple(lines)


@dataclass(frozen=True)
class _CsvText:
    """A CSV file's cells as stripped text: one pyarrow string array per header name."""

    header: list[str]
    columns: list[pa.ChunkedArray]
    lines: Sequence[int]
    """The line of the file each row starts on."""
    header_line: int

    def column(self, name: str) -> pa.ChunkedArray:
        """The cells under `name`, or empty cells if the header lacks it."""
        if name in self.header:
            return self.columns[self.header.index(name)]
        return pa.chunked_array([pa.repeat("", len(self.lines))])


@dataclass(frozen=True)
class _Cells:
    """One column's cells as text, and the line of the file each is on."""

    text: pa.ChunkedArray
    lines: Sequence[int]

    @functools.cached_property
    def encoded(self) -> pa.DictionaryArray:
        """The cells dictionary-encoded: each distinct text once, and its index for each cell."""
        return pc.dictionary_encode(self.text).combine_chunks()

    @functools.cached_property
    def indices(self) -> np.ndarray:
        """The index of each cell's text in `encoded.dictionary`."""
        return self.encoded.indices.to_numpy(zero_copy_only=False)

    def fail_where(
        self,
        path: Path,
        bad: np.ndarray,
        column: Column,
        expected: str | None = None,
        at: np.ndarray | None = None,
    ) -> None:
        """Raise `InputError` at the first cell where `bad` holds, quoting the cell.

        With `at`, `bad` holds for each distinct text, and `at` is each cell's text (`indices`).
        """
        if bad.any():
            first = int(np.argmax(bad if at is None else bad[at]))
            self.fail(path, first, column, repr(self.text[first].as_py()), expected)

    def fail(
        self, path: Path, row: int, column: Column, found: str, expected: str | None = None
    ) -> None:
        """Raise `InputError` for the cell of `row`: expected that, found `found`."""
        raise InputError(
            path,
            f"expected {expected or column.expectation()}, found {found}",
            line=int(self.lines[row]),
            column=column.name,
        )


def _read_csv_as_text(path: Path) -> _CsvText:
    """The cells as stripped text, with the line each row starts on and the header's line.

    Lines are counted as an editor shows them: blank lines (skipped) and the line breaks
    inside quoted cells count too. A short row is padded with empty cells.
    """
    data = _read_bytes(path)
    simple = _read_simple_csv(data)
    if simple is not None:
        return simple
    return _read_any_csv(path, _decode(path, data))


def _read_any_csv(path: Path, text: str) -> _CsvText:
    """`_read_csv_as_text` for any text, row by row with the csv module (exact but slow)."""
    reader = csv.reader(io.StringIO(text, newline=""), skipinitialspace=True, strict=True)
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
    columns = [pa.chunked_array([pa.array(cells, pa.string())]) for cells in zip(*rows)]
    if not rows:
        columns = [pa.chunked_array([], pa.string()) for _ in header]
    return _CsvText(header, columns, lines, header_line)


def _read_simple_csv(data: bytes) -> _CsvText | None:
    """`_read_csv_as_text` by pyarrow's fast CSV reader; None unless the file is simple.

    Simple: UTF-8 text without quote, carriage return or NUL characters, the header on
    line 1, no blank line, as many cells on every line as in the header, no cell longer
    than the csv module reads and none with whitespace around it. Then pyarrow splits the
    lines into the cells `_read_any_csv` finds, and row i is on line i + 2.
    """
    start = len(codecs.BOM_UTF8) if data[:3] == codecs.BOM_UTF8 else 0
    unusual, breaks = _scan(data, start)
    if len(data) == start or data[start : start + 1] == b"\n" or unusual & _UNREADABLE_BYTES:
        return None
    end = data.find(b"\n", start)
    try:
        header = data[start : end if end >= 0 else len(data)].decode().split(",")
    except UnicodeDecodeError:
        return None
    if any(name != name.strip() for name in header):
        return None
    names = [str(i) for i in range(len(header))]
    try:
        table = pyarrow.csv.read_csv(
            pa.BufferReader(pa.py_buffer(data)[start:]),
            read_options=pyarrow.csv.ReadOptions(
                column_names=names, skip_rows=1, use_threads=len(data) >= _THREADED_BYTES
            ),
            parse_options=pyarrow.csv.ParseOptions(quote_char=False),
            convert_options=pyarrow.csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string())
            ),
        )
    except pa.ArrowInvalid:  # a row with more or fewer cells than the header, not UTF-8, ...
        return None
    lines = breaks + (data[-1:] != b"\n")
    if table.num_rows != lines - 1:  # a blank line (pyarrow skips it too)
        return None
    columns = table.columns
    if unusual and any(pc.any(pc.match_substring_regex(c, _SPACE_AROUND)).as_py() for c in columns):
        return None
    if len(data) > csv.field_size_limit() and any(
        pc.max(pc.binary_length(c)).as_py() > csv.field_size_limit() for c in columns
    ):
        return None
    return _CsvText(header, columns, range(2, 2 + table.num_rows), 1)


def _scan(data: bytes, start: int) -> tuple[set[int], int]:
    """The bytes of data[start:] that need a second look (neither `_ORDINARY_BYTES` nor a line
    feed), and how many line feeds there are."""
    kept = data[start:].translate(None, _ORDINARY_BYTES)
    unusual = kept.translate(None, b"\n")
    return set(unusual), len(kept) - len(unusual)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as err:
        raise InputError(path, f"cannot be read ({err.strerror or err})") from None


def _decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(
            path,
            f"not a readable CSV file: byte {data[err.start]:#04x} is not UTF-8 text",
            line=data.count(b"\n", 0, err.start) + 1,
        ) from None


def _check_header(path: Path, raw: _CsvText, table: Table) -> None:
    known = {c.name for c in table.columns} | set(FREE_TEXT_COLUMNS)
    missing = [c.name for c in table.columns if c.required and c.name not in raw.header]
    if missing:
        raise InputError(
            path,
            f"missing column '{missing[0]}'; the header must name "
            + ", ".join(c.name for c in table.columns if c.required),
            line=raw.header_line,
        )
    unknown = [c for c in raw.header if c not in known]
    if unknown:
        raise InputError(
            path,
            f"unexpected column {unknown[0]!r}; known columns are " + ", ".join(sorted(known)),
            line=raw.header_line,
        )
    twice = [c for i, c in enumerate(raw.header) if c in raw.header[:i]]
    if twice:
        raise InputError(
            path, f"column {twice[0]!r} appears twice in the header", line=raw.header_line
        )


def _parse_column(
    path: Path, cells: _Cells, column: Column, periods: tuple[int, ...]
) -> np.ndarray:
    """The typed cells of one column; `InputError` at the first cell that does not fit."""
    empty = _mask(pc.equal(cells.text, ""))
    if not column.nullable and empty.any():
        cells.fail(path, int(np.argmax(empty)), column, "an empty cell")
    if column.kind == "str":
        if column.choices:
            chosen = pc.is_in(cells.text, pa.array(column.choices, pa.string()))
            cells.fail_where(path, ~_mask(chosen) & ~empty, column)
        if column.identifier:
            cells.fail_where(path, ~_plain_names(cells) & ~empty, column)
        objects = _as_objects(cells)
        objects[empty] = np.nan
        return objects
    if column.kind == "bool":
        return _parse_bool(path, cells, column)
    return _parse_numbers(path, cells, empty, column, periods)


def _parse_numbers(
    path: Path, cells: _Cells, empty: np.ndarray, column: Column, periods: tuple[int, ...]
) -> np.ndarray:
    """The numbers of a float, int or period column, checked in order (`_typed`).

    An int or period column holds few distinct texts: each is read and checked once.
    """
    if column.kind == "float":
        values = _plain_numbers(cells.text, empty)
    else:
        words = pa.chunked_array([cells.encoded.dictionary])
        blank = _mask(pc.equal(words, ""))
        values = _plain_numbers(words, blank)
        if values is not None:
            _check_numbers(path, cells, values, ~blank, column, periods, cells.indices)
            return _typed(values, column)[cells.indices]
    if values is None:
        text = pd.Series(pd.array(cells.text, dtype="str"))
        values = pd.to_numeric(text.where(~empty, None), errors="coerce").to_numpy(dtype=float)
    _check_numbers(path, cells, values, ~empty, column, periods)
    return _typed(values, column)


def _typed(values: np.ndarray, column: Column) -> np.ndarray:
    """Checked numbers (NaN where empty) as the column holds them: whole numbers as integers,
    an empty cell as the default where there is one."""
    if column.kind in ("int", "period"):
        return values.astype(int)
    if column.default is None:
        return values
    return np.where(np.isnan(values), column.default, values)


def _check_numbers(
    path: Path,
    cells: _Cells,
    values: np.ndarray,
    filled: np.ndarray,
    column: Column,
    periods: tuple[int, ...],
    at: np.ndarray | None = None,
) -> None:
    """`InputError` at the first cell whose number does not fit the column, check by check.

    `values` and `filled` (not empty) are of each cell, or with `at` of each distinct text.
    """
    cells.fail_where(path, np.isnan(values) & filled, column, at=at)
    cells.fail_where(path, np.isinf(values), column, at=at)
    if column.kind in ("int", "period"):
        with np.errstate(invalid="ignore"):
            cells.fail_where(path, (values % 1 != 0) & filled, column, at=at)
    if column.minimum is not None:
        cells.fail_where(path, values < column.minimum, column, at=at)
    if column.maximum is not None:
        cells.fail_where(path, values > column.maximum, column, at=at)
    elif column.kind != "period":
        bad = np.abs(values) > LARGEST
        cells.fail_where(path, bad, column, column.expectation(LARGEST), at=at)
    if column.kind == "period":
        expected = f"one of the periods {list(periods)}"
        cells.fail_where(path, ~np.isin(values, periods), column, expected, at=at)


def _plain_numbers(text: pa.ChunkedArray, empty: np.ndarray) -> np.ndarray | None:
    """What `pd.to_numeric` makes of the cells (NaN where empty); None unless all are plain.

    A plain number (`_PLAIN_NUMBER`) is read to the nearest float by both pyarrow and
    pandas, so the floats are the same, only found faster. Negative zero is left to pandas,
    which reads "-0" as 0.0 in a column of integers.
    """
    longest = pc.max(pc.binary_length(text)).as_py() or 0
    if longest > _PLAIN_NUMBER_LENGTH or not _all_plain(text):
        return None
    try:
        numbers = pc.cast(pc.if_else(empty, None, text) if empty.any() else text, pa.float64())
    except pa.ArrowInvalid:
        return None
    values = np.require(numbers.to_numpy(zero_copy_only=False), np.float64, "W")
    if np.signbit(values[values == 0]).any():
        return None
    return values


def _all_plain(text: pa.ChunkedArray) -> bool:
    """Whether each cell is empty or a plain number, or else not a number pyarrow reads.

    Cells made of digits, "." and "-" only need no regular expression (which is slower):
    pyarrow reads such a cell only if it is a plain number.
    """
    buffers = (chunk.buffers()[2] for chunk in text.chunks)
    characters = (buffer.to_pybytes() for buffer in buffers if buffer is not None)
    if not any(chunk.translate(None, _NUMBER_CHARACTERS.encode()) for chunk in characters):
        return True
    others = pc.not_equal(pc.ascii_trim(text, _NUMBER_CHARACTERS), "")
    plain = pc.match_substring_regex(pc.filter(text, others), _PLAIN_NUMBER)
    return pc.all(plain).as_py() is not False


def _parse_bool(path: Path, cells: _Cells, column: Column) -> np.ndarray:
    """true or false words (an empty cell: the column's default), each distinct text once."""
    words = [str(column.default) if w == "" else w for w in cells.encoded.dictionary.to_pylist()]
    lowered = [word.lower() for word in words]
    known = np.array([word in TRUE_WORDS | FALSE_WORDS for word in lowered], dtype=bool)
    if not known.all():
        first = int(np.argmax(~known[cells.indices]))
        cells.fail(path, first, column, repr(words[cells.indices[first]]))
    return np.array([word in TRUE_WORDS for word in lowered], dtype=bool)[cells.indices]


def _mask(flags: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """A pyarrow boolean array as a NumPy one."""
    return np.asarray(flags.to_numpy(zero_copy_only=False), dtype=bool)


def _plain_names(cells: _Cells) -> np.ndarray:
    """Whether each cell is a `plain_name` (each distinct text tested once).

    Text of printable ASCII characters but the separators is plain, and needs no test.
    """
    words = cells.encoded.dictionary
    characters = words.buffers()[2]
    if characters is None or not characters.to_pybytes().translate(None, _PLAIN_NAME_BYTES):
        return np.ones(len(cells.indices), dtype=bool)
    plain = np.array([plain_name(word) for word in words.to_pylist()], dtype=bool)
    return plain[cells.indices]


def _as_objects(cells: _Cells) -> np.ndarray:
    """The cells as an array of Python strings (each distinct text made once)."""
    return cells.encoded.dictionary.to_numpy(zero_copy_only=False)[cells.indices]


def _check_unique_key(
    path: Path,
    frame: pd.DataFrame,
    table: Table,
    cells: dict[str, _Cells],
    codes: tuple[np.ndarray, int],
) -> None:
    """No two rows with the same key: `InputError` at the second of the first such pair.

    `codes`: `_key_codes` of the rows.
    """
    if not _has_repeats(*codes):
        return
    keys = list(table.key)
    repeated = pd.Series(codes[0]).duplicated(keep="first").to_numpy()
    lines = cells[keys[0]].lines
    row = int(np.argmax(repeated))
    same = (frame[keys] == frame.loc[row, keys]).all(axis=1)
    key = ", ".join(f"{k}={frame.loc[row, k]}" for k in keys)
    raise InputError(
        path,
        f"duplicate key ({key}); it already appears on line {lines[int(same.idxmax())]}",
        line=int(lines[row]),
    )


def _key_codes(
    columns: Mapping[str, np.ndarray], table: Table, cells: dict[str, _Cells]
) -> tuple[np.ndarray, int]:
    """One integer per row, the same for rows with the same key (quicker to compare), and a
    bound on the integers.

    Equal codes stand for equal text, and an empty cell's code for the missing value.
    """
    codes, size = np.zeros(len(columns[table.key[0]]), dtype=np.int64), 1
    for name in table.key:
        if table.column(name).kind == "str":
            part, count = cells[name].indices, len(cells[name].encoded.dictionary)
        else:
            part, count = _value_codes(cells[name], columns[name])
        if size * count >= 2**62:
            codes, uniques = pd.factorize(codes)
            size = len(uniques)
        codes *= count
        codes += part
        size *= count
    return codes, size


def _value_codes(cells: _Cells, values: np.ndarray) -> tuple[np.ndarray, int]:
    """Codes of the cells' numbers (equal for equal numbers) and how many there are."""
    of_text = np.zeros(len(cells.encoded.dictionary), dtype=values.dtype)
    of_text[cells.indices] = values
    distinct, code = np.unique(of_text, return_inverse=True)
    return code[cells.indices], len(distinct)


def _has_repeats(codes: np.ndarray, size: int) -> bool:
    """Whether some code appears twice (codes are below `size`)."""
    if size <= 4 * len(codes) + 1024:
        return bool((np.bincount(codes, minlength=1) > 1).any())
    return not pd.Index(codes).is_unique
