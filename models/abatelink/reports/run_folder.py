"""A run folder as `abatelink run` wrote it: its tables, summary and data set, read back for
export, figures and reports."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import yaml

from abatelink.errors import InputError
from abatelink.results.tables import TABLE_NAMES

if TYPE_CHECKING:
    pass


SUMMARY_FILE = "summary.json"
# The folders export, plot and report write in a run folder by default, each with its manifest.
EXPORT_FOLDER, FIGURES_FOLDER, REPORT_FOLDER = "export", "figures", "report"
PROJECT_TABLES = ("projects", "credits", "cobenefits", "ledger")
# Tables a run folder may lack: the joint projects', and international offsets (a folder
# written before they existed).
REQUIRED_TABLES = tuple(t for t in TABLE_NAMES if t not in (*PROJECT_TABLES, "offsets"))


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
