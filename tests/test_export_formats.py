"""The export of the shipped scenarios reads like a report: an Excel workbook with an "about"
sheet, number formats by unit, frozen headers, filters and fitted widths; IAMC data with the
variables of docs/iamc-variables.md, equal to numbers read from the run's CSV tables.

`linked.yaml` is run with a game solution and a diagnosis so that every kind of table a run
writes is there; `gobi-cofinance.yaml` gives joint project credits.
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

from abatelink.inputs.dataset import load_dataset
from abatelink.inputs.scenario import load_scenario
from abatelink.reports.export import export_run
from abatelink.reports.iamc import IAMC_DOC, IAMC_VARIABLES, iamc_variables_doc
from abatelink.results.columns import TABLES, undescribed
from abatelink.results.tables import TABLE_NAMES
from abatelink.run import run, write_run

ROOT = Path(__file__).resolve().parent.parent
RUNS = ROOT / "runs"
ABOUT_HEADER = ["sheet", "column", "unit", "meaning"]


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Run folders of linked.yaml (with a Shapley allocation and a diagnosis) and of
    gobi-cofinance.yaml."""
    tmp = tmp_path_factory.mktemp("runs")
    linked = load_scenario(RUNS / "linked.yaml").model_copy(update={"game_solution": "shapley"})
    return {
        "linked": write_run(run(linked, diagnose_always=True), tmp / "linked"),
        "gobi": write_run(run(load_scenario(RUNS / "gobi-cofinance.yaml")), tmp / "gobi"),
    }


@pytest.fixture(scope="module")
def exports(folders, tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("exports")
    for name, folder in folders.items():
        export_run(folder, ["xlsx", "iamc"], out / name)
    return {name: out / name for name in folders}


@pytest.fixture(scope="module")
def book(exports) -> openpyxl.Workbook:
    return openpyxl.load_workbook(exports["linked"] / "tables.xlsx")


def csv(folder: Path, table: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{table}.csv")


def about(book: openpyxl.Workbook) -> tuple[int, pd.DataFrame, dict[str, object]]:
    """The about sheet: the row of its column header, the rows under it and the items above."""
    rows = list(book["about"].iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if list(row) == ABOUT_HEADER)
    items = {row[0]: row[1] for row in rows[1:header] if row[0] is not None}
    return header + 1, pd.DataFrame(rows[header + 1 :], columns=ABOUT_HEADER), items


def iamc(folder: Path) -> pd.Series:
    """iamc.csv as a series keyed (variable, region, year), read with pandas."""
    wide = pd.read_csv(folder / "iamc.csv")
    long = wide.melt(["Model", "Scenario", "Region", "Variable", "Unit"], var_name="year")
    long["year"] = long["year"].astype(int)
    return long.dropna().set_index(["Variable", "Region", "year"])["value"]


def test_every_column_of_every_table_a_run_writes_is_described(folders):
    assert {"diagnosis", "coalitions", "allocation", *TABLE_NAMES} <= set(TABLES)
    written = {
        (name, p.stem): list(pd.read_csv(p).columns)
        for name, folder in folders.items()
        for p in sorted(folder.glob("*.csv"))
    }
    assert {"diagnosis", "coalitions", "allocation", *TABLE_NAMES} == {
        table for name, table in written if name == "linked"
    }
    for (_, table), columns in written.items():
        assert undescribed({table: columns}) == []


def test_an_undescribed_column_is_found():
    assert undescribed({"prices": ["market", "new_thing_mt"], "nowhere": []}) == [
        "nowhere",
        "prices.new_thing_mt",
    ]


def test_the_about_sheet_comes_first_and_describes_every_sheet_and_column(book):
    assert book.sheetnames[:2] == ["about", "scenario"]
    _, rows, _ = about(book)
    described = {
        (s, "" if pd.isna(c) else c) for s, c in rows[["sheet", "column"]].itertuples(index=False)
    }
    for sheet in book.worksheets:
        header_row = about(book)[0] if sheet.title == "about" else 1
        columns = [c.value for c in sheet[header_row] if c.value is not None]
        wanted = {(sheet.title, ""), *((sheet.title, c) for c in columns)}
        assert wanted <= described, sheet.title
    assert rows["meaning"].notna().all() and (rows["meaning"].str.len() > 3).all()
    units = rows.set_index(["sheet", "column"])["unit"]
    year = yaml.safe_load((ROOT / "data" / "nea2018" / "dataset.yaml").read_text())["currency_year"]
    assert units[("prices", "price_usd_per_t")] == f"US${year}/t CO2"
    assert units[("trades", "volume_mt")] == "Mt CO2/yr"
    assert units[("costs", "national_cost_musd")] == f"million US${year}/yr"
    assert units[("allocation", "final_cost_musd")] == f"million US${year} (present value)"
    assert units[("allocation", "share_of_saving")] == "fraction"


def test_the_about_sheet_names_the_scenario_and_the_data_set(book, folders):
    summary = json.loads((folders["linked"] / "summary.json").read_text())
    _, _, items = about(book)
    assert items["scenario"] == "linked"
    assert items["scenario file"] == summary["scenario_file"]
    assert items["input hash"] == summary["input_hash"]
    assert items["data set"] == "nea2018"
    assert Path(str(items["data set path"])) == (ROOT / "data" / "nea2018").resolve()
    assert items["data set digest"] == load_dataset(ROOT / "data" / "nea2018").digest


def test_number_formats_follow_the_units(book):
    def formats(sheet: str) -> dict[str, str]:
        rows = book[sheet].iter_rows(min_row=1, max_row=2)
        header, first = (list(r) for r in rows)
        return {h.value: c.number_format for h, c in zip(header, first, strict=True)}

    trades = formats("trades")
    assert trades["volume_mt"] == "#,##0.000"
    assert trades["settlement_price_usd_per_t"] == "#,##0.00"
    assert trades["payment_musd"] == "#,##0.0"
    assert trades["period"] == "0"
    assert trades["from_market"] == "General"
    assert formats("allocation")["share_of_saving"] == "0.0%"
    assert formats("costs")["national_cost_musd"] == "#,##0.0"


def test_every_sheet_has_a_frozen_header_a_filter_and_fitted_widths(book):
    for sheet in book.worksheets:
        header_row = about(book)[0] if sheet.title == "about" else 1
        assert sheet.freeze_panes == f"A{header_row + 1}", sheet.title
        assert sheet.auto_filter.ref.startswith(f"A{header_row}:"), sheet.title
        for cell in sheet[header_row]:
            width = sheet.column_dimensions[cell.column_letter].width
            assert width >= min(60, len(str(cell.value))), (sheet.title, cell.value)
            longest = max(len(shown(c)) for c in sheet[cell.column_letter])
            assert width >= min(60, longest), (sheet.title, cell.value)
    widths = {book["trades"].column_dimensions[c].width for c in "ABCDEFGHIJ"}
    assert len(widths) > 2  # fitted, not one default width


def shown(cell: openpyxl.cell.Cell) -> str:
    """The cell as Excel shows it, for the formats the export uses."""
    value, fmt = cell.value, cell.number_format
    if not isinstance(value, float | int) or isinstance(value, bool):
        return "" if value is None else str(value)
    if fmt.endswith("%"):
        return f"{100 * value:.1f}%"
    return f"{value:,.{len(fmt.partition('.')[2])}f}"


def test_the_iamc_values_equal_the_csv_tables(folders, exports):
    linked, got = folders["linked"], iamc(exports["linked"])
    prices = csv(linked, "prices").set_index(["market", "period"])["price_usd_per_t"]
    for year in (2020, 2025, 2030):
        assert got[("Price|Carbon", "KR", year)] == pytest.approx(prices[("KR-ETS", year)])
        assert got[("Price|Carbon", "JP", year)] == pytest.approx(prices[("JP-TSE", year)])
    caps = csv(linked, "balances").set_index(["market", "period"])["cap_mt"]
    cn = [("CN-ETS", 2030), ("CN-PILOT", 2030)]
    weighted = sum(prices[k] * caps[k] for k in cn) / sum(caps[k] for k in cn)
    assert got[("Price|Carbon", "CN", 2030)] == pytest.approx(weighted)
    assert ("Price|Carbon", "MN", 2030) not in got.index  # no ETS market in Mongolia
    ndc = csv(linked, "ndc").set_index(["region", "period"])
    assert got[("Price|Carbon|NDC", "JP", 2030)] == pytest.approx(
        ndc.loc[("JP", 2030), "shadow_price_usd_per_t"]
    )
    assert got[("Emissions|CO2", "CN", 2020)] == pytest.approx(
        ndc.loc[("CN", 2020), "inventory_mt"]
    )
    emissions = csv(linked, "emissions").set_index(["region", "scope", "period"])["abatement_mt"]
    assert got[("Emissions|CO2|Abatement", "KR", 2030)] == pytest.approx(
        emissions[("KR", "total", 2030)]
    )
    costs = csv(linked, "costs").set_index(["region", "period"])
    assert got[("Cost|National", "JP", 2030)] == pytest.approx(
        costs.loc[("JP", 2030), "national_cost_musd"]
    )
    assert got[("Cost|Abatement", "CN", 2025)] == pytest.approx(
        costs.loc[("CN", 2025), "abatement_cost_musd"]
    )
    trades = csv(linked, "trades").query("period == 2030 and cross_border")
    kr = (
        trades.loc[trades["from_region"] == "KR", "volume_mt"].sum()
        - trades.loc[trades["to_region"] == "KR", "volume_mt"].sum()
    )
    assert got[("Trade|Emissions Allowances|Volume", "KR", 2030)] == pytest.approx(kr)
    for (region, year), row in costs.iterrows():
        net = row["received_from_abroad_musd"] - row["paid_abroad_musd"]
        assert got[("Trade|Emissions Allowances|Value", region, year)] == pytest.approx(net)


def test_the_iamc_data_give_the_project_credits_each_region_receives(folders, exports):
    got = iamc(exports["gobi"])
    credits = csv(folders["gobi"], "credits")
    received = credits.groupby(["project", "region", "period"])["credited_mt"].sum()
    assert received[("gobi", "JP", 2025)] > 0
    for region in ("CN", "JP", "KR", "MN"):
        assert got[("Project Credits|gobi", region, 2025)] == pytest.approx(
            received[("gobi", region, 2025)]
        )
    assert not any(v.startswith("Project Credits|ccs-cn") for v, *_ in got.index)  # earns none


def test_every_iamc_row_has_its_unit_and_every_declared_variable_is_written(exports):
    year = yaml.safe_load((ROOT / "data" / "nea2018" / "dataset.yaml").read_text())["currency_year"]
    units = pd.concat(pd.read_csv(exports[n] / "iamc.csv") for n in exports)
    assert units["Unit"].notna().all()
    by_variable = units.groupby("Variable")["Unit"].unique()
    assert list(by_variable["Price|Carbon"]) == [f"US${year}/t CO2"]
    assert list(by_variable["Cost|National"]) == [f"million US${year}/yr"]
    assert list(by_variable["Emissions|CO2"]) == ["Mt CO2/yr"]
    written = set(units["Variable"])
    for variable in IAMC_VARIABLES:
        stem = variable.name.partition("<")[0]
        assert any(
            w == variable.name or (stem != variable.name and w.startswith(stem)) for w in written
        ), variable.name


def test_pyam_reads_the_iamc_files(exports):
    import pyam

    for path in (exports["linked"] / "iamc.xlsx", exports["linked"] / "iamc.csv"):
        data = pyam.IamDataFrame(path)
        assert data.model == ["abatelink"] and data.scenario == ["linked"]
        assert data.region == ["CN", "JP", "KR", "MN"]
        assert data.year == [2020, 2025, 2030]
        assert "Trade|Emissions Allowances|Value" in data.variable


def test_docs_iamc_variables_md_is_current():
    assert IAMC_DOC == ROOT / "docs" / "iamc-variables.md"
    assert IAMC_DOC.read_text() == iamc_variables_doc(), (
        "docs/iamc-variables.md is stale: run python -c 'from abatelink.reports.export "
        "import write_iamc_doc; write_iamc_doc()'"
    )
    for variable in IAMC_VARIABLES:
        assert "`" + variable.name.replace("|", "\\|") + "`" in IAMC_DOC.read_text()
