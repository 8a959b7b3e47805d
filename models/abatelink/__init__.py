"""abatelink: linked carbon markets and joint abatement projects in Northeast Asia.

The stages, one subpackage each, data flowing one way:
inputs (data sets, scenarios, studies) → model (components, build, levers) → solve (HiGHS
session, priced solutions, diagnosis) → results (tables, money) → reports (export, figures,
HTML); games (coalition values, game solutions) and studies (sweeps, sensitivity) call solve
and results. The public functions, in the order they are used:

    load_dataset → build → set_inputs → Session → solve → tables;  `run` does all of it.
"""

from abatelink.errors import AbatelinkError, InputError, SolveError
from abatelink.inputs.dataset import Dataset, load_dataset
from abatelink.inputs.scenario import (
    Inputs,
    Scenario,
    SolverOptions,
    load_scenario,
    scenario_inputs,
)
from abatelink.model.build import Model, build
from abatelink.model.levers import set_inputs
from abatelink.results import tables
from abatelink.run import RunResult, run, write_run
from abatelink.solve.priced import Priced, solve
from abatelink.solve.session import Session, Solution
from abatelink.version import __version__

__all__ = [
    "AbatelinkError",
    "Dataset",
    "InputError",
    "Inputs",
    "Model",
    "Priced",
    "RunResult",
    "Scenario",
    "Session",
    "Solution",
    "SolveError",
    "SolverOptions",
    "__version__",
    "build",
    "load_dataset",
    "load_scenario",
    "run",
    "scenario_inputs",
    "set_inputs",
    "solve",
    "tables",
    "write_run",
]
