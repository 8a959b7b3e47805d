"""One scenario end to end: load → build → set inputs → solve → extract → write."""

from __future__ import annotations

import dataclasses
import platform
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from abatelink.games.allocation import allocate_on
from abatelink.inputs.dataset import with_projects
from abatelink.inputs.highs_options import placed, written_files
from abatelink.inputs.scenario import (
    Scenario,
    SolverOptions,
    load_scenario,
    scenario_dataset,
    scenario_inputs,
    scenario_periods,
)
from abatelink.model.build import Model, build
from abatelink.model.levers import set_inputs
from abatelink.outputs import OutputFolder, results_folder, writing
from abatelink.results import tables
from abatelink.results.costs import ACCOUNTS, outside_account, present_value
from abatelink.solve.diagnose import diagnose
from abatelink.solve.numerics import coefficient_ranges, range_warnings
from abatelink.solve.priced import Priced, solve
from abatelink.solve.session import Session, Solution
from abatelink.version import __version__

SUMMARY_FILE = "summary.json"
INFEASIBLE = ("infeasible", "infeasible_or_unbounded")


@dataclass
class RunResult:
    """A solved scenario: its tables (DataFrames), summary, and the model to re-solve."""

    scenario: Scenario
    summary: dict[str, Any]
    tables: dict[str, pd.DataFrame]
    priced: Priced
    timings: dict[str, float] = field(default_factory=dict)
    solver_files: list[Path] = field(default_factory=list)
    """Files HiGHS wrote (its `log_file`, `solution_file`, ...), inside the output folder."""

    @property
    def model(self) -> Model:
        return self.priced.model

    @property
    def session(self) -> Session:
        return self.priced.session

    @property
    def solution(self) -> Solution:
        return self.priced.solution

    @property
    def status(self) -> str:
        return self.solution.status

    def __getitem__(self, table: str) -> pd.DataFrame:
        return self.tables[table]


def run(
    scenario: Scenario | str | Path, *, diagnose_always: bool = False, out: Path | None = None
) -> RunResult:
    """Solve one scenario and return its tables; nothing is written but the files the
    scenario's solver options ask HiGHS for (`log_file`, ...), which go into `out` (default:
    `default_out_dir`).

    An infeasible scenario (or any, with `diagnose_always`) is diagnosed: the `diagnosis`
    table lists the least relaxations of caps, NDC targets and limits that make it feasible.
    """
    timings: dict[str, float] = {}
    clock = _Clock(timings)
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    dataset = scenario_dataset(scenario)
    inputs = scenario_inputs(scenario, dataset)
    # one scenario opens what it opens: the projects it keeps closed need not be built
    kept = inputs.open_projects
    dataset = with_projects(dataset, kept)
    inputs = dataclasses.replace(inputs, dataset=with_projects(inputs.dataset, kept))
    clock.lap("load_s")
    model = build(dataset, scenario_periods(scenario, dataset))
    set_inputs(model, inputs)
    clock.lap("build_s")
    session = Session(model)
    clock.lap("send_to_highs_s")
    options, solver_files = solver_options_in(scenario, out)
    priced = solve(session, inputs, options)
    solution = priced.solution
    clock.lap("solve_s")
    result_tables = tables(priced) if priced.has_solution else {}
    clock.lap("extract_s")
    if scenario.game_solution is not None and result_tables:
        shared = allocate_on(model, session, inputs, options, scenario.game_solution)
        result_tables["coalitions"] = shared.coalitions.drop(columns=["members"])
        result_tables["allocation"] = shared.table
        clock.lap("coalitions_s")
    diagnosis_lines = None
    if diagnose_always or solution.status in INFEASIBLE:
        diagnosis = diagnose(model, session, options)
        result_tables["diagnosis"] = diagnosis.table
        diagnosis_lines = diagnosis.lines
        clock.lap("diagnose_s")
    summary = make_summary(scenario, model, solution, timings)
    summary["diagnosis"] = diagnosis_lines
    ranges = coefficient_ranges(session.highs)
    summary["coefficient_ranges"] = ranges
    summary["warnings"] = range_warnings(ranges)
    summary["prices_conditional_on_build"] = priced.conditional_on_build
    summary["offtake_iterations"] = priced.offtake_rounds
    if "costs" in result_tables:
        summary["present_value_musd"] = {
            account: present_value(result_tables["costs"], model.index, account).to_dict()
            for account in ACCOUNTS
        }
        outside = outside_account(result_tables["offsets"])
        summary["outside_account_present_value_musd"] = present_value(
            outside, model.index, "received_musd"
        ).to_dict()
    if priced.conditional_on_build:
        summary["prices_note"] = (
            "LP duals with every build fixed at the MILP solution: prices conditional on the build"
        )
    return RunResult(scenario, summary, result_tables, priced, timings, solver_files)


def solver_options_in(
    scenario: Scenario, out: Path | None = None
) -> tuple[SolverOptions, list[Path]]:
    """The scenario's solver options with the files HiGHS writes placed in the output folder
    (created for them), and those files' paths."""
    options = scenario.solver
    names = written_files(options.options)
    if not names:
        return options, []
    folder = Path(out) if out is not None else default_out_dir(scenario)
    files = [folder / name for name in names]
    for path in files:
        with writing(path):
            path.parent.mkdir(parents=True, exist_ok=True)
    return options.model_copy(update={"options": placed(options.options, folder)}), files


class _Clock:
    def __init__(self, laps: dict[str, float]) -> None:
        self.laps = laps
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(now - self.last, 4)
        self.last = now


def make_summary(
    scenario: Scenario, model: Model, solution: Solution, timings: dict[str, float]
) -> dict[str, Any]:
    """Status, objective, solver and versions, timings and the input hash of a run."""
    return {
        "scenario": scenario.name,
        "scenario_file": str(scenario.file) if scenario.file else None,
        "dataset": model.dataset.meta.name,
        "dataset_path": str(model.dataset.path),
        "periods": list(model.index.periods),
        "status": solution.status,
        "has_solution": solution.has_solution,
        "objective_present_value_musd": solution.objective,
        "objective_bound_musd": solution.bound,
        "mip_gap": solution.gap if solution.is_mip else None,
        "is_mip": solution.is_mip,
        "prices_note": "LP duals: undiscounted US$/t of the currency year",
        "input_hash": scenario.digest(model.dataset),
        "resolved_scenario": scenario.model_dump(mode="json"),
        "solver": {"name": "HiGHS", "version": _highs_version(), "iterations": solution.iterations},
        "versions": _versions(),
        "model_size": _model_size(model),
        "timings_s": timings,
    }


def _highs_version() -> str:
    from pyomo.contrib.solver.solvers.highs import Highs

    return ".".join(str(part) for part in Highs().version())


def _versions() -> dict[str, str]:
    import pyomo.version

    return {
        "abatelink": __version__,
        "pyomo": pyomo.version.version,
        "pandas": pd.__version__,
        "python": platform.python_version(),
    }


def _model_size(model: Model) -> dict[str, int]:
    import pyomo.core as pyo

    m = model.pyomo
    return {
        "variables": sum(len(v) for v in m.component_objects(pyo.Var)),
        "constraints": sum(len(c) for c in m.component_objects(pyo.Constraint)),
    }


def default_out_dir(scenario: Scenario) -> Path:
    """Results go beside the scenario file: `<folder>/results/<name>/` (git-ignored)."""
    return results_folder(scenario.folder / "results", scenario.name, scenario.source)


def run_inputs(scenario: Scenario) -> list[Path]:
    """What a run reads: its scenario file and data set folder (no output folder holds them)."""
    return [p for p in (scenario.file, scenario.dataset_path) if p is not None]


def run_folder(scenario: Scenario, out: Path | None = None) -> OutputFolder:
    """The output folder of a run of `scenario` (`out`, or `default_out_dir`), unopened."""
    folder = Path(out) if out is not None else default_out_dir(scenario)
    return OutputFolder(folder, "run", inputs=run_inputs(scenario))


def write_run(result: RunResult, out: Path | OutputFolder | None = None) -> Path:
    """Write every table as CSV and `summary.json` into `out`, then its manifest; return the
    folder.

    out: a folder (default `default_out_dir`), or an `OutputFolder` already open, which is
    then finished (stale outputs removed, manifest written) and left open.
    """
    if isinstance(out, OutputFolder):
        _write_into(result, out)
        out.finish()
        return out.folder
    with run_folder(result.scenario, out) as target:
        _write_into(result, target)
        target.finish()
    return target.folder


def _write_into(result: RunResult, target: OutputFolder) -> None:
    start = time.perf_counter()
    for name, frame in result.tables.items():
        target.write_csv(f"{name}.csv", frame)
    for path in result.solver_files:
        target.record(path)
    result.summary["timings_s"]["write_s"] = round(time.perf_counter() - start, 4)
    target.write_json(SUMMARY_FILE, result.summary)
