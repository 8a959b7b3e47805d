"""Malformed data sets and scenarios give one clear error, never a traceback (property-based).

Each example starts from a small valid data set — three ETS markets and a tax market, two
periods, a CCS project and a supergrid, every optional table, a `source` column, a quoted
multi-line description — or from a valid scenario that uses every key, changes ONE thing
(a cell, a row, a column, a whole file, a YAML key or document) and checks that

* either the input is still valid, or loading it raises `InputError` that names the file and
  the place: line and column of a CSV cell, key of a YAML value; never another exception;
* `abatelink validate` (and `run`, for scenarios) then exits with code 4 and prints one line.

A change expected to be an error must be reported in the changed file, at its line and column
(or key). Other changes (a legal number, another known name, a deleted row) may load, or be
rejected by a check across tables whose message names the changed file. Legal huge and tiny
numbers are also run through the solver. Defects found outside the input layer (scenario.py,
credit_rules.py, cli.py) are pinned by the tests at the end.
"""

from __future__ import annotations

import contextlib
import copy
import csv
import functools
import importlib
import io
import math
import os
import shutil
import signal
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from unittest import mock

import pytest
import yaml
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from abatelink import cli
from abatelink.errors import InputError
from abatelink.inputs.dataset import Dataset, load_dataset
from abatelink.inputs.scenario import (
    Scenario,
    load_scenario,
    project_rules,
    scenario_periods,
)
from abatelink.inputs.schema import FALSE_WORDS, LARGEST, TABLES, TRUE_WORDS, Column
from abatelink.model.credit_rules import credit_shares
from abatelink.run import run

from factory import both_ways, ccs_unit, merge, one_market, steps, supergrid, write_dataset

PERIODS = (2020, 2030)
REGIONS = ("A", "B", "C", "M")
ETS = ("MA", "MB", "MC")
MARKETS = (*ETS, "TA")
EMITTERS = ("MA-e", "MB-e", "MC-e", "A-x")
PROJECTS = ("grid", "ccs")
SOURCES = {
    "s1": {"citation": "ICAP (2017) ETS detailed information", "kind": "S"},
    "s2": {"citation": "Our assumption", "kind": "A", "note": "for the fuzz tests"},
}
TABLE_NAMES = tuple(TABLES)
run_module = importlib.import_module("abatelink.run")  # the module, not the function `run`


def fuzz(examples: int):
    """Hypothesis settings of one property: `examples` cases, no deadline, quiet fixtures."""
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


# --- the valid base data set and scenario ---------------------------------------------------


def base_tables() -> dict[str, list[dict[str, Any]]]:
    """Rows of every table of the base data set."""
    ets = [
        ("MA", "A", [5, 12, 20], 85),
        ("MB", "B", [40, 80, 120], 90),
        ("MC", "C", [50, 90, 150], 80),
    ]
    data = merge(
        *(
            one_market(Path(), name, region, 100, cap, [10, 10, 10], costs, period=t)
            for t in PERIODS
            for name, region, costs, cap in ets
        ),
        supergrid(participants=("M", "B", "C")),
    )
    data["markets"] = [
        *data["markets"][:3],
        {"market": "TA", "region": "A", "kind": "tax"},
    ]
    for row in data["markets"]:
        row["project_credits"] = "true" if row["kind"] == "ets" else ""
        row["description"] = f"{row['market']}, the {row['kind']} market of {row['region']}"
    data["emitters"] = [
        *data["emitters"][:3],
        {"emitter": "A-x", "region": "A", "sector": "industry", "market": None},
    ]
    for t in PERIODS:
        data["baseline"].append({"emitter": "A-x", "period": t, "emissions_mt": 20})
        data["mac"] += steps("A-x", t, [5], [8])
    for i, row in enumerate(data["caps"]):
        row["source"] = ("s1", "s2", "")[min(i, 2)]
    data["links"] = [
        *(row for t in PERIODS for row in both_ways("MA", "MB", t)),
        *both_ways("MB", "MC", 2020, max_volume_mt=5, transaction_cost_usd_per_t=1),
    ]
    data["links"][-2]["exchange_rate"] = 0.8  # MB → MC: 0.8 of MC's allowances per MB's
    data["grids"] += [{**row, "period": 2030} for row in data["grids"]]
    data["projects"][0]["description"] = "a supergrid:\nsites in M, corridors M→B→C"
    data["projects"].append({"project": "ccs", "kind": "ccs", "description": "coal, with CCS"})
    data["participants"] = [
        {"project": p, "region": r, "investment_share": s, "credit_share": s, "cost_share": s}
        for p, r, s in (
            ("grid", "M", 0.5),
            ("grid", "B", 0.25),
            ("grid", "C", 0.25),
            ("ccs", "A", 0.3),
            ("ccs", "B", 0.7),
        )
    ]
    data["ccs_units"] = [
        ccs_unit("u1", "ccs", "MA-e"),
        ccs_unit("u2", "ccs", "MB-e", first_period=2030, capture_rate=0.85),
    ]
    data["pm_transport"] = [
        {"source_region": "A", "receptor_region": "A", "share": 0.6},
        {"source_region": "A", "receptor_region": "B", "share": 0.3},
        {"source_region": "B", "receptor_region": "B", "share": 0.7},
    ]
    data["limits"] = [
        {
            "market": "MA",
            "period": 2020,
            "max_import_share": 0.2,
            "max_export_share": 0.3,
            "max_offset_share": 0.05,
            "max_international_offset_share": 0.02,
        },
        {"market": "TA", "period": 2030, "max_import_share": 0.1},
    ]
    data["price_controls"] = [
        {"market": "MB", "period": 2020, "floor_usd_per_t": 1, "ceiling_usd_per_t": 500},
        {"market": "MC", "period": 2030, "ceiling_usd_per_t": 400},
    ]
    data["banking"] = [
        {"market": "MA", "banking_allowed": "true", "max_borrow_share": 0.1, "initial_bank_mt": 2},
        {"market": "MB", "banking_allowed": "no"},
    ]
    data["taxes"] = [
        {"region": "A", "period": 2020, "rate_usd_per_t": 10},
        {"region": "A", "period": 2030, "rate_usd_per_t": 15},
        {"region": "B", "period": 2030, "rate_usd_per_t": 3},
    ]
    data["ndc"] = [
        {"region": "B", "period": 2030, "target_mt": 500},
        {
            "region": "C",
            "period": 2030,
            "intensity_reduction_vs_base": 0.5,
            "base_intensity_t_per_kusd": 1.0,
        },
    ]
    data["gdp"] = [
        {"region": "C", "period": 2030, "gdp_busd": 400},
        {"region": "A", "period": 2020, "gdp_busd": 50},
    ]
    offer = {"seller_region": "M", "quantity_mt": 2, "price_usd_per_t": 3}
    data["offset_supply"] = [
        {"program": "jcm", "buyer_market": "TA", "period": 2020, **offer},
        {"program": "cdm", "buyer_market": "MA", "period": 2030, **offer},
    ]
    return data


@functools.cache
def base_files() -> dict[str, bytes]:
    """File name → bytes of the base data set (written once, then copied into each example)."""
    root = Path(tempfile.mkdtemp())
    try:
        folder = write_dataset(
            root / "data",
            periods=list(PERIODS),
            regions=list(REGIONS),
            discount_rate=0.05,
            **base_tables(),
        )
        meta = yaml.safe_load((folder / "dataset.yaml").read_text())
        meta |= {
            "title": "fuzz base",
            "vintage": "2026-11",
            "units": {"emissions": "Mt CO2/yr", "price": "USD/t"},
            "period_years": {t: 10 for t in PERIODS},
        }
        (folder / "dataset.yaml").write_text(yaml.safe_dump(meta, sort_keys=False))
        (folder / "sources.yaml").write_text(yaml.safe_dump(SOURCES, sort_keys=False))
        return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}
    finally:
        shutil.rmtree(root)


def base_scenario(dataset: str) -> dict[str, Any]:
    """A valid scenario using every key."""
    return {
        "name": "fuzz",
        "description": "every scenario key, valid",
        "dataset": dataset,
        "periods": list(PERIODS),
        "links": ["MA<->MB", "MB->MC"],
        "overrides": {
            "caps": [{"where": {"market": "MA"}, "scale": {"cap_mt": 0.95}}],
            "limits": [
                {"where": {"market": "MB", "period": 2020}, "set": {"max_import_share": 0.5}}
            ],
            "taxes": [{"where": {"region": "B"}, "set": {"rate_usd_per_t": 5.0}}],
            "banking": [{"where": {"market": "MC"}, "set": {"banking_allowed": False}}],
        },
        "projects": ["ccs", "grid"],
        "credit_rule": "equal",
        "project_credit_rules": {"ccs": "fixed"},
        "credit_shares": {"ccs": {"A": 0.4, "B": 0.6}},
        "cost_shares": {"ccs": {"A": 0.5, "B": 0.5}},
        "pm_damage_usd_per_t": 10.0,
        "solver": {"time_limit": 60.0, "mip_rel_gap": 0.001, "threads": 1},
    }


FOLDER = object()  # a file replaced by a folder of that name


def write_data_set(root: Path, changed: dict[str, Any] | None = None) -> Path:
    """The base data set in `root/data`, with files replaced (None: left out, FOLDER: a folder)."""
    folder = root / "data"
    folder.mkdir()
    for name, content in {**base_files(), **(changed or {})}.items():
        if content is FOLDER:
            (folder / name).mkdir()
        elif content is not None:
            (folder / name).write_bytes(content)
    return folder


# --- CSV text with line numbers --------------------------------------------------------------


def parse_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(), newline="")))


def render_csv(
    rows: list[list[str]], blanks_before: dict[int, int] | None = None
) -> tuple[bytes, list[int]]:
    """CSV bytes of `rows` (header first) and the line each row starts on, as an editor shows.

    `blanks_before[i]` blank lines are written before row i.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    lines = []
    for i, row in enumerate(rows):
        out.write("\n" * (blanks_before or {}).get(i, 0))
        lines.append(out.getvalue().count("\n") + 1)
        writer.writerow(row)
    return out.getvalue().encode(), lines


def table_rows(name: str) -> list[list[str]]:
    return parse_csv(base_files()[f"{name}.csv"])


# --- running the checks and the command line ------------------------------------------------


@dataclass
class Case:
    """One changed file and what must happen.

    expect: "error" — rejected in `target` at `line`, `column`, `key`, with `words`;
    "valid" — loads; "either" — loads, or is rejected in `target` (at `line` unless the message
    names another line) or in a file whose message names `target` (anywhere if `elsewhere`).
    """

    label: str
    target: str
    content: Any
    expect: Literal["error", "valid", "either"]
    line: int | None = None
    column: str | None = None
    key: str | None = None
    words: tuple[str, ...] = ()
    elsewhere: bool = False


def cli_error(argv: list[str], handler: str) -> InputError | None:
    """Run `abatelink ARGV`: None if it succeeds, else the error it reported, checked.

    A bad input must end in an `InputError`: exit code 4 and `error: ...` on ONE line of stderr,
    no traceback. Any other exception propagates out of `cli.main` and fails the test.
    """
    caught: list[BaseException] = []
    real = getattr(cli, handler)

    def recording(args):
        try:
            return real(args)
        except BaseException as err:
            caught.append(err)
            raise

    out, err = io.StringIO(), io.StringIO()
    with (
        mock.patch.object(cli, handler, recording),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        code = cli.main(argv)
    if not caught:
        assert code in (0, 2, 3), (code, err.getvalue())
        return None
    error = caught[0]
    assert isinstance(error, InputError), f"{type(error).__name__}: {error}"
    stderr = err.getvalue()
    assert code == InputError.exit_code == 4
    assert stderr == f"error: {error}\n" and stderr.count("\n") == 1, stderr
    assert "Traceback" not in stderr
    assert error.problem and str(error).startswith(error.file)
    return error


def check_data_set(case: Case) -> None:
    note(f"{case.target}: {case.label}")
    root = Path(tempfile.mkdtemp())
    try:
        folder = write_data_set(root, {case.target: case.content})
        error = cli_error(["validate", str(folder)], "_validate")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    event(f"{case.target}, expected {case.expect}: {'rejected' if error else 'loaded'}")
    if error is None:
        assert case.expect != "error", f"{case.label}: accepted"
        return
    note(f"error: {error}")
    assert case.expect != "valid", f"{case.label}: rejected"
    path = Path(error.file)
    assert path.parent == folder, "the error names a file of the data set"
    if case.expect == "error":
        assert path.name == case.target
        if case.line is not None:
            assert error.line == case.line
        if case.column is not None:
            assert error.column == case.column
        if case.key is not None:
            assert error.key is not None and f"{error.key}.".startswith(f"{case.key}.")
        for words in case.words:
            assert words in error.problem
        return
    assert path.name == case.target or case.target in error.problem or case.elsewhere
    if path.name == case.target and None not in (case.line, error.line):
        assert error.line == case.line or f"line {case.line}" in error.problem


# --- strategies: cells --------------------------------------------------------------------------

NOT_NUMBERS = (
    "abc", "1,5", "nan", "NaN", "-nan", "inf", "-inf", "Infinity", "1e400", "-1e400", "0x10",
    "1_000", "١٢", "true", "--1", "1e", "½", "10%", "$5", "5 t", "None", "null", "[1]", '"',
    "5\x00", "５",
)  # fmt: skip
UNKNOWN_NAMES = ("ZZ", "ma", "M-A", "A B", "Ω", "0", "nan", "None", "x" * 40, "MA-e\nB")
DOMAINS = {
    "region": REGIONS,
    "market": MARKETS,
    "ets": ETS,
    "emitter": EMITTERS,
    "project": PROJECTS,
    "ccs": ("ccs",),
    "supergrid": ("grid",),
    "source": (*SOURCES, ""),
}
ALL_NAMES = (*REGIONS, *MARKETS, *EMITTERS, *PROJECTS, *SOURCES)
# (table, column) → the names it must take from (unknown ones are errors on that line)
REFERENCES = {
    ("markets", "region"): "region",
    ("emitters", "region"): "region",
    ("emitters", "market"): "ets",
    ("baseline", "emitter"): "emitter",
    ("mac", "emitter"): "emitter",
    ("caps", "market"): "ets",
    ("caps", "source"): "source",
    ("links", "from_market"): "ets",
    ("links", "to_market"): "market",
    ("limits", "market"): "market",
    ("price_controls", "market"): "ets",
    ("banking", "market"): "ets",
    ("taxes", "region"): "region",
    ("ndc", "region"): "region",
    ("gdp", "region"): "region",
    ("offset_supply", "seller_region"): "region",
    ("offset_supply", "buyer_market"): "market",
    ("participants", "project"): "project",
    ("participants", "region"): "region",
    ("ccs_units", "project"): "ccs",
    ("ccs_units", "emitter"): "emitter",
    ("pm_transport", "source_region"): "region",
    ("pm_transport", "receptor_region"): "region",
    ("sites", "project"): "supergrid",
    ("sites", "region"): "region",
    ("corridors", "project"): "supergrid",
    ("corridors", "from_region"): "region",
    ("corridors", "to_region"): "region",
    ("grids", "region"): "region",
    ("grids", "emitter"): "emitter",
}
TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"), min_size=1, max_size=12
)
Cell = tuple[str, bool]  # (text, must be rejected)


def bad(*texts: str) -> st.SearchStrategy[Cell]:
    return st.sampled_from([(t, True) for t in texts])


def fine(*texts: str) -> st.SearchStrategy[Cell]:
    return st.sampled_from([(t, False) for t in texts])


def number_texts(value: float) -> st.SearchStrategy[str]:
    """Ways to write a number in a cell."""
    forms = [repr(value), f"{value:.17g}", f" {value!r} ", f"{value:E}"]
    if value == int(value) and abs(value) < 1e15:
        forms += [str(int(value)), f"+{int(value)}"]
    return st.sampled_from(forms)


def numeric_cells(column: Column) -> st.SearchStrategy[Cell]:
    if column.kind == "period":
        return st.one_of(
            bad(
                "2021", "1999", "0", "-2020", "2020.5", "20200", "2020-01-01", "MMXX", *NOT_NUMBERS
            ),
            fine(*(str(t) for t in PERIODS), "2030.0", " 2020"),
        )
    low = column.minimum if column.minimum is not None else -LARGEST
    high = column.maximum if column.maximum is not None else LARGEST
    below = (low - 1, low - 1e-6 * max(1.0, abs(low)), -1e308, -5e-324)
    above = (high + 1e-6 * max(1.0, high), 2 * high + 1, 1e13, 1e308, 1.7976931348623157e308)
    wrong = [*NOT_NUMBERS, *(repr(v) for v in (*below, *above))]
    if column.kind == "int":
        wrong += [repr(low + 0.5), "2.000001"]
        legal = st.one_of(
            st.integers(int(low), int(min(high, 10**6))).map(float),
            st.sampled_from([low, float(int(high))]),
        )
    else:
        extremes = [low, high, 0.0, 5e-324, 1e-320, 1e-300, 1e-9, 1e9, LARGEST]
        legal = st.one_of(
            st.floats(low, high),
            st.sampled_from([v for v in extremes if low <= v <= high]),
        )
    return st.one_of(
        st.sampled_from([(t, True) for t in wrong]),
        legal.flatmap(number_texts).map(lambda t: (t, False)),
    )


def cells(table: str, name: str) -> st.SearchStrategy[Cell]:
    """(text, must be rejected) for a cell of column `name` of `table`."""
    if name == "description":
        return TEXT.map(lambda t: (t, False))
    column = TABLES[table].column(name) if name != "source" else Column("source", nullable=True)
    empty = bad("") if not column.nullable else fine("", "  ")
    if column.kind in ("float", "int", "period"):
        return st.one_of(empty, numeric_cells(column))
    if column.kind == "bool":
        words = sorted(TRUE_WORDS | FALSE_WORDS)
        return st.one_of(
            empty,
            bad("maybe", "2", "tru", "-1", "oui", "yes please", "1.0"),
            st.sampled_from(words)
            .flatmap(lambda w: st.sampled_from([w, w.upper(), w.title(), f" {w} "]))
            .map(lambda t: (t, False)),
        )
    if column.choices:
        return st.one_of(
            empty, bad("foo", "ETS", "Tax", "CCS", "super grid", "e ts"), fine(*column.choices)
        )
    if (table, name) in REFERENCES:
        known = DOMAINS[REFERENCES[table, name]]
        unknown = [n for n in (*ALL_NAMES, *UNKNOWN_NAMES) if n not in known]
        return st.one_of(empty, bad(*unknown), fine(*known))
    return st.one_of(empty, TEXT.map(lambda t: (t, not t.strip() and not column.nullable)))


@st.composite
def cell_cases(draw) -> Case:
    """One cell replaced, possibly after blank lines that shift the line numbers."""
    table = draw(st.sampled_from(TABLE_NAMES))
    rows = table_rows(table)
    header = rows[0]
    r = draw(st.integers(1, len(rows) - 1))
    c = draw(st.integers(0, len(header) - 1))
    text, wrong = draw(cells(table, header[c]))
    rows[r][c] = text
    blanks = draw(st.dictionaries(st.integers(1, len(rows)), st.integers(1, 2), max_size=2))
    content, lines = render_csv(rows, blanks)
    is_reference = (table, header[c]) in REFERENCES and text.strip() != ""
    return Case(
        f"line {lines[r]}, {header[c]} = {text!r}",
        f"{table}.csv",
        content,
        "error" if wrong else "either",
        line=lines[r],
        column=None if is_reference else header[c],
        words=(text.strip(),) if wrong and is_reference and text.isprintable() else (),
    )


# --- strategies: rows, columns, whole files --------------------------------------------------


@st.composite
def row_cases(draw) -> Case:
    table = draw(st.sampled_from(TABLE_NAMES))
    rows = table_rows(table)
    r = draw(st.integers(1, len(rows) - 1))
    op = draw(st.sampled_from(["duplicate", "delete", "long", "short", "swap", "blank", "pad"]))
    target = f"{table}.csv"
    if op == "duplicate":
        rows.append(list(rows[r]))
        content, lines = render_csv(rows)
        return Case(f"row {r} repeated", target, content, "error", lines[-1], words=("duplicate",))
    if op == "delete":
        del rows[r]
        return Case(f"row {r} deleted", target, render_csv(rows)[0], "either")
    if op == "long":
        rows[r] += draw(st.lists(st.sampled_from(["", "x", "1"]), min_size=1, max_size=2))
        content, lines = render_csv(rows)
        return Case(f"row {r} too long", target, content, "error", lines[r], words=("cells",))
    if op == "short":
        rows[r] = rows[r][: draw(st.integers(1, len(rows[0]) - 1))]
        content, lines = render_csv(rows)
        return Case(f"row {r} cut short", target, content, "either", lines[r])
    if op == "swap":
        s = draw(st.integers(1, len(rows) - 1))
        rows[r], rows[s] = rows[s], rows[r]
        return Case(f"rows {r} and {s} swapped", target, render_csv(rows)[0], "valid")
    if op == "pad":
        rows[r] = [f"  {cell} " if cell else cell for cell in rows[r]]
        return Case(f"row {r} padded with spaces", target, render_csv(rows)[0], "valid")
    blanks = draw(st.dictionaries(st.integers(1, len(rows)), st.integers(1, 3), min_size=1))
    text = render_csv(rows, blanks)[0].replace(b"\n\n", b"\n  \n", 1)
    return Case("blank lines", target, text, "valid")


@st.composite
def column_cases(draw) -> Case:
    table = draw(st.sampled_from(TABLE_NAMES))
    rows = table_rows(table)
    header = rows[0]
    c = draw(st.integers(0, len(header) - 1))
    name = header[c]
    required = name in required_columns(table)
    op = draw(st.sampled_from(["drop", "rename", "unknown", "twice", "note", "shuffle", "upper"]))
    target = f"{table}.csv"
    if op == "drop":
        for row in rows:
            del row[c]
        if required:
            return Case(f"{name} dropped", target, render_csv(rows)[0], "error", 1, words=(name,))
        return Case(f"{name} dropped", target, render_csv(rows)[0], "either")
    if op == "rename":
        new = draw(st.sampled_from([name.upper(), f"{name}_x", "colour", "", " ", f"{name}s"]))
        header[c] = new
        words = ("missing column",) if required else ("unexpected column",)
        return Case(f"{name} renamed {new!r}", target, render_csv(rows)[0], "error", 1, words=words)
    if op == "unknown":
        new = draw(st.sampled_from(["colour", "Notes", "cap", "market2", "x" * 30, "a\nb"]))
        rows = [[*row, new if i == 0 else "1"] for i, row in enumerate(rows)]
        content = render_csv(rows)[0]
        return Case(f"column {new!r} added", target, content, "error", 1, words=("unexpected",))
    if op == "twice":
        rows = [[*row, row[c]] for row in rows]
        content = render_csv(rows)[0]
        return Case(f"{name} twice", target, content, "error", 1, words=("twice",))
    if op == "note":
        free = [n for n in ("note", "description", "source") if n not in header]
        extra = draw(st.sampled_from(free))
        value = "s1" if extra == "source" else draw(TEXT)
        rows = [[*row, extra if i == 0 else value] for i, row in enumerate(rows)]
        return Case(f"column {extra} added", target, render_csv(rows)[0], "valid")
    if op == "shuffle":
        order = draw(st.permutations(range(len(header))))
        rows = [[row[i] for i in order] for row in rows]
        return Case("columns reordered", target, render_csv(rows)[0], "valid")
    rows[0] = [h.upper() for h in header]
    return Case("header in capitals", target, render_csv(rows)[0], "error", 1, words=("missing",))


def required_columns(table: str) -> tuple[str, ...]:
    return tuple(c.name for c in TABLES[table].columns if c.required)


@st.composite
def file_cases(draw) -> Case:
    table = draw(st.sampled_from(TABLE_NAMES))
    target = f"{table}.csv"
    data = base_files()[target]
    optional = TABLES[table].optional
    ops = ["remove", "empty", "blank", "binary", "delimiter", "latin1", "folder", "bom", "crlf"]
    op = draw(st.sampled_from([*ops, "cut", "header only"]))
    if op == "remove":
        return Case(
            "removed", target, None, "either" if optional else "error", words=("not found",)
        )
    if op == "empty":
        return Case("empty", target, b"", "error", words=("empty",))
    if op == "blank":
        return Case("blank", target, draw(st.sampled_from([b"\n", b"\n\n  \n", b" "])), "error")
    if op == "binary":
        noise = draw(st.binary(min_size=1, max_size=64))
        return Case(f"binary {noise!r}", target, noise, "error")
    if op == "delimiter":
        sep = draw(st.sampled_from([b";", b"\t", b"|", b" "]))
        return Case(f"delimiter {sep!r}", target, data.replace(b",", sep), "error", 1)
    if op == "latin1":
        rows = table_rows(table)
        r = draw(st.integers(1, len(rows) - 1))
        rows[r][0] += "é"
        content, lines = render_csv(rows)
        latin1 = content.decode().encode("latin-1", errors="replace")
        return Case("Latin-1", target, latin1, "error", lines[r])
    if op == "folder":
        return Case("a folder", target, FOLDER, "error", words=("cannot be read",))
    if op == "bom":
        return Case("byte order mark", target, b"\xef\xbb\xbf" + data, "valid")
    if op == "crlf":
        return Case("CRLF line ends", target, data.replace(b"\n", b"\r\n"), "valid")
    if op == "cut":
        cut = draw(st.integers(1, len(data) - 1))
        return Case(f"cut after {cut} bytes", target, data[:cut], "either")
    return Case("header only", target, data.split(b"\n")[0] + b"\n", "either")


# --- strategies: YAML files ---------------------------------------------------------------------

BOMB = "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1]\n" + "".join(
    f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]\n" for a, b in zip("abcdefg", "bcdefgh")
)
BAD_YAML = (
    "name: !!python/object/apply:os.system ['echo hi']\n",
    "!!python/object/new:os.system [echo hi]\n",
    "name: !!python/name:os.system\n",
    "name: !!python/object:abatelink.inputs.scenario.Scenario {}\n",
    "name: !foo bar\n",
    "name: !!int x\n",
    "name: !!float 1e\n",
    "name: !!bool maybe\n",
    "name: !!timestamp yesterday\n",
    "vintage: 2026-13-01\n",
    "name: !!binary '@@@'\n",
    "- name\n- periods\n",
    "just a line of text\n",
    "5\n",
    "~\n",
    "",
    "# only a comment\n",
    "name: [1, 2\n",
    "name: {a: 1\n",
    "name:\n\t- x\n",
    "name: a\n---\nname: b\n",
    "name: x\nname: y\n",
    "? [1, 2]\n: x\n",
    "name: 'unterminated\n",
    "a: b: c\n",
    "name: &a [*a]\n",
    "<<: 5\n",
    BOMB,
    "name: " + "[" * 3000 + "]" * 3000 + "\n",
    "name: " + "{a: " * 300 + "1" + "}" * 300 + "\n",
    "\x00name: x\n",
    "name: \udcff\n",
)


def yaml_document() -> st.SearchStrategy[bytes]:
    return st.sampled_from(BAD_YAML).map(lambda t: t.encode("utf-8", "surrogateescape"))


def dump(data: Any) -> bytes:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True).encode()


META_BAD = {
    "name": [None, [], {"a": 1}, 5],
    "title": [[], {"a": 1}, 5],
    "periods": [
        [], "x", [2030, 2020], [2020, 2020], [2020.5], None, {"a": 1}, [999], [10000], [2020, "x"],
        [10**30], 2020,
    ],
    "discount_rate": [-0.1, 1, 1.5, math.nan, math.inf, -math.inf, "five", None, []],
    "currency_year": ["x", 2020.5, None, [], 10**30, 999, 10000, math.inf],
    "units": [5, [1], {"a": [1]}],
    "regions": [{}, ["A"], "A", None, {"A": [1]}],
    "period_years": [
        {2020: 0, 2030: 10}, {2020: -1, 2030: 10}, {2020: math.nan, 2030: 10},
        {2020: math.inf, 2030: 10}, {2020: 10}, {2020: 10, 2030: 10, 2040: 10}, "x", [10, 10],
    ],
}  # fmt: skip
META_EITHER = {
    "periods": [[2020], [2020, 2030, 2040], [2030], [1000, 2020, 2030]],
    "discount_rate": [0, 0.99, 1e-320, 0.5],
    "currency_year": [1000, 2000, 2100, 9999],
    "regions": [{r: r for r in REGIONS if r != drop} for drop in REGIONS]
    + [{**{r: r for r in REGIONS}, "Z": "Zed"}],
    "vintage": ["x", 2026, "2026-11-30", []],
    "title": ["", "x" * 200],
    "units": [{}],
    "period_years": [None, {2020: 1e-9, 2030: 1e12}],
}
REQUIRED_META = ("name", "periods", "discount_rate", "currency_year", "regions")


@st.composite
def meta_cases(draw) -> Case:
    """dataset.yaml with one key changed, removed or added, or another document."""
    meta = yaml.safe_load(base_files()["dataset.yaml"])
    op = draw(st.sampled_from(["bad", "either", "remove", "unknown", "document", "twice"]))
    target = "dataset.yaml"
    if op == "bad":
        key = draw(st.sampled_from(sorted(META_BAD)))
        value = draw(st.sampled_from(META_BAD[key]))
        return Case(f"{key}: {value!r}", target, dump({**meta, key: value}), "error", key=key)
    if op == "either":
        key = draw(st.sampled_from(sorted(META_EITHER)))
        value = draw(st.sampled_from(META_EITHER[key]))
        content = dump({**meta, key: value})
        return Case(f"{key}: {value!r}", target, content, "either", elsewhere=True)
    if op == "remove":
        key = draw(st.sampled_from(sorted(meta)))
        del meta[key]
        expect = "error" if key in REQUIRED_META else "valid"
        return Case(f"{key} removed", target, dump(meta), expect, key=key)
    if op == "unknown":
        key = draw(st.sampled_from(["colour", "Name", "period", "region", "sources", " "]))
        content = dump({**meta, key: 1})
        return Case(f"unknown key {key!r}", target, content, "error", key=key.strip() or key)
    if op == "twice":
        key = draw(st.sampled_from(sorted(meta)))
        content = base_files()[target] + f"{key}: 1\n".encode()
        lines = content.count(b"\n")
        return Case(f"{key} twice", target, content, "error", lines, words=("twice",))
    document = draw(yaml_document())
    return Case(f"document {document[:40]!r}", target, document, "error")


@st.composite
def sources_cases(draw) -> Case:
    target = "sources.yaml"
    op = draw(st.sampled_from(["entry", "remove entry", "no citation", "document", "file"]))
    sources = copy.deepcopy(SOURCES)
    if op == "entry":
        value = draw(st.sampled_from([5, "x", None, [], ["citation"], {"note": "x"}]))
        content = dump({**sources, "s2": value})
        return Case(f"s2: {value!r}", target, content, "error", key="s2", words=("citation",))
    if op == "remove entry":
        del sources[draw(st.sampled_from(sorted(sources)))]
        return Case("an entry removed", target, dump(sources), "either")
    if op == "no citation":
        del sources["s1"]["citation"]
        return Case("no citation", target, dump(sources), "error", key="s1")
    if op == "file":
        return Case("removed", target, None, "either")
    document = draw(yaml_document())
    return Case(f"document {document[:40]!r}", target, document, "error")


# --- the properties: data sets ------------------------------------------------------------------


def test_the_base_data_set_and_scenario_are_valid(tmp_path):
    folder = write_data_set(tmp_path)
    dataset = load_dataset(folder)
    assert list(dataset.markets["market"]) == list(MARKETS)
    assert set(dataset.projects["kind"]) == {"ccs", "supergrid"}
    assert all(len(dataset.table(name)) for name in TABLES), "every table has rows"
    path = tmp_path / "scenario.yaml"
    path.write_bytes(dump(base_scenario("data")))
    result = run(path)
    assert result.status == "optimal"
    assert cli_error(["validate", str(path)], "_validate") is None


@fuzz(95)
@given(cell_cases())
def test_a_bad_cell_is_reported_at_its_line_and_column(case):
    check_data_set(case)


@fuzz(55)
@given(st.one_of(row_cases(), column_cases()))
def test_bad_rows_and_columns_are_reported_in_their_file(case):
    check_data_set(case)


@fuzz(45)
@given(file_cases())
def test_a_missing_empty_or_unreadable_file_is_reported(case):
    check_data_set(case)


@fuzz(55)
@given(st.one_of(meta_cases(), sources_cases()))
def test_bad_yaml_of_the_data_set_is_reported_with_its_key(case):
    check_data_set(case)


@fuzz(25)
@given(
    st.sampled_from(["grid", "ccs"]),
    st.sampled_from(["investment_share", "credit_share", "cost_share"]),
    st.lists(st.floats(0, 1), min_size=1, max_size=4),
    st.sampled_from(["as drawn", "normalised", "one left blank"]),
)
def test_participant_shares_must_sum_to_one(project, column, weights, how):
    """Shares of a project, given for all participants or none, each sum to 1."""
    total = sum(weights)
    shares = [w / total for w in weights] if how == "normalised" and total > 0 else weights
    partly = how == "one left blank" and len(shares) > 1
    rows = [["project", "region", column]]
    rows += [[project, r, repr(s)] for r, s in zip(REGIONS, shares)]
    if partly:
        rows[-1][2] = ""
    rows += [[p, r, ""] for p, r in (("grid", "M"), ("ccs", "A")) if p != project]
    off = abs(sum(shares[:-1] if partly else shares) - 1)
    case = Case(f"{column} {shares}", "participants.csv", render_csv(rows)[0], "either")
    if partly:
        case.expect, case.words = "error", ("some participants",)
    elif off > 2e-6:
        case.expect, case.words = "error", ("add up to",)
    elif off < 5e-7:
        case.expect = "valid"
    if case.expect == "error":
        case.column = column
    check_data_set(case)


# --- the properties: scenarios ------------------------------------------------------------------

POISON = {"zz": [{}]}  # wrong wherever it goes in a scenario
SCENARIO_VALUES = st.one_of(
    st.sampled_from(
        [
            None, True, False, 0, -1, 1, 0.5, 2.5, 1e308, 1e-320, -1e308, math.inf, -math.inf,
            math.nan, "", "x", "MA", "A", "2020", "all", "none", "fixed", "offtake", "investment",
            "host", [], [None], [1, "x"], {}, {"x": 1}, POISON, 2020, 2031, LARGEST, 10**30,
        ]
    ),
    st.integers(-(10**6), 10**6),
    st.floats(),
    TEXT.filter(lambda t: "\x00" not in t),
)  # fmt: skip
RELATED_KEYS = {
    "credit_rule": {"credit_rule", "project_credit_rules", "credit_shares"},
    "project_credit_rules": {"project_credit_rules", "credit_rule", "credit_shares"},
    "credit_shares": {"credit_shares", "credit_rule"},
    "projects": {"projects", "project_credit_rules", "credit_shares", "cost_shares"},
}


def paths(data: Any, prefix: tuple = ()) -> Iterator[tuple]:
    """Every key path into nested dicts and lists."""
    items = data.items() if isinstance(data, dict) else enumerate(data)
    for key, value in items:
        yield (*prefix, key)
        if isinstance(value, dict | list):
            yield from paths(value, (*prefix, key))


def at(data: Any, path: tuple) -> Any:
    for key in path:
        data = data[key]
    return data


def must_reject(path: tuple, value: Any) -> bool:
    """Values a scenario must refuse at `path` (besides the ones it may accept)."""
    if value == POISON:
        return True
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if math.isnan(value):
        return True
    if path[0] in ("credit_shares", "cost_shares") and value < 0:
        return True
    if path[0] == "overrides" and len(path) == 5 and (value < 0 or not abs(value) <= LARGEST):
        return True
    non_negative = path in (("solver", "time_limit"), ("solver", "mip_rel_gap"))
    non_negative |= path in (("solver", "threads"), ("pm_damage_usd_per_t",))
    return non_negative and value < 0


@dataclass
class ScenarioCase:
    label: str
    content: bytes
    expect: Literal["error", "either"]
    key: str | None = None  # the top-level key changed
    exact_key: str | None = None  # the key the error must name
    words: tuple[str, ...] = ()


@st.composite
def scenario_cases(draw, dataset: str) -> ScenarioCase:
    scenario = base_scenario(dataset)
    op = draw(st.sampled_from(["replace", "replace", "remove", "unknown", "document", "twice"]))
    if op == "document":
        document = draw(yaml_document())
        return ScenarioCase(f"document {document[:40]!r}", document, "error")
    if op == "twice":
        key = draw(st.sampled_from(sorted(scenario)))
        content = dump(scenario) + f"{key}: x\n".encode()
        return ScenarioCase(f"{key} twice", content, "error", words=("twice",))
    if op == "unknown":
        mappings = [(), *(p for p in paths(scenario) if isinstance(at(scenario, p), dict))]
        path = draw(st.sampled_from(mappings))
        name = draw(st.sampled_from(["zz", "colour", "Name", " ", "sharing_rule"]))
        at(scenario, path)[name] = 1
        top = path[0] if path else name
        return ScenarioCase(
            f"{'.'.join(map(str, path))}.{name} added", dump(scenario), "error", top
        )
    path = draw(st.sampled_from(list(paths(scenario))))
    parent = at(scenario, path[:-1])
    if op == "remove":
        del parent[path[-1]]
        required = path in (("name",), ("dataset",))
        return ScenarioCase(
            f"{'.'.join(map(str, path))} removed",
            dump(scenario),
            "error" if required else "either",
            str(path[0]),
            exact_key=str(path[0]) if required else None,
        )
    value = draw(SCENARIO_VALUES)
    if path == ("dataset",) and isinstance(value, str) and not value.isprintable():
        value = "elsewhere"  # known defect: the path goes into the message as it is (see below)
    parent[path[-1]] = value
    return ScenarioCase(
        f"{'.'.join(map(str, path))} = {value!r}",
        dump(scenario),
        "error" if must_reject(path, value) else "either",
        str(path[0]),
    )


def checked_only_by_run(path: Path, dataset: Dataset) -> InputError | None:
    """What `run` refuses but `validate` lets through (defects of cli.py, see below): the
    periods, and the credit shares (checked when the model is built)."""
    scenario = load_scenario(path)
    try:
        scenario_periods(scenario, dataset)
        rules = project_rules(scenario, dataset)
        for project, kind in dataset.projects[["project", "kind"]].itertuples(index=False):
            participants = dataset.participants[dataset.participants["project"] == project]
            given = scenario.credit_shares.get(project)
            credit_shares(rules[project], project, kind, participants, str(path), given)
    except InputError as error:
        return error
    return None


class Shared(tuple):
    """(folder, Dataset) of the shared base data set, with a short repr for failure reports."""

    def __repr__(self) -> str:
        return f"Shared({self[0]})"


def new_project(root: Path) -> Path:
    """`root` made a project (pyproject.toml) holding the base data set in `root/data`.

    Paths in a scenario file must be relative and stay inside its project.
    """
    (root / "pyproject.toml").write_text("# the project of the fuzz tests' scenarios\n")
    return write_data_set(root)


@pytest.fixture(scope="module")
def shared(tmp_path_factory) -> Shared:
    """The base data set, written and loaded once: scenario examples only read it."""
    folder = new_project(tmp_path_factory.mktemp("project"))
    return Shared((folder, load_dataset(folder)))


@contextlib.contextmanager
def loaded_once(folder: Path, dataset: Dataset):
    """Scenarios on the shared data set get it already loaded (overrides copy its tables)."""
    real = run_module.scenario_dataset

    def cached(scenario: Scenario) -> Dataset:
        return dataset if scenario.dataset_path == folder.resolve() else real(scenario)

    with (
        mock.patch("abatelink.inputs.scenario.scenario_dataset", cached),
        mock.patch.object(run_module, "scenario_dataset", cached),
    ):
        yield


@fuzz(230)
@given(data=st.data())
def test_a_bad_scenario_is_reported_with_its_key(shared, data):
    folder, dataset = shared
    case = data.draw(scenario_cases("../data"))
    note(f"{case.label}\n{case.content.decode(errors='replace')}")
    root = Path(tempfile.mkdtemp(dir=folder.parent))  # a fresh folder in the project
    try:
        path = root / "scenario.yaml"
        path.write_bytes(case.content)
        with loaded_once(folder, dataset):
            error = cli_error(["validate", str(path)], "_validate")
            if error is not None:
                ran = cli_error(["run", str(path), "--out", str(root / "out")], "_run")
                assert ran is not None and str(ran) == str(error)
            else:
                error = checked_only_by_run(path, dataset)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    event(f"scenario, expected {case.expect}: {'rejected' if error else 'valid'}")
    if error is None:
        assert case.expect != "error", f"{case.label}: accepted"
        return
    note(f"error: {error}")
    if case.key == "dataset" and Path(error.file).name == "dataset.yaml":
        return  # `dataset` names an existing folder that is no data set (defect, see below)
    assert Path(error.file) == path
    if case.exact_key is not None:
        assert error.key == case.exact_key
    if case.key is not None and error.key is not None:
        assert error.key.split(".")[0] in RELATED_KEYS.get(case.key, {case.key})
    for words in case.words:
        assert words in error.problem


# --- legal extremes reach the solver ------------------------------------------------------------

EXTREMES = (0.0, 5e-324, 1e-320, 1e-300, 1e-9, 1e9, LARGEST)
NUMERIC_COLUMNS = [
    (table, column)
    for table in TABLE_NAMES
    for column in TABLES[table].columns
    if column.kind in ("float", "int")
]


@st.composite
def extreme_cells(draw) -> Case:
    """A numeric cell set to a huge or tiny value that is still legal."""
    table, column = draw(st.sampled_from(NUMERIC_COLUMNS))
    rows = table_rows(table)
    c = rows[0].index(column.name)
    low = column.minimum if column.minimum is not None else -LARGEST
    high = column.maximum if column.maximum is not None else LARGEST
    values = [v for v in (low, high, *EXTREMES) if low <= v <= high]
    if column.kind == "int":
        values = [v for v in values if v == int(v)]
    value = draw(st.sampled_from(values))
    r = draw(st.integers(1, len(rows) - 1))
    rows[r][c] = repr(value)
    return Case(
        f"line {r + 1}, {column.name} = {value!r}", f"{table}.csv", render_csv(rows)[0], "valid"
    )


@fuzz(6)
@given(extreme_cells())
def test_legal_huge_and_tiny_numbers_do_not_crash_the_solver(case):
    note(f"{case.target}: {case.label}")
    root = Path(tempfile.mkdtemp())
    try:
        folder = write_data_set(root, {case.target: case.content})
        scenario = Scenario(name="extreme", dataset=str(folder), links="all", credit_rule="equal")
        try:
            result = run(scenario)
        except InputError as err:
            assert Path(err.file).parent == folder
        else:
            assert result.summary["status"] == result.status
    finally:
        shutil.rmtree(root, ignore_errors=True)


# --- defects found outside the input layer, fixed: each test keeps its fix in place --------------


def scenario_file(root: Path, **changes: Any) -> Path:
    """`root/scenario.yaml`: the base scenario on `root/data`, with keys changed."""
    path = root / "scenario.yaml"
    path.write_bytes(dump({**base_scenario("data"), **changes}))
    return path


@pytest.mark.parametrize(
    "change",
    [{"set": {"cap_mt": math.inf}}, {"scale": {"cap_mt": 1e308}}, {"set": {"cap_mt": 1e300}}],
)
def test_an_override_to_infinity_is_refused(tmp_path, change):
    new_project(tmp_path)
    path = scenario_file(tmp_path, overrides={"caps": [{"where": {"market": "MA"}, **change}]})
    error = cli_error(["validate", str(path)], "_validate")
    assert error is not None and error.key.startswith("overrides")


def test_an_infinite_pm_damage_is_refused(tmp_path):
    with pytest.raises(InputError) as caught:
        load_scenario(scenario_file(tmp_path, pm_damage_usd_per_t=math.inf))
    assert caught.value.key == "pm_damage_usd_per_t"


def test_an_absurd_thread_count_is_refused(tmp_path):
    with pytest.raises(InputError) as caught:
        load_scenario(scenario_file(tmp_path, solver={"threads": 10**30}))
    assert caught.value.key == "solver.threads"


def test_a_scenario_name_is_a_plain_file_name(tmp_path):
    with pytest.raises(InputError) as caught:
        load_scenario(scenario_file(tmp_path, name="../../elsewhere"))
    assert caught.value.key == "name"


def test_a_nul_character_in_the_data_set_path_is_an_input_error(tmp_path):
    path = scenario_file(tmp_path, dataset="da\x00ta")
    error = cli_error(["validate", str(path)], "_validate")
    assert error is not None and error.key == "dataset"


def test_a_folder_that_is_no_data_set_is_blamed_on_the_dataset_key(tmp_path):
    path = scenario_file(tmp_path, dataset=".")
    error = cli_error(["validate", str(path)], "_validate")
    assert error is not None and Path(error.file) == path and error.key == "dataset"


def test_a_data_set_path_with_a_line_break_gives_a_one_line_error(tmp_path):
    path = scenario_file(tmp_path, dataset="da\nta")
    assert cli_error(["validate", str(path)], "_validate") is not None


def test_scaling_a_true_false_column_is_refused(tmp_path):
    new_project(tmp_path)
    overrides = {"banking": [{"where": {"market": "MA"}, "scale": {"banking_allowed": 0.5}}]}
    error = cli_error(["validate", str(scenario_file(tmp_path, overrides=overrides))], "_validate")
    assert error is not None and error.key == "overrides.banking.0.scale.banking_allowed"


def test_cost_shares_are_checked_like_credit_shares(tmp_path):
    new_project(tmp_path)
    path = scenario_file(tmp_path, cost_shares={"ccs": {"A": 0.5, "Z": math.nan}})
    error = cli_error(["validate", str(path)], "_validate")
    assert error is not None and error.key.startswith("cost_shares.ccs")


def test_a_nan_credit_share_is_refused(shared):
    participants = shared[1].participants.query("project == 'ccs'")
    with pytest.raises(InputError):
        credit_shares("fixed", "ccs", "ccs", participants, "s.yaml", {"A": math.nan, "B": 1.0})


@pytest.mark.parametrize(
    "change", [{"periods": [2031]}, {"credit_shares": {"ccs": {"A": 0.5, "Z": 0.5}}}]
)
def test_validate_checks_what_run_checks(tmp_path, change):
    new_project(tmp_path)
    error = cli_error(["validate", str(scenario_file(tmp_path, **change))], "_validate")
    assert error is not None and error.key.split(".")[0] == next(iter(change))


# --- the command line: malformed arguments (issue 15) --------------------------------------------
#
# Commands with arguments drawn from numbers, paths, words and addresses that are legal, wrong
# or hostile, in any order, with options repeated, unknown or missing their value. Each case
# must end within a time limit with an exit code of the README's table — and, for an error, ONE
# line on stderr — or reach the command's work with every number checked (the work itself, a
# solve or a Dask cluster, is stood in for: `Accepted`).

NUMBERS = (
    "0", "1", "2", "-1", "-2", "1.5", "nan", "NaN", "inf", "-inf", "1e999", "1e-320", "0x10",
    "", " ", "1_000", "\u0663", "9" * 5000, "abc", "-0", "+3", " 4 ", "3\n", "1e3", "0.9999",
    "1.0", "64", "65", "10000001", "1e-9", "--", "-", "1,5", "½",
)  # fmt: skip
PATH_NAMES = (
    "", " ", "x", "missing.yaml", "scenario.yaml", "study.yaml", "data", "data/caps.csv",
    "data/dataset.yaml", "values.csv", "-", "--", "../../..", "/", "/dev/null", "a\x00b",
    "a\nb", "é.yaml", "x" * 300, "out", "scenario.yaml/x", ".", "results", "~", "$HOME",
    "data/../data", "./scenario.yaml",
)  # fmt: skip
WORDS = (
    "shapley", "nucleolus", "least-core", "host", "equal", "fixed", "offtake", "xlsx",
    "parquet", "iamc", "docx", "", "SHAPLEY", "-h", "--help",
)  # fmt: skip
ADDRESSES = (
    "tcp://127.0.0.1:9", "nonsense", "", "tcp://", "tcp://host:99999", "inproc://x",
    "tls://a b:1", "tcp://[::1]:8786", "http://x:1",
)  # fmt: skip
OPTIONS: dict[str, dict[str, tuple[str, ...] | None]] = {
    "run": {
        "--out": PATH_NAMES, "--time-limit": NUMBERS, "--mip-gap": NUMBERS,
        "--credit-rule": WORDS, "--game-solution": WORDS, "--diagnose": None,
        "--dataset": PATH_NAMES,
    },
    "compare": {"--out": PATH_NAMES},
    "share": {
        "--values": PATH_NAMES, "--solution": WORDS, "--credit-rule": WORDS, "--out": PATH_NAMES,
    },
    "sweep": {
        "--workers": NUMBERS, "--scheduler": ADDRESSES, "--resume": None,
        "--max-batches": NUMBERS, "--out": PATH_NAMES,
    },
    "sensitivity": {"--out": PATH_NAMES},
    "export": {"--format": WORDS, "--out": PATH_NAMES},
    "plot": {"--compare": PATH_NAMES, "--out": PATH_NAMES},
    "report": {"--compare": PATH_NAMES, "--out": PATH_NAMES},
    "validate": {},
    "plants": {"--emitters": NUMBERS, "--units": NUMBERS, "--seed": NUMBERS},
}  # fmt: skip
POSITIONALS = {
    "run": 1, "compare": 2, "share": 1, "sweep": 1, "sensitivity": 1, "export": 1, "plot": 1,
    "report": 1, "validate": 1, "plants": 2,
}  # fmt: skip
GOOD = {  # the positional arguments each command expects, in the project of `cli_project`
    "run": ("scenario.yaml",), "compare": ("scenario.yaml", "scenario.yaml"),
    "share": ("scenario.yaml",), "sweep": ("study.yaml",), "sensitivity": ("study.yaml",),
    "export": ("run",), "plot": ("run",), "report": ("run",), "validate": ("scenario.yaml",),
    "plants": ("data", "plants-out"),
}  # fmt: skip
GOOD_VALUES = {
    "--out": ("out", "out/deeper"), "--values": ("values.csv",), "--dataset": ("data",),
    "--compare": ("run",), "--workers": ("0", "1", "2"), "--max-batches": ("1", "3"),
    "--time-limit": ("5", "0.5"), "--mip-gap": ("0", "0.01"), "--emitters": ("5",),
    "--units": ("0", "3"), "--seed": ("0", "7"), "--format": ("xlsx", "parquet"),
}  # fmt: skip
EXIT_CODES = {0, 2, 3, 4, 5, 6}


class Accepted(Exception):
    """Raised by the stand-ins of a command's work: its arguments got through, checked."""


class Hang(Exception):
    pass


@contextlib.contextmanager
def time_limit(seconds: float):
    """A `Hang` if the block takes longer (SIGALRM: this runs in the main thread)."""

    def expire(number, frame):
        raise Hang(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@st.composite
def command_lines(draw) -> list[str]:
    command = draw(st.sampled_from([*sorted(POSITIONALS), "nonsense", "-h", "--version", ""]))
    if command not in POSITIONALS:
        return [command, *draw(st.lists(st.sampled_from(PATH_NAMES), max_size=2))]
    count = POSITIONALS[command] + draw(st.sampled_from([0, 0, 0, -1, 1]))
    good = (*GOOD[command], "extra")
    tokens = [
        good[i] if draw(st.booleans()) else draw(st.sampled_from(PATH_NAMES))
        for i in range(max(count, 0))
    ]
    names = sorted(OPTIONS[command])
    chosen = draw(st.lists(st.sampled_from([*names, *names, "--bogus", "--out"]), max_size=4))
    for name in chosen:
        values = OPTIONS[command].get(name)
        tokens.append(name)
        if values is not None and draw(st.integers(0, 9)) > 0:  # sometimes no value
            fine = GOOD_VALUES.get(name, ())
            tokens.append(draw(st.sampled_from(fine if fine and draw(st.booleans()) else values)))
    if draw(st.booleans()):
        tokens = draw(st.permutations(tokens))
    return [command, *tokens]


@contextlib.contextmanager
def stand_ins():
    """The work of each command replaced by a check of what it was given."""
    from abatelink.inputs import plants
    from abatelink.studies import sweep as sweep_module
    from abatelink.studies.sweep import MAX_WORKERS

    def run_(scenario, *, diagnose_always=False, out=None):
        solver = scenario.solver
        assert solver.time_limit is None or 0 < solver.time_limit < math.inf
        assert 0 <= solver.mip_rel_gap < 1
        raise Accepted

    def sweep_(study, out=None, *, workers=None, scheduler=None, max_batches=None, **_):
        assert workers is None or 0 <= workers <= MAX_WORKERS
        assert max_batches is None or max_batches >= 1
        assert scheduler is None or "://" in scheduler
        raise Accepted

    def plants_(source, out, n_emitters, n_units, seed):
        assert 1 <= n_emitters <= cli.MAX_COUNT and 0 <= n_units <= cli.MAX_COUNT and seed >= 0
        raise Accepted

    def accepted(*args, **kwargs):
        raise Accepted

    with (
        mock.patch("abatelink.run.run", run_),
        mock.patch("abatelink.games.allocation.allocate", accepted),
        mock.patch.object(sweep_module, "sweep", sweep_),
        mock.patch.object(plants, "write_plant_dataset", plants_),
        mock.patch("abatelink.reports.export.export_run", accepted),
        mock.patch("abatelink.reports.figures.plot_run", accepted),
        mock.patch("abatelink.reports.html.write_report", accepted),
    ):
        yield


@pytest.fixture(scope="module")
def cli_project(tmp_path_factory) -> Path:
    """A small project to run commands in: data/, scenario.yaml, study.yaml, values.csv."""
    root = tmp_path_factory.mktemp("cli")
    data = merge(
        one_market(root, "MA", "A", 100, 80, [10, 10], [5, 12]),
        one_market(root, "MB", "B", 100, 75, [10, 10, 10], [15, 30, 60]),
        {"links": both_ways("MA", "MB")},
    )
    write_dataset(root / "data", periods=[2020], regions=["A", "B"], **data)
    (root / "scenario.yaml").write_text("name: fuzz\ndataset: data\nlinks: all\n")
    study = {
        "name": "fuzz-study",
        "scenario": "scenario.yaml",
        "parameters": {"c": {"table": "caps", "scale": "cap_mt", "values": [0.9, 1.0]}},
    }
    (root / "study.yaml").write_text(yaml.safe_dump(study))
    (root / "values.csv").write_text("coalition,value_musd\n,0\nA,0\nB,0\nA+B,10\n")
    here = os.getcwd()
    os.chdir(root)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            assert cli.main(["run", "scenario.yaml", "--out", "run"]) == 0  # a run folder
    finally:
        os.chdir(here)
    return root


def outcome(argv: list[str]) -> tuple[object, str]:
    """(exit code, or "accepted"; stderr) of `abatelink ARGV` in this process."""
    out, err = io.StringIO(), io.StringIO()
    with (
        time_limit(20),
        stand_ins(),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        try:
            code: object = cli.main(argv)
        except SystemExit as stop:
            code = stop.code
        except Accepted:
            code = "accepted"
    return code, err.getvalue()


@fuzz(600)
@given(argv=command_lines())
def test_malformed_command_lines_end_in_one_line_and_a_documented_code(cli_project, argv):
    note(f"abatelink {argv!r}")
    here = os.getcwd()
    before = sorted(p.name for p in cli_project.parent.iterdir())
    os.chdir(cli_project)
    try:
        code, err = outcome(argv)
    finally:
        os.chdir(here)
    note(f"exit {code}: {err!r}")
    event(f"{argv[0] or 'no command'}: {code}")
    assert "Traceback" not in err
    assert sorted(p.name for p in cli_project.parent.iterdir()) == before  # nothing beside
    if code == "accepted":
        return
    assert code in EXIT_CODES
    if code in (4, 5, 6):
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), err
