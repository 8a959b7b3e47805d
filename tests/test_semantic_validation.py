"""Issue 15, semantic validation: input whose every cell reads but whose meaning is broken ends
in one clear `InputError` naming the file, the line and the column (or the key) — exit 4 from
`abatelink validate` and `abatelink run`, one line, no traceback.

1. names holding a separator that joins names into labels (`A->B`, `CN+JP`, `unit/period`);
2. a limit computed as 0 × ∞ (NaN) read as "no limit", and any NaN reaching the model;
3. NaN, ∞ and out-of-range numbers in a scenario or a data set's CSV;
4. a grid displacing the power of another region's emitter (and its siblings);
5. shares of one key adding up to more than 1 (or to other than 1 where they must);
6. every reference from one table to another.
"""

from __future__ import annotations

import csv
import math
import shutil
from pathlib import Path

import pytest
import yaml

from abatelink.cli import main
from abatelink.errors import InputError
from abatelink.inputs.dataset import load_dataset
from abatelink.inputs.scenario import Inputs, load_scenario, scenario_dataset, scenario_inputs
from abatelink.inputs.schema import NAME_SEPARATORS, TABLES
from abatelink.model.build import build
from abatelink.model.levers import set_inputs

from factory import merge, one_market, write_dataset

ROOT = Path(__file__).resolve().parent.parent
NEA = ROOT / "data" / "nea2018"
NAME_WORDS = "expected a name of printable characters without < > + / : ; = |"


@pytest.fixture
def nea(tmp_path: Path) -> Path:
    """A copy of data/nea2018 (its tables and YAML files) in a project: tmp_path/data."""
    (tmp_path / "pyproject.toml").write_text("")
    keep = shutil.ignore_patterns("generator", "*.py", "*.md")
    return Path(shutil.copytree(NEA, tmp_path / "data", ignore=keep))


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """Two linked ETS markets in a project, with a limit of 0 and a closed link: tmp_path/data."""
    (tmp_path / "pyproject.toml").write_text("")
    data = merge(
        one_market(tmp_path, "MA", "A", 100, 80, [10, 10], [5, 20]),
        one_market(tmp_path, "MB", "B", 100, 90, [10, 10], [15, 30]),
        {
            "links": [
                {"from_market": "MA", "to_market": "MB", "period": 2020, "max_volume_mt": 0},
                {"from_market": "MB", "to_market": "MA", "period": 2020, "max_volume_mt": 5},
            ],
            "limits": [{"market": "MA", "period": 2020, "max_import_share": 0.0}],
        },
    )
    return write_dataset(tmp_path / "data", periods=[2020], regions=["A", "B"], **data)


def set_cell(path: Path, line: int, column: str, text: str) -> None:
    """Write `text` into the cell of `column` on `line` (the header is line 1), adding the
    column (empty elsewhere) if the file lacks it."""
    with path.open(newline="") as file:
        rows = list(csv.reader(file))
    if column not in rows[0]:
        rows = [[*rows[0], column], *([*row, ""] for row in rows[1:])]
    rows[line - 1][rows[0].index(column)] = text
    with path.open("w", newline="") as file:
        csv.writer(file, lineterminator="\n").writerows(rows)


def cell(path: Path, line: int, column: str) -> str:
    with path.open(newline="") as file:
        rows = list(csv.reader(file))
    return rows[line - 1][rows[0].index(column)]


def refused(path: Path, capsys, commands: tuple[str, ...] = ("validate",)) -> InputError:
    """The error loading `path` (a data set folder or a scenario) raises; each command exits 4
    with that error on one line."""
    with pytest.raises(InputError) as caught:
        if path.is_dir():
            load_dataset(path)
        else:
            scenario = load_scenario(path)
            scenario_inputs(scenario, scenario_dataset(scenario))
    for command in commands:
        assert main([command, str(path)]) == 4
        err = capsys.readouterr().err
        assert err == f"error: {caught.value}\n" and "Traceback" not in err
    return caught.value


def at(error: InputError, file: str, line: int | None, column: str | None) -> None:
    assert (Path(error.file).name, error.line, error.column) == (file, line, column), error


def write_scenario(folder: Path, text: str) -> Path:
    path = folder / "s.yaml"
    path.write_text(f"name: s\ndataset: data\nlinks: all\n{text}\n")
    return path


# --- 1. names ---------------------------------------------------------------------------------

NAME_COLUMNS = [(t.name, c.name) for t in TABLES.values() for c in t.columns if c.identifier]


def test_every_table_declares_the_names_it_lists():
    assert NAME_COLUMNS == [
        ("markets", "market"),
        ("emitters", "emitter"),
        ("offset_supply", "program"),
        ("projects", "project"),
        ("ccs_units", "unit"),
        ("sites", "site"),
        ("corridors", "corridor"),
    ]


@pytest.mark.parametrize(("table", "column"), NAME_COLUMNS)
def test_a_name_holding_a_link_arrow_is_refused_where_it_is_written(nea, capsys, table, column):
    bad = cell(nea / f"{table}.csv", 2, column) + "->X"
    set_cell(nea / f"{table}.csv", 2, column, bad)
    error = refused(nea, capsys)
    at(error, f"{table}.csv", 2, column)
    assert str(error).endswith(f"{NAME_WORDS} (they join names into labels such as A->B and "
                               f"CN+JP), found {bad!r}")  # fmt: skip


@pytest.mark.parametrize("name", [f"M{s}A" for s in NAME_SEPARATORS] + ["M\x01A", "M\u2028A"])
def test_every_separator_and_control_character_is_refused_in_a_name(small, capsys, name):
    set_cell(small / "markets.csv", 2, "market", name)
    error = refused(small, capsys)
    at(error, "markets.csv", 2, "market")
    assert NAME_WORDS in str(error) and repr(name) in str(error)


@pytest.mark.parametrize("key", ["regions", "outside_regions"])
def test_a_region_code_holding_a_separator_is_refused(nea, capsys, key):
    meta = yaml.safe_load((nea / "dataset.yaml").read_text())
    meta[key]["CN+KR"] = "China and Korea"
    (nea / "dataset.yaml").write_text(yaml.safe_dump(meta))
    error = refused(nea, capsys)
    assert (Path(error.file).name, error.key) == ("dataset.yaml", key)
    assert f"region 'CN+KR': {NAME_WORDS}" in str(error)


def test_a_plain_name_with_spaces_dashes_and_letters_of_any_script_loads(tmp_path):
    name = "Seoul K-ETS (한국)"
    data = merge(
        one_market(tmp_path, "MA", "A", 100, 80, [10], [5]),
        one_market(tmp_path, name, "B", 100, 90, [10], [15]),
    )
    folder = write_dataset(tmp_path / "data", periods=[2020], regions=["A", "B"], **data)
    assert list(load_dataset(folder).markets["market"]) == ["MA", name]


# --- 2. no NaN as "no limit" ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("override", "key"),
    [
        ("limits: [{where: {market: MA}, scale: {max_import_share: .inf}}]", "limits"),
        ("links: [{where: {from_market: MA}, scale: {max_volume_mt: .inf}}]", "links"),
        ("limits: [{where: {market: MA}, scale: {max_import_share: .nan}}]", "limits"),
        ("caps: [{where: {market: MA}, scale: {cap_mt: 1.0e+13}}]", "caps"),
        ("caps: [{where: {market: MA}, scale: {cap_mt: true}}]", "caps"),
    ],
)
def test_a_limit_of_0_scaled_by_infinity_is_refused_not_lifted(small, capsys, override, key):
    """0 × ∞ is NaN, which an empty cell also is: it would have read as "no limit"."""
    path = write_scenario(small.parent, f"overrides: {{{override}}}")
    error = refused(path, capsys, ("validate", "run"))
    column = override.split("scale: {")[1].split(":")[0]
    assert error.key == f"overrides.{key}.0.scale.{column}"
    assert "expected a factor ≥ 0 and ≤ 1e+12 (true/false columns are set, not scaled)" in str(
        error
    )


def test_a_nan_reaching_a_model_parameter_is_an_error_naming_it_and_its_inputs(small):
    """The guard behind the input checks: a number no check caught never reaches the solver."""
    dataset = load_dataset(small)
    model = build(dataset)
    caps = dataset.caps.assign(cap_mt=[80.0, math.nan])
    inputs = Inputs(dataset.with_tables(caps=caps), frozenset(), source="s.yaml")
    with pytest.raises(InputError) as caught:
        set_inputs(model, inputs)
    assert str(caught.value) == (
        "s.yaml: the model parameter cap_mt[('MB', 2020)] computed from caps.csv would be nan; "
        "expected a finite number"
    )


def test_an_empty_value_set_by_a_scenario_means_the_columns_default(small):
    path = write_scenario(
        small.parent,
        "overrides: {banking: [{where: {market: MA}, set: {banking_allowed: true, "
        "max_borrow_share: null, initial_bank_mt: null}}]}",
    )
    scenario = load_scenario(path)
    banking = scenario_inputs(scenario, scenario_dataset(scenario)).dataset.banking
    row = banking[banking["market"] == "MA"].iloc[0]
    assert (row["max_borrow_share"], row["initial_bank_mt"]) == (0.0, 0.0)


# --- 3. numbers of a scenario and of the CSV files --------------------------------------------


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        ("project_cost_scale: {ccs: -1}", "project_cost_scale.ccs", "greater than or equal to 0"),
        ("project_cost_scale: {ccs: .nan}", "project_cost_scale.ccs", "a finite number"),
        ("project_cost_scale: {ccs: .inf}", "project_cost_scale.ccs", "a finite number"),
        ("co_finance: {ccs: {share: 1.5, by: a, source: b}}", "co_finance.ccs.share", "than 1"),
        (
            "co_finance: {ccs: {share: -0.1, by: a, source: b}}",
            "co_finance.ccs.share",
            "or equal to 0",
        ),
        ("co_finance: {ccs: {share: .nan, by: a, source: b}}", "co_finance.ccs.share", "finite"),
        ("pm_damage_usd_per_t: -1", "pm_damage_usd_per_t", "between 0 and 1e+12"),
        ("pm_damage_usd_per_t: .nan", "pm_damage_usd_per_t", "between 0 and 1e+12"),
        ("pm_damage_usd_per_t: {A: .inf}", "pm_damage_usd_per_t", "between 0 and 1e+12"),
        ("solver: {time_limit: .nan}", "solver.time_limit", "a finite number"),
        ("solver: {time_limit: .inf}", "solver.time_limit", "a finite number"),
        ("solver: {time_limit: -1}", "solver.time_limit", "greater than 0"),
        ("solver: {mip_rel_gap: 1}", "solver.mip_rel_gap", "less than 1"),
        ("solver: {mip_rel_gap: -0.1}", "solver.mip_rel_gap", "greater than or equal to 0"),
        ("solver: {options: {mip_feasibility_tolerance: .nan}}", "solver.options", "nan"),
        ("credit_shares: {ccs: {A: .nan}}", "credit_shares.ccs.A", "a finite number"),
        ("cost_shares: {ccs: {A: 1.5}}", "cost_shares.ccs.A", "less than or equal to 1"),
        ("overrides: {caps: [{set: {cap_mt: .nan}}]}", "overrides.caps.0.set.cap_mt", "nan"),
        ("overrides: {caps: [{set: {cap_mt: .inf}}]}", "overrides.caps.0.set.cap_mt", "inf"),
        ("overrides: {caps: [{set: {cap_mt: -1}}]}", "overrides.caps.0.set.cap_mt", "≥ 0"),
    ],
)
def test_scenario_numbers_out_of_range_nan_or_inf_are_refused(small, capsys, text, key, words):
    error = refused(write_scenario(small.parent, text), capsys, ("validate", "run"))
    assert error.key == key and words in error.problem, error


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("project_cost_scale", {"ccs-cn": -1.0}),
        ("pm_damage_usd_per_t", math.nan),
        ("credit_shares", {"ccs-cn": {"CN": math.inf}}),
        ("co_finance", {"ccs-cn": 0.5}),
    ],
)
def test_scenario_numbers_a_study_sets_are_checked_as_if_read(key, value):
    """A study sets its values on a copy of the base scenario, which pydantic does not check."""
    scenario = load_scenario(ROOT / "runs" / "ccs-cofinance.yaml")
    varied = scenario.model_copy(update={key: value})
    with pytest.raises(InputError) as caught:
        scenario_inputs(varied, scenario_dataset(scenario))
    assert caught.value.key.startswith(key) and caught.value.file.endswith("ccs-cofinance.yaml")


NUMBER_COLUMNS = [
    (t.name, c.name)
    for t in TABLES.values()
    for c in t.columns
    if c.kind in ("float", "int") and (NEA / t.file_name).exists()
    and c.name in (NEA / t.file_name).read_text().split("\n", 1)[0].split(",")
]  # fmt: skip
NOT_FINITE = ("nan", "inf", "-inf", "NaN", "Infinity", "-Infinity", "+inf")


@pytest.mark.parametrize(("table", "column"), NUMBER_COLUMNS)
def test_no_csv_column_takes_nan_or_infinity(nea, table, column):
    text = NOT_FINITE[NUMBER_COLUMNS.index((table, column)) % len(NOT_FINITE)]
    set_cell(nea / f"{table}.csv", 2, column, text)
    with pytest.raises(InputError) as caught:
        load_dataset(nea)
    at(caught.value, f"{table}.csv", 2, column)
    assert str(caught.value).endswith(f"found {text!r}")


# --- 4. what a row names is of the row's region -----------------------------------------------


@pytest.mark.parametrize(
    ("table", "line", "column", "text", "message"),
    [
        (
            "grids",
            2,
            "emitter",
            "KR-power",
            "emitter KR-power belongs to region KR, not to the grid's region CN (emitters.csv)",
        ),
        (
            "emitters",
            2,
            "market",
            "KR-ETS",
            "market KR-ETS belongs to region KR, not to the emitter's region CN (markets.csv)",
        ),
        ("corridors", 2, "to_region", "MN", "a corridor must join two different regions"),
        ("links", 2, "to_market", "CN-ETS", "a link must join two different markets"),
        (
            "corridors",
            3,
            "corridor",
            "south-gobi",
            "'south-gobi' already names a site (sites.csv); units, sites and corridors need "
            "different names",
        ),
    ],
)
def test_what_a_row_names_must_fit_the_row(nea, capsys, table, line, column, text, message):
    """A grid displaces an emitter of its own region (an emitter joins a market of its own);
    a corridor or link joins two different places; builds have names of their own."""
    set_cell(nea / f"{table}.csv", line, column, text)
    error = refused(nea, capsys)
    at(error, f"{table}.csv", line, column)
    assert message in error.problem


# --- 5. shares that add up --------------------------------------------------------------------


def test_pm_shares_of_one_source_adding_up_to_more_than_1_are_refused(nea, capsys):
    set_cell(nea / "pm_transport.csv", 2, "share", "0.99")
    error = refused(nea, capsys)
    at(error, "pm_transport.csv", 2, "share")
    assert error.problem == (
        "the share values of source_region CN add up to 1.0043 "
        "(line 2: 0.99; line 3: 0.0075; line 4: 0.0068); expected at most 1"
    )


def test_pm_shares_adding_up_to_less_than_1_load(nea):
    set_cell(nea / "pm_transport.csv", 2, "share", "0.1")
    assert len(load_dataset(nea).pm_transport) == 6


def test_participant_shares_of_a_project_must_add_up_to_1(nea, capsys):
    set_cell(nea / "participants.csv", 8, "investment_share", "0.2")
    error = refused(nea, capsys)
    at(error, "participants.csv", 8, "investment_share")
    assert error.problem == (
        "the investment_share values of project gobi add up to 1.1 "
        "(line 8: 0.2; line 9: 0.3; line 10: 0.3; line 11: 0.3); expected 1"
    )


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        (
            "credit_rule: fixed\ncredit_shares: {ccs-cn: {CN: 0.7, KR: 0.7}}",
            "credit_shares.ccs-cn",
            "the credit shares of ccs-cn add up to 1.4; expected 1",
        ),
        (
            "cost_shares: {ccs-cn: {CN: 0.5, KR: 0.4}}",
            "cost_shares.ccs-cn",
            "the cost shares of ccs-cn add up to 0.9; expected 1",
        ),
        (
            "credit_shares: {ccs-cn: {CN: 0.5, MN: 0.5}}",
            "credit_shares.ccs-cn",
            "MN is not a participant of ccs-cn (participants: CN, KR, JP)",
        ),
    ],
)
def test_shares_a_scenario_gives_must_add_up_to_1(nea, capsys, text, key, words):
    error = refused(write_scenario(nea.parent, text), capsys, ("validate", "run"))
    assert (error.key, error.problem) == (key, words)


# --- 6. references across tables --------------------------------------------------------------

REFERENCES = [
    ("markets", "region"),
    ("emitters", "region"),
    ("emitters", "market"),
    ("baseline", "emitter"),
    ("mac", "emitter"),
    ("caps", "market"),
    ("links", "from_market"),
    ("links", "to_market"),
    ("limits", "market"),
    ("banking", "market"),
    ("taxes", "region"),
    ("ndc", "region"),
    ("offset_supply", "seller_region"),
    ("offset_supply", "buyer_market"),
    ("participants", "project"),
    ("participants", "region"),
    ("ccs_units", "project"),
    ("ccs_units", "emitter"),
    ("pm_transport", "source_region"),
    ("pm_transport", "receptor_region"),
    ("sites", "project"),
    ("sites", "region"),
    ("corridors", "project"),
    ("corridors", "from_region"),
    ("corridors", "to_region"),
    ("corridors", "crosses"),
    ("grids", "region"),
    ("grids", "emitter"),
    ("caps", "source"),
]
ADDED = {  # tables nea2018 lacks, written with one row
    "price_controls": "market,period,floor_usd_per_t\nKR-ETS,2020,10\n",
    "gdp": "region,period,gdp_busd\nKR,2020,1500\n",
}


@pytest.mark.parametrize(
    ("table", "column"), [*REFERENCES, ("price_controls", "market"), ("gdp", "region")]
)
def test_every_reference_to_another_table_is_checked(nea, capsys, table, column):
    path = nea / f"{table}.csv"
    if table in ADDED:
        path.write_text(ADDED[table])
    set_cell(path, 2, column, "ZZ")
    error = refused(nea, capsys)
    at(error, f"{table}.csv", 2, column)
    assert "'ZZ'" in error.problem or " ZZ " in error.problem


def test_the_references_cover_every_column_that_names_another_tables_row():
    referring = {
        (t.name, c.name)
        for t in TABLES.values()
        for c in t.columns
        if c.kind == "str" and not c.identifier and not c.choices and c.name != "sector"
    }
    assert referring <= {*REFERENCES, ("price_controls", "market"), ("gdp", "region")}


# --- what is valid stays valid ----------------------------------------------------------------


@pytest.mark.parametrize(
    "path", [NEA, *sorted((ROOT / "runs").glob("*.yaml"))], ids=lambda p: p.name
)
def test_the_shipped_data_set_and_scenarios_still_validate(path, capsys):
    assert main(["validate", str(path)]) == 0, capsys.readouterr().err
