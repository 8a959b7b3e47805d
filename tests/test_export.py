"""Export of a run folder: Excel and Parquet round trips, the IAMC data and clear errors.

The two-market example (by hand, no transaction cost): A needs 5 Mt from steps 2@1, 2@3, 2@5
US$/t and B 1.5 Mt from 2@2, 2@4. Apart: A pays 2+6+5 = 13 (price 5), B 1.5·2 = 3 (price 2).
Linked: 6.5 Mt in merit order 2@1 (A), 2@2 (B), 2@3 (A), 0.5@4 (B): price 4; A abates 4 for
8 and buys 1 Mt from B at 4 (total 12), B abates 2.5 for 6 and sells 1 Mt (total 2).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from unittest import mock

import openpyxl
import pandas as pd
import pytest

from abatelink.errors import InputError, MissingExtra
from abatelink.reports.export import export_run, read_run, read_xlsx_table
from abatelink.reports.iamc import check_iamc_frame, to_iamc
from abatelink.results.columns import column_unit
from abatelink.results.tables import TABLE_NAMES
from abatelink.run import write_run

from factory import avoided_mt, both_ways, ccs_unit, merge, one_market, solve, write_dataset


def two_market_runs(folder: Path) -> dict[str, Path]:
    """Solve the two-market example apart and linked; return the two run folders."""
    data = merge(
        one_market(folder, "MA", "A", 10, 5, [2, 2, 2], [1, 3, 5]),
        one_market(folder, "MB", "B", 10, 8.5, [2, 2], [2, 4]),
        {"links": both_ways("MA", "MB", transaction_cost_usd_per_t=0.0)},
    )
    dataset = write_dataset(folder / "data", periods=[2020], regions=["A", "B"], **data)
    return {
        name: write_run(solve(dataset, links=links), folder / name)
        for name, links in (("autarky", "none"), ("linked", "all"))
    }


def ccs_run(folder: Path) -> Path:
    """A 10 Mt CO2 capture unit at A's emitter, built (5 US$/t captured), credits shared
    equally between A and B: each receives half of what it avoids."""
    markets = merge(
        one_market(folder, "MA", "A", 100, 85, [10, 10, 10], [5, 12, 20]),
        one_market(folder, "MB", "B", 100, 80, [10, 10, 10], [15, 30, 60]),
    )
    for row in markets["markets"]:
        row["project_credits"] = True
    data = merge(
        markets,
        {
            "projects": [{"project": "ccs", "kind": "ccs"}],
            "participants": [{"project": "ccs", "region": r} for r in ("A", "B")],
            "ccs_units": [ccs_unit("u1", "ccs", "MA-e", cost_usd_per_t_captured=5.0)],
            "pm_transport": [{"source_region": "A", "receptor_region": "A", "share": 0.6}],
        },
    )
    dataset = write_dataset(folder / "data", periods=[2020], regions=["A", "B"], **data)
    return write_run(solve(dataset, links="none", credit_rule="equal"), folder / "run")


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return two_market_runs(tmp_path_factory.mktemp("runs"))


@pytest.fixture(scope="module")
def exported(runs, tmp_path_factory) -> tuple[Path, list[Path]]:
    """Excel and Parquet export of the linked run (IAMC apart: pyam takes seconds to import)."""
    out = tmp_path_factory.mktemp("export")
    return out, export_run(runs["linked"], ["xlsx", "parquet"], out)


def csv_tables(run_dir: Path) -> dict[str, pd.DataFrame]:
    return {p.stem: pd.read_csv(p) for p in sorted(run_dir.glob("*.csv"))}


def test_export_writes_every_format_asked_for(exported):
    out, paths = exported
    names = {p.relative_to(out).as_posix() for p in paths}
    assert names == {"tables.xlsx", *(f"parquet/{t}.parquet" for t in TABLE_NAMES)}
    assert all(p.stat().st_size > 0 for p in paths)


def test_every_table_reads_back_from_parquet_exactly(runs, exported):
    out, _ = exported
    tables = csv_tables(runs["linked"])
    assert set(tables) == set(TABLE_NAMES)
    for name, frame in tables.items():
        pd.testing.assert_frame_equal(pd.read_parquet(out / "parquet" / f"{name}.parquet"), frame)


def test_every_table_reads_back_from_excel(runs, exported):
    """Equal after the documented normalisations (export module docstring); values equal
    even before them."""
    out, _ = exported
    for name, frame in csv_tables(runs["linked"]).items():
        back = read_xlsx_table(out / "tables.xlsx", name, like=frame)
        pd.testing.assert_frame_equal(back, frame)
        if len(frame):
            raw = pd.read_excel(out / "tables.xlsx", sheet_name=name)
            pd.testing.assert_frame_equal(raw, frame, check_dtype=False)


def test_the_workbook_starts_with_about_and_the_scenario(runs, exported):
    out, _ = exported
    book = openpyxl.load_workbook(out / "tables.xlsx")
    assert book.sheetnames == ["about", "scenario", *TABLE_NAMES]
    summary = read_run(runs["linked"]).summary
    sheet = pd.read_excel(out / "tables.xlsx", sheet_name="scenario")
    described = sheet[sheet["section"] == "scenario"].set_index("item")["value"]
    assert described["scenario"] == "test"
    assert described["data set"] == "data"
    assert described["periods"] == "[2020]"
    assert described["links"] == "all"
    assert described["solver status"] == "optimal"
    assert described["input hash"] == summary["input_hash"]
    assert described["currency"] == "US$2020"  # the factory's currency year
    raw = sheet[sheet["section"] == "summary.json"].set_index("item")["value"]
    assert raw["resolved_scenario.links"] == "all"
    assert raw["status"] == "optimal"


def test_units_are_in_the_about_sheet(exported):
    out, _ = exported
    about = pd.read_excel(out / "tables.xlsx", sheet_name="about", header=None)
    start = about.index[about[0] == "sheet"][0]
    units = about.iloc[start + 1 :].set_axis(["sheet", "column", "unit", "meaning"], axis=1)
    units = units.set_index(["sheet", "column"])["unit"]
    assert units[("prices", "price_usd_per_t")] == "US$2020/t CO2"
    assert units[("trades", "volume_mt")] == "Mt CO2/yr"
    assert units[("costs", "national_cost_musd")] == "million US$2020/yr"
    assert units[("bank", "bank_end_mt")].startswith("Mt CO2 (stock")


@pytest.mark.parametrize(
    ("column", "unit"),
    [
        ("transaction_cost_usd_per_t", "US$/t CO2"),
        ("payment_musd", "million US$/yr"),
        ("delivered_twh", "TWh/yr"),
        ("pm_avoided_t", "t/yr"),
        ("share", "fraction"),
        ("period", "year"),
        ("market", ""),
    ],
)
def test_column_units_follow_the_column_names(column, unit):
    assert column_unit(column, "US$") == unit


def test_the_iamc_files_load_in_pyam_and_their_prices_equal_prices_csv(runs, tmp_path):
    import pyam

    paths = export_run(runs["linked"], ["xlsx", "iamc"], tmp_path)
    assert [p.name for p in paths] == ["tables.xlsx", "iamc.xlsx", "iamc.csv"]
    prices = pd.read_csv(runs["linked"] / "prices.csv").set_index("region")["price_usd_per_t"]
    for path in (tmp_path / "iamc.xlsx", tmp_path / "iamc.csv"):
        data = pyam.IamDataFrame(path)
        assert data.model == ["abatelink"] and data.scenario == ["test"]
        got = data.filter(variable="Price|Carbon").as_pandas().set_index("region")["value"]
        assert got.to_dict() == pytest.approx(prices.to_dict())
        assert data.filter(variable="Price|Carbon").unit == ["US$2020/t CO2"]


def test_the_iamc_variables_hold_the_hand_computed_values(runs):
    data = to_iamc(runs["linked"])
    values = data.as_pandas().set_index(["variable", "region"])["value"]
    expected = {
        ("Price|Carbon", "A"): 4.0,
        ("Price|Carbon", "B"): 4.0,
        ("Price|Carbon|NDC", "A"): 0.0,  # the factory's regions have no NDC target
        ("Price|Carbon|NDC", "B"): 0.0,
        ("Emissions|CO2", "A"): 10 - 4,
        ("Emissions|CO2", "B"): 10 - 2.5,
        ("Emissions|CO2|Covered", "A"): 6.0,
        ("Emissions|CO2|Covered", "B"): 7.5,
        ("Emissions|CO2|Abatement", "A"): 4.0,
        ("Emissions|CO2|Abatement", "B"): 2.5,
        ("Trade|Emissions Allowances|Volume", "A"): -1.0,
        ("Trade|Emissions Allowances|Volume", "B"): 1.0,
        ("Trade|Emissions Allowances|Value", "A"): -1.0 * 4,
        ("Trade|Emissions Allowances|Value", "B"): 1.0 * 4,
        ("Cost|Abatement", "A"): 2 * 1 + 2 * 3,
        ("Cost|Abatement", "B"): 2 * 2 + 0.5 * 4,
        ("Cost|National", "A"): 8 + 1 * 4,
        ("Cost|National", "B"): 6 - 1 * 4,
        # no tax, floor or ceiling: emitters bear the national cost, the treasury nothing
        ("Cost|Emitters", "A"): 8 + 1 * 4,
        ("Cost|Emitters", "B"): 6 - 1 * 4,
        ("Revenue|Government", "A"): 0.0,
        ("Revenue|Government", "B"): 0.0,
    }
    assert set(values.index) == set(expected)
    for key, value in expected.items():
        assert values[key] == pytest.approx(value), key
    units = data.unit_mapping
    assert units["Cost|National"] == "million US$2020/yr"
    assert units["Emissions|CO2"] == units["Trade|Emissions Allowances|Volume"] == "Mt CO2/yr"


def test_the_iamc_data_give_the_credits_each_region_receives(tmp_path):
    credits = to_iamc(ccs_run(tmp_path)).filter(variable="Project Credits|*")
    values = credits.as_pandas().set_index(["variable", "region"])["value"]
    half = avoided_mt(10) / 2  # equal sharing of what the unit avoids
    assert values.to_dict() == pytest.approx(
        {("Project Credits|ccs", "A"): half, ("Project Credits|ccs", "B"): half}
    )
    assert credits.unit == ["Mt CO2/yr"]


def test_the_iamc_frame_check_rejects_duplicates_and_mixed_units(tmp_path):
    row = {
        "model": "m",
        "scenario": "s",
        "region": "A",
        "variable": "V",
        "unit": "u",
        "year": 2020,
        "value": 1.0,
    }
    with pytest.raises(InputError, match="duplicate IAMC rows"):
        check_iamc_frame(pd.DataFrame([row, row]), tmp_path)
    with pytest.raises(InputError, match="several units"):
        check_iamc_frame(pd.DataFrame([row, {**row, "region": "B", "unit": "w"}]), tmp_path)
    with pytest.warns(UserWarning, match="no value"):
        kept = check_iamc_frame(
            pd.DataFrame([row, {**row, "region": "B", "value": None}]), tmp_path
        )
    assert kept["region"].tolist() == ["A"]


def test_a_folder_without_summary_is_not_a_run_folder(tmp_path):
    with pytest.raises(InputError, match=r"not a run folder: no summary\.json") as err:
        export_run(tmp_path, ["xlsx"])
    assert err.value.file == str(tmp_path)
    with pytest.raises(InputError, match="not a folder"):
        export_run(tmp_path / "nowhere", ["xlsx"])


def test_a_missing_table_is_named(runs, tmp_path):
    broken = shutil.copytree(runs["linked"], tmp_path / "broken")
    (broken / "trades.csv").unlink()
    with pytest.raises(InputError, match="missing table") as err:
        export_run(broken, ["parquet"], tmp_path / "out")
    assert err.value.file == str(broken / "trades.csv")
    assert not (tmp_path / "out").exists()


def test_a_run_without_a_solution_has_nothing_to_export(tmp_path):
    data = one_market(tmp_path, "MA", "A", 10, 1, [2, 2], [1, 3])  # 9 Mt needed, 4 possible
    dataset = write_dataset(tmp_path / "data", periods=[2020], regions=["A"], **data)
    folder = write_run(solve(dataset, links="none"), tmp_path / "run")
    with pytest.raises(InputError, match="no solution"):
        export_run(folder, ["xlsx"])


def test_an_unknown_format_is_refused(runs):
    with pytest.raises(ValueError, match="formats must be among"):
        export_run(runs["linked"], ["xlsx", "docx"])


def test_iamc_files_need_no_pyam_and_its_object_names_the_extra(runs, tmp_path):
    """The `iamc` extra (pyam) only checks the files: without it they are still written, in
    IAMC's wide format, and asking for a pyam object names the extra to install."""
    with mock.patch.dict(sys.modules, {"pyam": None}):  # as if pyam were not installed
        paths = export_run(runs["linked"], ["iamc"], tmp_path)
        with pytest.raises(MissingExtra, match=r'pip install "abatelink\[iamc\]"'):
            to_iamc(runs["linked"])
    assert [p.name for p in paths] == ["iamc.xlsx", "iamc.csv"]
    wide = pd.read_csv(tmp_path / "iamc.csv")
    assert list(wide.columns) == ["Model", "Scenario", "Region", "Variable", "Unit", "2020"]
    prices = wide[wide["Variable"] == "Price|Carbon"].set_index("Region")["2020"]
    expected = pd.read_csv(runs["linked"] / "prices.csv").set_index("region")["price_usd_per_t"]
    assert prices.to_dict() == pytest.approx(expected.to_dict())
