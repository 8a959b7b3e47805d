"""abatelink: linked carbon markets and joint abatement projects in Northeast Asia.

load_dataset → build → set_inputs → Session.solve → tables; `run` does all of it for a scenario.
"""

__version__ = "0.1.0"

from abatelink.errors import AbatelinkError, InputError, SolveError
from abatelink.inputs.dataset import Dataset, load_dataset
from abatelink.inputs.scenario import Scenario, load_scenario, scenario_inputs
from abatelink.model.build import Model, build
from abatelink.model.levers import Inputs, set_inputs
from abatelink.results.tables import tables
from abatelink.run import RunResult, run, write_run
from abatelink.solve.session import Session, Solution, SolverOptions

__all__ = [
    "AbatelinkError",
    "Dataset",
    "InputError",
    "Inputs",
    "Model",
    "RunResult",
    "Scenario",
    "Session",
    "Solution",
    "SolveError",
    "SolverOptions",
    "build",
    "load_dataset",
    "load_scenario",
    "run",
    "scenario_inputs",
    "set_inputs",
    "tables",
    "write_run",
]
