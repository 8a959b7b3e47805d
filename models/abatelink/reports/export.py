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
import math
import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import yaml

from abatelink.errors import InputError, MissingExtra
from abatelink.outputs import OutputFolder
from abatelink.results.tables import TABLE_NAMES

if TYPE_CHECKING:
    import pyam

SUMMARY_FILE = "summary.json"
PROJECT_TABLES = ("projects", "credits", "cobenefits", "ledger")
# Tables a run folder may lack: the joint projects', and international offsets (a folder
# written before they existed).
REQUIRED_TABLES = tuple(t for t in TABLE_NAMES if t not in (*PROJECT_TABLES, "offsets"))
FORMATS = ("xlsx", "parquet", "iamc")
EXPORT_FOLDER = "export"  # in the run folder, by default
WORKBOOK = "tables.xlsx"
SCENARIO_SHEET = "scenario"
UNITS_SHEET = "units"
NOT_UNITS = ("text", "-", "true/false")  # `units_table` entries that are kinds, not units
IAMC_MODEL = "abatelink"
IAMC_COLUMNS = ["model", "scenario", "region", "variable", "unit", "year", "value"]


@dataclass(frozen=True)
class RunFolder:
    """A run folder read into memory.

    Attributes
    ----------
    path : Path
        The folder.
    summary : dict
        The parsed `summary.json`.
    tables : dict of str to DataFrame
        Every CSV table of the folder: those of `abatelink.results.TABLE_NAMES` in that order,
        then any other (e.g. `diagnosis`). A run without a solution has only the latter.
    dataset : dict
        `dataset.yaml` of the run's data set (name, vintage, currency year, ...), or an empty
        dict when it cannot be read any more.
    """

    path: Path
    summary: dict[str, Any]
    tables: dict[str, pd.DataFrame]
    dataset: dict[str, Any]

    @property
    def name(self) -> str:
        """The scenario's name (the folder's name when the summary has none)."""
        return str(self.summary.get("scenario") or self.path.name)

    @property
    def status(self) -> str:
        """The solver status recorded in the summary."""
        return str(self.summary.get("status", "unknown"))

    @property
    def solved(self) -> bool:
        """True unless the summary says the run has no solution."""
        return self.summary.get("has_solution") is not False

    @property
    def currency(self) -> str:
        """'US$<currency year>' when the currency year is known, else 'USD'."""
        year = self.summary.get("currency_year", self.dataset.get("currency_year"))
        return f"US${year}" if year is not None else "USD"

    def table(self, name: str) -> pd.DataFrame:
        """One result table; raises `InputError` naming the file when it is missing."""
        if name not in self.tables:
            raise InputError(self.path / f"{name}.csv", "missing table: not in this run folder")
        return self.tables[name]

    def has(self, name: str) -> bool:
        """True when the run folder holds the table `name`."""
        return name in self.tables

    @property
    def inputs(self) -> list[Path]:
        """What a command reading the run reads: the folder and its data set folder (if it
        still exists); no output folder may hold them."""
        found = dataset_folder(self.path, self.summary)
        return [self.path] if found is None else [self.path, found]


def as_run(run_dir: str | Path | RunFolder) -> RunFolder:
    """A run folder, read unless it already is."""
    return run_dir if isinstance(run_dir, RunFolder) else read_run(run_dir)


def read_run(run_dir: str | Path) -> RunFolder:
    """Read a run folder: its summary, every result table and its data set's description.

    Parameters
    ----------
    run_dir : str or Path
        A folder written by `abatelink run` (or `abatelink.write_run`).

    Returns
    -------
    RunFolder

    Raises
    ------
    InputError
        When the folder does not exist, has no `summary.json` (not a run folder), the summary
        is not JSON, or a run with a solution lacks one of the required tables.
    """
    folder = Path(run_dir)
    if not folder.is_dir():
        raise InputError(folder, "not a folder: expected a run folder written by `abatelink run`")
    summary = _read_summary(folder)
    tables = _read_tables(folder, summary)
    return RunFolder(folder, summary, tables, _read_dataset_meta(folder, summary))


def _read_summary(folder: Path) -> dict[str, Any]:
    path = folder / SUMMARY_FILE
    if not path.is_file():
        raise InputError(
            folder, f"not a run folder: no {SUMMARY_FILE} (write one with `abatelink run`)"
        )
    try:
        summary = json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise InputError(path, f"not valid JSON: {err.msg}", line=err.lineno) from None
    if not isinstance(summary, dict):
        raise InputError(path, "expected a JSON object with the run's status and scenario")
    return summary


def _read_tables(folder: Path, summary: dict[str, Any]) -> dict[str, pd.DataFrame]:
    present = {p.stem: p for p in sorted(folder.glob("*.csv"))}
    for name in REQUIRED_TABLES if summary.get("has_solution") is not False else ():
        if name not in present:
            raise InputError(folder / f"{name}.csv", "missing table: every run folder has it")
    order = [n for n in TABLE_NAMES if n in present] + [n for n in present if n not in TABLE_NAMES]
    return {name: _read_csv(present[name]) for name in order}


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path)
    except (pd.errors.EmptyDataError, pd.errors.ParserError) as err:
        raise InputError(path, f"not a readable CSV table: {err}") from None


def _read_dataset_meta(folder: Path, summary: dict[str, Any]) -> dict[str, Any]:
    path = dataset_folder(folder, summary)
    if path is None or not (path / "dataset.yaml").is_file():
        return {}
    try:
        meta = yaml.safe_load((path / "dataset.yaml").read_text())
    except yaml.YAMLError:
        return {}
    return meta if isinstance(meta, dict) else {}


def dataset_folder(run_dir: Path, summary: dict[str, Any]) -> Path | None:
    """The run's data set folder (`summary.json`'s `dataset_path`), if it still exists.

    A relative path is tried as given, then relative to the run folder.
    """
    given = summary.get("dataset_path")
    if not given:
        return None
    for path in (Path(given), run_dir / given):
        if path.is_dir():
            return path
    return None


def require_solution(run: RunFolder, what: str) -> RunFolder:
    """The run, if it has a solution; else an `InputError` naming its status.

    Parameters
    ----------
    run : RunFolder
    what : str
        What needed the solution (for the message), e.g. "export".
    """
    if not run.solved:
        tables = ", ".join(f"{name}.csv" for name in run.tables)
        hint = f"; see summary.json and {tables}" if tables else ""
        raise InputError(
            run.path, f"the run has no solution (status {run.status}): no {what}{hint}"
        )
    return run


# --------------------------------------------------------------------------- export


def export_run(run_dir: str | Path, formats: Sequence[str], out: Path | None = None) -> list[Path]:
    """Export a run folder's tables in several formats at once.

    Parameters
    ----------
    run_dir : str or Path
        A run folder written by `abatelink run`.
    formats : sequence of str
        Any of ``"xlsx"`` (one workbook `tables.xlsx`: a first sheet "scenario", one sheet per
        table, a "units" sheet), ``"parquet"`` (`parquet/<table>.parquet`, one file per table)
        and ``"iamc"`` (`iamc.xlsx` and `iamc.csv`, IAMC wide format; read back by pyam
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
    """Write the Excel workbook: "scenario" first, one sheet per table, then "units".

    Each table's header cells carry their unit as a cell comment as well.
    """
    units = units_table(run)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        scenario_rows(run).to_excel(writer, sheet_name=SCENARIO_SHEET, index=False)
        for name, frame in run.tables.items():
            frame.to_excel(writer, sheet_name=name, index=False)
        units.to_excel(writer, sheet_name=UNITS_SHEET, index=False)
        _annotate(writer.book, units)
    return path


def _annotate(book: Any, units: pd.DataFrame) -> None:
    """Freeze the header rows, widen columns and add each header's unit as a comment."""
    from openpyxl.comments import Comment

    for sheet in book.worksheets:
        sheet.freeze_panes = "A2"
        for cell in sheet[1]:
            width = max(10, min(60, len(str(cell.value)) + 2))
            sheet.column_dimensions[cell.column_letter].width = width
    for table, column, unit in units[["table", "column", "unit"]].itertuples(index=False):
        sheet = book[table]
        for cell in sheet[1]:
            if cell.value == column and unit not in NOT_UNITS:
                cell.comment = Comment(f"unit: {unit}", "abatelink")


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


UNIT_RULES: tuple[tuple[str, str], ...] = (
    (r"^bank_end_mt$", "Mt CO2 (stock at the period's end)"),
    (r"^initial_bank_mt$", "Mt CO2"),
    (r"_usd_per_t$", "{currency}/t CO2"),
    (r"_musd$", "million {currency}/yr"),
    (r"_mt$", "Mt CO2/yr"),
    (r"_twh$", "TWh/yr"),
    (r"_t$", "t/yr"),
    (r"(^|_)share$", "fraction"),
    (r"^period$", "year"),
    (r"^capacity$", "see capacity_unit"),
    (r"^modules$", "count"),
)


def column_unit(column: str, currency: str = "USD") -> str:
    """The unit of a result column, from its name (empty for text and flags).

    Examples
    --------
    >>> column_unit("price_usd_per_t", "US$2020")
    'US$2020/t CO2'
    >>> column_unit("volume_mt")
    'Mt CO2/yr'
    """
    for pattern, unit in UNIT_RULES:
        if re.search(pattern, column):
            return unit.format(currency=currency)
    return ""


def units_table(run: RunFolder) -> pd.DataFrame:
    """Columns ``table``, ``column``, ``unit`` for every column of every table."""
    rows = [
        (table, column, column_unit(column, run.currency) or _kind(frame[column]))
        for table, frame in run.tables.items()
        for column in frame.columns
    ]
    return pd.DataFrame(rows, columns=["table", "column", "unit"])


def _kind(values: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(values):
        return "true/false"
    return "-" if pd.api.types.is_numeric_dtype(values) else "text"


# --------------------------------------------------------------------------- IAMC


def iamc_frame(run: RunFolder) -> pd.DataFrame:
    """The run in IAMC long format, as a plain DataFrame (what `to_iamc` hands to pyam).

    Variables: ``Price|Carbon|<market>`` (region of the market), ``Emissions|CO2|Covered``
    (emissions in the region's ETS markets), ``Emissions|CO2``, ``Trade|Allowances|Net
    Exports`` (allowances sold minus bought, all links), ``Cost|Abatement``, ``Cost|Total``
    (the national cost), ``Cost|Emitters``, ``Revenue|Government``, and ``Credits|Joint
    Projects|<project>`` (credits received) for projects that earn any.

    Returns
    -------
    DataFrame
        Columns model, scenario, region, variable, unit, year, value.
    """
    parts = [
        _price_rows(run),
        _emission_rows(run),
        _net_export_rows(run),
        _cost_rows(run),
        _credit_rows(run),
    ]
    frame = pd.concat([p for p in parts if len(p)], ignore_index=True)
    frame.insert(0, "scenario", run.name)
    frame.insert(0, "model", IAMC_MODEL)
    frame["year"] = frame["year"].astype(int)
    frame["value"] = frame["value"].astype(float)
    return frame[IAMC_COLUMNS]


def _rows(frame: pd.DataFrame, variable: str | pd.Series, unit: str, value: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "region": frame["region"].to_numpy(),
            "variable": variable if isinstance(variable, str) else variable.to_numpy(),
            "unit": unit,
            "year": frame["period"].to_numpy(),
            "value": frame[value].to_numpy(),
        }
    )


def _price_rows(run: RunFolder) -> pd.DataFrame:
    prices = run.table("prices")
    unit = f"{run.currency}/t CO2" if run.currency != "USD" else "USD/t CO2"
    return _rows(prices, "Price|Carbon|" + prices["market"], unit, "price_usd_per_t")


def _emission_rows(run: RunFolder) -> pd.DataFrame:
    emissions = run.table("emissions")
    ets = set(run.table("prices").query("kind == 'ets'")["market"])
    total = emissions[emissions["scope"] == "total"]
    covered = (
        emissions[emissions["scope"].isin(ets)]
        .groupby(["region", "period"])["emissions_mt"]
        .sum()
        .reindex(pd.MultiIndex.from_frame(total[["region", "period"]]), fill_value=0.0)
        .reset_index()
    )
    return pd.concat(
        [
            _rows(covered, "Emissions|CO2|Covered", "Mt CO2/yr", "emissions_mt"),
            _rows(total, "Emissions|CO2", "Mt CO2/yr", "emissions_mt"),
        ]
    )


def _net_export_rows(run: RunFolder) -> pd.DataFrame:
    trades, keys = run.table("trades"), run.table("costs")[["region", "period"]]
    sold = trades.groupby(["from_region", "period"])["volume_mt"].sum()
    bought = trades.groupby(["to_region", "period"])["volume_mt"].sum()
    index = pd.MultiIndex.from_frame(keys)
    net = sold.reindex(index, fill_value=0.0) - bought.reindex(index, fill_value=0.0)
    frame = net.rename("net_mt").reset_index()
    return _rows(frame, "Trade|Allowances|Net Exports", "Mt CO2/yr", "net_mt")


def _cost_rows(run: RunFolder) -> pd.DataFrame:
    costs, unit = run.table("costs"), f"million {run.currency}/yr"
    return pd.concat(
        [
            _rows(costs, "Cost|Abatement", unit, "abatement_cost_musd"),
            _rows(costs, "Cost|Total", unit, "national_cost_musd"),
            _rows(costs, "Cost|Emitters", unit, "emitters_cost_musd"),
            _rows(costs, "Revenue|Government", unit, "government_revenue_musd"),
        ]
    )


def _credit_rows(run: RunFolder) -> pd.DataFrame:
    if not run.has("credits") or run.table("credits").empty:
        return pd.DataFrame()
    credits = run.table("credits")
    earning = credits.groupby("project")["credited_mt"].transform(lambda c: c.abs().max() > 0)
    credits = credits[earning]
    summed = credits.groupby(["project", "region", "period"], as_index=False)["credited_mt"].sum()
    variable = "Credits|Joint Projects|" + summed["project"].astype(str)
    return _rows(summed, variable, "Mt CO2/yr", "credited_mt")


def check_iamc_frame(frame: pd.DataFrame, source: Path) -> pd.DataFrame:
    """Check an IAMC frame before pyam sees it; drop rows without a value, with a warning.

    Raises
    ------
    InputError
        On duplicate (region, variable, year) rows, or a variable with more than one unit.
    """
    keys = ["model", "scenario", "region", "variable", "year"]
    duplicated = frame[frame.duplicated(keys, keep=False)]
    if len(duplicated):
        first = duplicated.iloc[0]
        raise InputError(source, f"duplicate IAMC rows, e.g. {first['variable']} {first['year']}")
    units = frame.groupby("variable")["unit"].nunique()
    if (units > 1).any():
        raise InputError(source, f"variables with several units: {list(units[units > 1].index)}")
    finite = frame["value"].map(lambda v: math.isfinite(v))
    if not finite.all():
        dropped = sorted(set(frame.loc[~finite, "variable"]))
        warnings.warn(f"{source}: no value for {dropped}; left out", stacklevel=2)
    return frame[finite].reset_index(drop=True)


def to_iamc(run_dir: str | Path | RunFolder) -> pyam.IamDataFrame:
    """The run as a `pyam.IamDataFrame` (model 'abatelink', scenario = the scenario's name).

    Parameters
    ----------
    run_dir : str, Path or RunFolder
        A run folder (or one already read).

    Returns
    -------
    pyam.IamDataFrame
        See `iamc_frame` for the variables; every variable has one unit.

    Raises
    ------
    MissingExtra
        Without pyam (`pip install "abatelink[iamc]"`).
    """
    pyam = _pyam()
    if pyam is None:
        raise MissingExtra("iamc", "IAMC data as a pyam.IamDataFrame")
    return pyam.IamDataFrame(_checked_iamc_frame(run_dir))


def _checked_iamc_frame(run_dir: str | Path | RunFolder) -> pd.DataFrame:
    run = require_solution(as_run(run_dir), "IAMC data")
    return check_iamc_frame(iamc_frame(run), run.path)


def _pyam():
    """pyam if it is installed (the `iamc` extra), else None; imported here: it is slow."""
    try:
        import pyam
    except ImportError:
        return None
    return pyam


def write_iamc(run: RunFolder, folder: Path) -> list[Path]:
    """Write `iamc.xlsx` and `iamc.csv` in the IAMC wide format (model, scenario, region,
    variable, unit, one column per year) with pandas; where pyam is installed, each file is
    read back by pyam as a check. Returns both paths."""
    long = _checked_iamc_frame(run)
    keys = ["model", "scenario", "region", "variable", "unit"]
    wide = long.pivot_table(index=keys, columns="year", values="value", aggfunc="first")
    wide = wide.rename(columns=str).reset_index()
    wide.columns = [str(c).capitalize() if c in keys else c for c in wide.columns]
    xlsx, csv = folder / "iamc.xlsx", folder / "iamc.csv"
    wide.to_excel(xlsx, sheet_name="data", index=False)
    wide.to_csv(csv, index=False)
    pyam = _pyam()
    if pyam is not None:
        for path in (xlsx, csv):
            pyam.IamDataFrame(path)
    return [xlsx, csv]
