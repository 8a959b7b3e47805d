"""Export a run folder: an Excel workbook, Parquet files and IAMC-format data.

A run folder is what `abatelink run` writes: one CSV per result table and `summary.json`.

Round trip. Parquet keeps every column's type, so each table reads back equal to its CSV.
Excel keeps no column types; read back with ``pandas.read_excel(path, sheet_name=table)``
a table equals its CSV except for three documented type normalisations (values are equal):
a float column whose values are all whole numbers reads back as ``int64``, a column with no
values at all reads back as ``float64`` NaN (from the CSV it may be text), and a table with
no rows reads back with ``object`` columns. `read_xlsx_table` undoes these three and returns
frames equal to the CSV tables.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from abatelink.outputs import OutputFolder, files_digest, read_manifest
from abatelink.reports.iamc import write_iamc
from abatelink.reports.run_folder import (  # noqa: F401 (the public names of a run folder)
    EXPORT_FOLDER,
    PROJECT_TABLES,
    REQUIRED_TABLES,
    SUMMARY_FILE,
    RunFolder,
    as_run,
    dataset_folder,
    read_run,
    require_solution,
)
from abatelink.results import columns

if TYPE_CHECKING:
    pass

FORMATS = ("xlsx", "parquet", "iamc")
WORKBOOK = "tables.xlsx"
ABOUT_SHEET = "about"
SCENARIO_SHEET = "scenario"
ABOUT_DESCRIPTION = (
    "This sheet: where the run came from (above), then every sheet and column of the workbook."
)
ABOUT_COLUMNS = {
    "sheet": "sheet of this workbook",
    "column": "column of the sheet (empty: the row describes the sheet)",
    "unit": "unit of the column's values (empty: names, labels, flags)",
    "meaning": "what the sheet or column holds",
}
SCENARIO_DESCRIPTION = "The scenario as run, then every entry of the run's summary.json."
SCENARIO_COLUMNS = {
    "section": "'scenario' for the described items, 'summary.json' for the rest",
    "item": "item, or summary.json's key (dotted for nested ones)",
    "value": "its value (lists and mappings as JSON)",
}
NUMBER_FORMATS: tuple[tuple[str, str], ...] = (
    (r"^Mt CO2", "#,##0.000"),
    (r"^TWh", "#,##0.000"),
    (r"/t CO2$", "#,##0.00"),
    (r"^million ", "#,##0.0"),
    (r"^fraction$", "0.0%"),
    (r"^t/yr$", "#,##0.0"),
    (r"^ratio$", "0.000"),
    (r"^(year|count)$", "0"),
    (r"^s$", "0.00"),
)
MAX_WIDTH = 60


# --------------------------------------------------------------------------- export


def export_run(run_dir: str | Path, formats: Sequence[str], out: Path | None = None) -> list[Path]:
    """Export a run folder's tables in several formats at once.

    Parameters
    ----------
    run_dir : str or Path
        A run folder written by `abatelink run`.
    formats : sequence of str
        Any of ``"xlsx"`` (one workbook `tables.xlsx`: a first sheet "about", then "scenario",
        then one sheet per table; see `write_workbook`), ``"parquet"``
        (`parquet/<table>.parquet`, one file per table) and ``"iamc"`` (`iamc.xlsx` and
        `iamc.csv`, IAMC wide format, the variables of `IAMC_VARIABLES`; read back by pyam
        where the `iamc` extra is installed).
    out : Path, optional
        Output folder; default `<run_dir>/export/`. It may not be the run folder, nor hold
        it; each file is written atomically and listed in its `manifest.json` (written last;
        files of an earlier export to it that this one does not write are removed).

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    ValueError
        For an unknown format.
    InputError
        For a folder that is not a run folder, a missing table, or a run without a solution.
    """
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise ValueError(f"formats must be among {', '.join(FORMATS)}; got {list(formats)}")
    run = require_solution(read_run(run_dir), "export")
    folder = Path(out) if out is not None else run.path / EXPORT_FOLDER
    written: list[Path] = []
    with OutputFolder(folder, "export", inputs=run.inputs) as target:
        if "xlsx" in formats:
            written.append(target.write(WORKBOOK, lambda path: write_workbook(run, path)))
        if "parquet" in formats:
            written += target.write_folder("parquet", lambda tmp: write_parquet(run, tmp))
        if "iamc" in formats:
            written += target.write_folder(None, lambda tmp: write_iamc(run, tmp))
        target.finish()
    return written


def write_parquet(run: RunFolder, folder: Path) -> list[Path]:
    """Write each table as `<folder>/<table>.parquet` (pyarrow); return the files."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, frame in run.tables.items():
        path = folder / f"{name}.parquet"
        frame.to_parquet(path, index=False)
        paths.append(path)
    return paths


def write_workbook(run: RunFolder, path: Path) -> Path:
    """Write the Excel workbook: "about" first, then "scenario", then one sheet per table.

    "about" says where the run came from (`provenance_rows`) and describes every sheet and
    column with its unit (`about_rows`). Every sheet has its header frozen and an autofilter,
    number formats by unit (`NUMBER_FORMATS`) and columns as wide as their content.
    """
    about = about_rows(run)
    provenance = provenance_rows(run)
    header_row = len(provenance) + 3
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        provenance.to_excel(writer, sheet_name=ABOUT_SHEET, index=False)
        about.to_excel(writer, sheet_name=ABOUT_SHEET, index=False, startrow=header_row - 1)
        scenario_rows(run).to_excel(writer, sheet_name=SCENARIO_SHEET, index=False)
        for name, frame in run.tables.items():
            frame.to_excel(writer, sheet_name=name, index=False)
        book = writer.book
        _format_table(book[ABOUT_SHEET], header_row, {})
        _format_table(book[SCENARIO_SHEET], 1, {})
        for name, frame in run.tables.items():
            formats = {c: number_format(columns.unit(name, c, run.currency)) for c in frame}
            _format_table(book[name], 1, formats)
    return path


def number_format(unit: str) -> str:
    """The Excel number format of a unit ('General' for one `NUMBER_FORMATS` does not list)."""
    for pattern, fmt in NUMBER_FORMATS:
        if re.search(pattern, unit):
            return fmt
    return "General"


def _format_table(sheet: Any, header_row: int, formats: dict[str, str]) -> None:
    """Number formats by column name, the header frozen, an autofilter, fitted widths."""
    from openpyxl.utils import get_column_letter

    header = {cell.column: cell.value for cell in sheet[header_row]}
    for row in sheet.iter_rows(min_row=header_row + 1):
        for cell in row:
            fmt = formats.get(header.get(cell.column, ""))
            if fmt and isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                cell.number_format = fmt
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1).coordinate
    last = get_column_letter(max(header))
    sheet.auto_filter.ref = f"A{header_row}:{last}{max(sheet.max_row, header_row)}"
    widths: dict[int, int] = {}
    for row in sheet.iter_rows():
        for cell in row:
            length = len(_shown(cell.value, cell.number_format))
            widths[cell.column] = max(widths.get(cell.column, 0), length)
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = min(MAX_WIDTH, width + 3)


def _shown(value: Any, fmt: str) -> str:
    """Roughly how Excel shows a value in a number format (for column widths)."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if fmt.endswith("%"):
        return f"{value * 100:.1f}%"
    decimals = len(fmt.partition(".")[2])
    return f"{value:,.{decimals}f}" if fmt != "General" else f"{value:g}"


def read_xlsx_table(path: Path, table: str, like: pd.DataFrame | None = None) -> pd.DataFrame:
    """Read one table back from the workbook, with the documented normalisations.

    Parameters
    ----------
    path : Path
        The workbook written by `write_workbook`.
    table : str
        The sheet (table) name.
    like : DataFrame, optional
        The CSV table: a whole-number column that is float there, an all-empty column, and
        every column of an empty table take its column's type (see the module docstring).

    Returns
    -------
    DataFrame
    """
    frame = pd.read_excel(path, sheet_name=table)
    if like is None:
        return frame
    for column in frame.columns.intersection(like.columns):
        values, wanted = frame[column], like[column].dtype
        whole = pd.api.types.is_integer_dtype(values) and pd.api.types.is_float_dtype(wanted)
        if frame.empty or values.isna().all() or whole:
            frame[column] = values.astype(wanted)
    return frame


# --------------------------------------------------------------------------- describe


def scenario_rows(run: RunFolder) -> pd.DataFrame:
    """The scenario sheet: described items first, then every other key of `summary.json`.

    Returns
    -------
    DataFrame
        Columns ``section`` ('scenario' for the described items, 'summary.json' for the
        rest), ``item`` and ``value`` (text or number; lists and mappings as JSON).
    """
    summary, scenario = run.summary, run.summary.get("resolved_scenario") or {}
    described = [
        ("scenario", run.name),
        ("description", scenario.get("description")),
        ("scenario file", summary.get("scenario_file")),
        ("data set", summary.get("dataset")),
        ("data set title", run.dataset.get("title")),
        ("data set vintage", summary.get("vintage") or run.dataset.get("vintage", "unknown")),
        ("currency", run.currency),
        ("data set path", summary.get("dataset_path")),
        ("periods", summary.get("periods")),
        ("links", scenario.get("links")),
        ("overrides", scenario.get("overrides")),
        ("projects", scenario.get("projects")),
        ("credit rule", scenario.get("credit_rule")),
        ("project credit rules", scenario.get("project_credit_rules")),
        ("game solution", scenario.get("game_solution")),
        ("solver status", summary.get("status")),
        ("has solution", summary.get("has_solution")),
        ("discounted cost (US$ million)", summary.get("objective_present_value_musd")),
        ("MIP gap", summary.get("mip_gap")),
        ("prices", summary.get("prices_note")),
        ("input hash", summary.get("input_hash")),
    ]
    rows = [("scenario", item, _cell(value)) for item, value in described]
    rows += [("summary.json", key, _cell(value)) for key, value in _flatten(summary)]
    return pd.DataFrame(rows, columns=["section", "item", "value"])


def _flatten(value: Any, prefix: str = "") -> Iterable[tuple[str, Any]]:
    """Dotted keys of nested mappings; lists and empty mappings are leaves."""
    if isinstance(value, dict) and value:
        for key, inner in value.items():
            yield from _flatten(inner, f"{prefix}.{key}" if prefix else str(key))
    else:
        yield prefix, value


def _cell(value: Any) -> Any:
    if isinstance(value, dict | list | tuple):
        return json.dumps(value)
    if value is None:
        return ""
    return value


def provenance_rows(run: RunFolder) -> pd.DataFrame:
    """Where the export came from: the scenario (name, file, input hash), the data set (name,
    path, digest), the currency and the run folder.

    The data set's digest is `summary.json`'s `dataset_digest` where the run recorded one,
    else computed now from the data set folder (`abatelink.outputs.files_digest`, the same
    SHA-256 a run's data set carries), else 'unknown'.
    """
    summary, manifest = run.summary, read_manifest(run.path) or {}
    items = [
        ("scenario", run.name),
        ("scenario file", summary.get("scenario_file")),
        ("input hash", summary.get("input_hash")),
        ("data set", summary.get("dataset")),
        ("data set path", summary.get("dataset_path")),
        ("data set digest", dataset_digest(run)),
        ("currency", run.currency),
        ("run folder", str(run.path)),
        ("run written", manifest.get("written")),
        ("run command", manifest.get("command")),
        ("abatelink", manifest.get("abatelink")),
    ]
    return pd.DataFrame([(i, _cell(v)) for i, v in items], columns=["item", "value"])


def dataset_digest(run: RunFolder) -> str:
    """The SHA-256 of the run's data set (see `provenance_rows`)."""
    recorded = run.summary.get("dataset_digest")
    if recorded:
        return str(recorded)
    folder = dataset_folder(run.path, run.summary)
    return files_digest(folder) if folder is not None else "unknown: data set folder not found"


def about_rows(run: RunFolder) -> pd.DataFrame:
    """Every sheet of the workbook (a row with its description) and each of its columns
    (a row with its unit and meaning).

    Returns
    -------
    DataFrame
        Columns sheet, column, unit, meaning.
    """
    sheets = {
        ABOUT_SHEET: (ABOUT_DESCRIPTION, {c: ABOUT_COLUMNS[c] for c in ABOUT_COLUMNS}),
        SCENARIO_SHEET: (SCENARIO_DESCRIPTION, SCENARIO_COLUMNS),
    }
    rows = [
        row
        for sheet, (text, described) in sheets.items()
        for row in [(sheet, "", "", text), *((sheet, c, "", m) for c, m in described.items())]
    ]
    for table, frame in run.tables.items():
        rows.append((table, "", "", columns.TABLES[table]))
        rows += [
            (table, c, columns.unit(table, c, run.currency), columns.describe(table, c).meaning)
            for c in frame.columns
        ]
    return pd.DataFrame(rows, columns=list(ABOUT_COLUMNS))
